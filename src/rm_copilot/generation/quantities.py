"""Quantities in Chinese text: whole numbers with 千/万/亿 multipliers and thousands separators, and
their unit class ("money", "day", "percent", …), so "10000元" is never read as "1000元"."""
from __future__ import annotations

import re
from dataclasses import dataclass

_MARKER = re.compile(r"\[\d+\]")
_QUANTITY = re.compile(
    r"(?<![\d.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s*"
    r"(千|万|亿)?\s*(个工作日|个交易日|个自然日|个月|周岁|工作日|交易日|年期|元|%|‰|天|日|月|年|周|岁|倍|次|种|只|笔|份|小时|分钟|基点|bp|BP)?"
)
_MULTIPLIERS = {"千": 1_000, "万": 10_000, "亿": 100_000_000}
_UNIT_CLASS = {
    "个工作日": "workday", "工作日": "workday", "个交易日": "workday", "交易日": "workday",
    "个自然日": "day", "天": "day", "日": "day", "个月": "month", "月": "month", "年": "year", "年期": "year",
    "周岁": "age", "岁": "age", "元": "money", "%": "percent", "‰": "permille", "周": "week",
    "倍": "times", "次": "times_count", "种": "kinds", "只": "count", "笔": "count", "份": "count",
    "小时": "hour", "分钟": "minute", "基点": "bp", "bp": "bp", "BP": "bp",
}


@dataclass(frozen=True)
class Quantity:
    text: str
    value: float
    unit: str  # a unit class ("money", "day", "percent", …) or "" when none is written

    def matches(self, other: Quantity) -> bool:
        if abs(self.value - other.value) > 1e-9 * max(1.0, abs(self.value)):
            return False
        return self.unit == other.unit or not self.unit or not other.unit


def quantities(text: str) -> list[Quantity]:
    found = []
    for match in _QUANTITY.finditer(_MARKER.sub(" ", text)):
        whole, fraction, multiplier, unit = match.groups()
        value = float(whole.replace(",", "") + (f".{fraction}" if fraction else ""))
        value *= _MULTIPLIERS.get(multiplier or "", 1)
        unit_class = _UNIT_CLASS.get(unit or "", "")
        if multiplier and not unit_class:
            unit_class = ""  # "20万" alone: a bare amount
        found.append(Quantity(match.group(0).strip(), value, unit_class))
    return found
