"""Every name a product goes by, built once from the catalogue and used by every layer.

A product is named by its id, its full name, its front-matter aliases, the name without the bank's
brand ("星河私享尊盈…" → "私享尊盈…"), and the name without a trailing qualifier in brackets
("…固收增强理财（私行专属）" → "…固收增强理财", "颐年养老年金保险(分红型)" → "颐年养老年金保险"). A derived
name that two products share names neither. The catalogue finds exact mentions with it; the
compliance engine receives the same names (as `ProductRef.aliases`); the assistant's loose
matcher scores questions against them.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

import ahocorasick

BRAND_PREFIXES = ("星河银行", "星河")
MIN_NAME_LENGTH = 3
_TRAILING_QUALIFIER = re.compile(r"\s*[（(][^（）()]{1,12}[）)]\s*$")


class NamedProduct(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def aliases(self) -> list[str] | tuple[str, ...]: ...


@dataclass(frozen=True)
class NameMention:
    product_id: str
    start: int
    end: int
    name: str


def brandless(name: str) -> str:
    for prefix in BRAND_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def without_qualifier(name: str) -> str:
    return _TRAILING_QUALIFIER.sub("", name)


def _derived(name: str, aliases: Iterable[str]) -> list[str]:
    names: list[str] = []
    for written in (name, *aliases):
        for form in (written, brandless(written)):
            names.extend((form, without_qualifier(form)))
    return names


class ProductNames:
    def __init__(self, products: Iterable[NamedProduct]):
        products = list(products)
        candidates = {p.id: [n.strip() for n in _derived(p.name, p.aliases)] for p in products}
        owners = Counter(n for names in candidates.values() for n in set(names))
        self._names: dict[str, tuple[str, ...]] = {}
        for product in products:
            kept = [product.name] + [n for n in candidates[product.id]
                                     if len(n) >= MIN_NAME_LENGTH and owners[n] == 1 and n != product.name]
            self._names[product.id] = tuple(dict.fromkeys(kept))
        self._automaton = ahocorasick.Automaton()
        for product_id, names in self._names.items():
            for name in (product_id, *names):
                self._automaton.add_word(name.casefold(), (len(name), product_id, name))
        self._empty = not self._names
        if not self._empty:
            self._automaton.make_automaton()

    def of(self, product_id: str, *, branded: bool = True) -> tuple[str, ...]:
        """The product's names, its full name first; `branded=False` leaves out those with the brand."""
        names = self._names.get(product_id, ())
        return names if branded else tuple(dict.fromkeys(brandless(n) for n in names))

    def aliases(self, product_id: str) -> tuple[str, ...]:
        """Every name but the full one."""
        return self._names.get(product_id, ())[1:]

    def all(self) -> list[str]:
        return [name for names in self._names.values() for name in names]

    def mentions(self, text: str) -> list[NameMention]:
        """Exact mentions (id or any name, case-insensitive), longest first where they overlap, in text order."""
        if self._empty or not text:
            return []
        return [NameMention(product_id, end - length + 1, end + 1, name)
                for end, (length, product_id, name) in self._automaton.iter_long(text.casefold())]

    def mentioned(self, text: str) -> list[str]:
        """Ids of the products the text names, in order of first mention."""
        return list(dict.fromkeys(m.product_id for m in self.mentions(text)))
