"""Products an advisor names loosely: "稳享90天", "挂黄金的那款结构性存款", "尊盈私行理财".

Each product's names (catalog name without the brand, aliases) are matched against the question by
their longest common segments; a segment counts its length divided by the number of products whose
name or facts contain it, so "挂钩黄金" (one product) outweighs "结构性存款" (two) and "理财" or
"管理" (many) count for almost nothing. Chinese numerals before a unit are read as digits first (三年期 → 3年期).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rm_copilot.knowledge.products import Product, ProductCatalog
from rm_copilot.knowledge.tokenizer import normalize

MIN_SCORE = 2.0
RELATIVE = 0.75  # a runner-up is named too when it scores this share of the best
_DIGITS = {"一": "1", "二": "2", "两": "2", "三": "3", "四": "4", "五": "5", "六": "6", "七": "7", "八": "8",
           "九": "9", "十": "10"}
_NUMERAL_UNIT = re.compile(r"([一二两三四五六七八九十])(?=(?:个月|年|天|周|期))")
_NOISE = re.compile(r"[\s（）()【】\[\]·、，,。？?！!：:；;“”\"'-]")


def fold(text: str) -> str:
    text = _NUMERAL_UNIT.sub(lambda m: _DIGITS[m.group(1)], normalize(text))
    return _NOISE.sub("", text)


def _names(catalog: ProductCatalog, product: Product) -> list[str]:
    """The catalogue's names of the product without the brand, folded."""
    folded = (fold(name) for name in catalog.names.of(product.id, branded=False))
    return list(dict.fromkeys(key for key in folded if len(key) >= 2))


TAG_WEIGHT = 0.5  # front-matter tags ("重疾险", "货币基金") name a product less surely than its name


@dataclass(frozen=True)
class Mention:
    product: Product
    score: float


class ProductMatcher:
    def __init__(self, catalog: ProductCatalog):
        self.catalog = catalog
        self._names = {p.id: _names(catalog, p) for p in catalog.all()}
        self._tags = {p.id: [t for t in map(fold, p.tags_match) if len(t) >= 2] for p in catalog.all()}
        self._texts = [fold(" ".join([p.name, *p.aliases, *_fact_texts(p)])) for p in catalog.all()]
        # Cached per matcher (not on the class), so the cache goes with the catalog it was counted in.
        self._document_frequency = lru_cache(maxsize=20_000)(self._count_documents)
        self._pairs = lru_cache(maxsize=20_000)(_character_pairs)

    def _count_documents(self, segment: str) -> int:
        return max(1, sum(1 for text in self._texts if segment in text))

    def _score(self, question: str, names: list[str], grams: frozenset[str] | None = None) -> float:
        """`grams`: the question's character pairs; a name sharing none of them cannot score (skipped)."""
        best = 0.0
        for name in names:
            if grams is not None and grams.isdisjoint(self._pairs(name)):
                continue
            score, i = 0.0, 0
            while i < len(question) - 1:
                length = 0
                while i + length < len(question) and question[i:i + length + 1] in name:
                    length += 1
                if length >= 2 and _aligned(question[i:i + length], name):
                    segment = question[i:i + length]
                    score += length / self._document_frequency(segment)
                    i += length
                else:
                    i += 1
            best = max(best, score)
        return best

    def scores(self, text: str, *, tags: bool = True) -> list[Mention]:
        question = fold(text)
        grams = _character_pairs(question)
        ranked = [Mention(p, max(self._score(question, self._names[p.id], grams),
                                 TAG_WEIGHT * self._score(question, self._tags[p.id], grams) if tags else 0.0))
                  for p in self.catalog.all()]
        return sorted((m for m in ranked if m.score > 0), key=lambda m: -m.score)

    def find(self, text: str, *, tags: bool = True) -> list[Product]:
        """Products the text names, best first: exact catalog mentions, then loose ones.

        With `tags=False` only names count: "养老储备" is a need the tags relate to a product, not a name.
        """
        exact = self.catalog.find_mentions(text)
        ranked = self.scores(text, tags=tags)
        if not ranked or ranked[0].score < MIN_SCORE:
            return exact
        floor = max(MIN_SCORE, RELATIVE * ranked[0].score)
        loose = [m.product for m in ranked if m.score >= floor]
        ordered = exact + [p for p in loose if p not in exact]
        return sorted(ordered, key=lambda p: self._first_position(fold(text), self._names[p.id]))

    def _first_position(self, question: str, names: list[str]) -> int:
        """Where the question first names the product by a telling segment ("A和B" keeps A first)."""
        best = len(question)
        for name in names:
            for i in range(len(question) - 1):
                if question[i:i + 2] in name and self._document_frequency(question[i:i + 2]) <= 2:
                    best = min(best, i)
                    break
        return best


def _fact_texts(product: Product) -> list[str]:
    fields = (product.term, product.min_amount_text, product.benchmark, product.rate, product.fees, product.liquidity)
    return [*(f for f in fields if f), *product.selling_points, *product.target_customers, *product.tags_match]


def _character_pairs(text: str) -> frozenset[str]:
    return frozenset(text[i:i + 2] for i in range(len(text) - 1))


def _aligned(segment: str, name: str) -> bool:
    """A segment starting or ending with a digit must not cut a number ("1天" is not in "91天")."""
    start = 0
    while (at := name.find(segment, start)) >= 0:
        before = name[at - 1] if at else ""
        after = name[at + len(segment)] if at + len(segment) < len(name) else ""
        if not (segment[0].isdigit() and before.isdigit()) and not (segment[-1].isdigit() and after.isdigit()):
            return True
        start = at + 1
    return False
