"""Required disclosures per product type (and channel), driven by disclosures.yaml."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rm_copilot.compliance.normalize import normalize_pattern, normalize_term
from rm_copilot.compliance.rulebook import Disclosure


class _DropPunctuation(dict):
    """`str.translate` table deleting punctuation, separators and symbols (filled lazily)."""

    def __missing__(self, code: int) -> str | None:
        value = None if unicodedata.category(chr(code))[0] in "PZS" else chr(code)
        self[code] = value
        return value


_DROP = _DropPunctuation()


def compact(text: str) -> str:
    """Drop punctuation and spaces so "理财非存款，产品有风险" meets "理财非存款、产品有风险"."""
    return text.translate(_DROP)


@dataclass(frozen=True)
class _Form:
    groups: tuple[tuple[str, ...], ...]
    append: str


@dataclass(frozen=True)
class _CompiledDisclosure:
    disclosure: Disclosure
    when: re.Pattern | None
    default: _Form
    sms: _Form

    def form(self, channel: str | None) -> _Form:
        return self.sms if channel == "sms" else self.default


def _form(groups: list[list[str]], append: str) -> _Form:
    return _Form(tuple(tuple(compact(normalize_term(p)) for p in group) for group in groups), append)


class DisclosureChecker:
    def __init__(self, disclosures: list[Disclosure]):
        self.by_type: dict[str, list[_CompiledDisclosure]] = {}
        for disclosure in disclosures:
            compiled = _CompiledDisclosure(
                disclosure=disclosure,
                when=re.compile(normalize_pattern(disclosure.when)) if disclosure.when else None,
                default=_form(*disclosure.form_for(None)),
                sms=_form(*disclosure.form_for("sms")),
            )
            for product_type in disclosure.product_types:
                self.by_type.setdefault(product_type, []).append(compiled)

    def missing(self, normalized_text: str, *, product_type: str, channel: str | None
                ) -> list[tuple[Disclosure, str]]:
        """(disclosure, wording to append) for each required disclosure the text lacks."""
        result = []
        compacted = compact(normalized_text)
        for compiled in self.by_type.get(product_type, ()):
            if compiled.when is not None and not compiled.when.search(normalized_text):
                continue
            form = compiled.form(channel)
            if not all(any(phrase in compacted for phrase in group) for group in form.groups):
                result.append((compiled.disclosure, form.append))
        return result
