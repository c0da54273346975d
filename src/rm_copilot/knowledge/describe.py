"""Products described rather than named: "一年期大额存单", "七天持有期的理财", "三个月左右的理财".

A question that gives a product's kind and its term (in digits or Chinese numerals) points at
the products of that kind whose term matches, even when no name is typed. Kinds are read from
the question's words (理财, 基金, 大额存单, 定期, …) and compared with each product's type and
name; terms are compared as durations in days, so 1年 = 一年期 = 365天 = 12个月.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from rm_copilot.knowledge.chunker import Chunk
from rm_copilot.knowledge.tokenizer import normalize

_NUMERAL = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNIT_DAYS = {"天": 1, "日": 1, "周": 7, "星期": 7, "个月": 30, "月": 30, "年": 365}
_DURATION = re.compile(r"(\d+|[零一二两三四五六七八九十]+|半)\s*(天|日|周|星期|个月|月|年)")
_TOLERANCE = 0.1

# Question words → product types, and words that name a sub-kind inside a type (kept when the
# question says them, compared with product names).
_TYPE_WORDS = {
    "wealth": ("理财",),
    "fund": ("基金",),
    "deposit": ("存款", "存单", "定期", "定存", "整存整取", "零存整取", "通知存款"),
    "insurance": ("保险", "险"),
    "loan": ("贷款", "贷"),
    "card": ("信用卡",),
}
_SUBKINDS = (
    "大额存单", "整存整取", "零存整取", "通知存款", "结构性存款", "持有期", "封闭", "现金管理",
    "养老", "货币", "债券", "指数", "混合", "股票", "固收", "权益", "医疗", "重大疾病", "年金",
    "终身寿", "意外", "教育金", "经营", "住房", "装修",
)


def chinese_number(text: str) -> int | None:
    """'3' → 3, '三' → 3, '十二' → 12, '二十' → 20; None for anything else."""
    if text.isdigit():
        return int(text)
    if text == "十":
        return 10
    if "十" in text:
        tens, _, ones = text.partition("十")
        value = (_NUMERAL.get(tens, 0) if tens else 1) * 10
        return value + (_NUMERAL.get(ones, 0) if ones else 0) if (not tens or tens in _NUMERAL) and (not ones or ones in _NUMERAL) else None
    if len(text) == 1 and text in _NUMERAL:
        return _NUMERAL[text]
    return None


def durations(text: str) -> set[int]:
    """Every duration the text mentions, in days (半年 → 182, 一年期 → 365)."""
    found: set[int] = set()
    for number, unit in _DURATION.findall(normalize(text)):
        value: float | None = 0.5 if number == "半" else chinese_number(number)
        if value is None:
            continue
        found.add(round(value * _UNIT_DAYS[unit]))
    return found


def _same_duration(a: int, b: int) -> bool:
    return abs(a - b) <= _TOLERANCE * max(a, b)


@dataclass(frozen=True)
class _ProductProfile:
    product_id: str
    product_type: str
    name: str
    terms: frozenset[int]


class ProductDescriptions:
    """Built from the product chunks (name in the title, 期限 in the facts chunk)."""

    def __init__(self, chunks: list[Chunk]):
        profiles: dict[str, _ProductProfile] = {}
        for chunk in chunks:
            pid = chunk.product_id
            if not pid:
                continue
            term_line = next((line for line in chunk.text.splitlines() if line.startswith("期限：")), "")
            previous = profiles.get(pid)
            terms = durations(chunk.title) | durations(term_line) | (previous.terms if previous else frozenset())
            profiles[pid] = _ProductProfile(pid, str(chunk.metadata.get("product_type", "")), normalize(chunk.title), frozenset(terms))
        self._profiles = list(profiles.values())

    def match(self, query: str) -> list[str]:
        """Product ids whose kind and term the question describes, best first ([] when it gives no term).

        Several kinds in one question ("定期到期了想转成三个月的理财"): the kind word nearest the
        term is the one the term describes.
        """
        text = normalize(query)
        wanted_terms = durations(text)
        if not wanted_terms:
            return []
        spans = [m.span() for m in _DURATION.finditer(text)]
        distance: dict[str, int] = {}
        for product_type, words in _TYPE_WORDS.items():
            for word in words:
                for found in re.finditer(re.escape(word), text):
                    gap = min(max(found.start() - end, start - found.end(), 0) for start, end in spans)
                    distance[product_type] = min(distance.get(product_type, gap), gap)
        if not distance:
            return []
        subkinds = [w for w in _SUBKINDS if w in text]
        scored = []
        for profile in self._profiles:
            if profile.product_type not in distance:
                continue
            if not any(_same_duration(w, t) for w in wanted_terms for t in profile.terms):
                continue
            kind_hits = sum(1 for w in subkinds if w in profile.name)
            if subkinds and not kind_hits:
                continue
            scored.append((-kind_hits, distance[profile.product_type], len(profile.terms), profile.product_id))
        return [pid for *_, pid in sorted(scored)]
