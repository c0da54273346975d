"""Grounding by value: every quantity a text states must be a quantity its sources state.

"起购金额1000元" does not match a source saying 10000元, "36天" does not match 365天, "20%" does not
match 3.20%: numbers are parsed whole (with 万/亿 multipliers and thousands separators) and compared
as values with their unit, never as substrings.
"""
from __future__ import annotations

from functools import lru_cache

from rm_copilot.generation.quantities import Quantity, quantities

__all__ = ["Quantity", "quantities", "ungrounded_quantities"]

SMALL_COUNTER = 10  # bare integers below this (list counters, R1–R5) are not facts worth checking


def _worth_checking(quantity: Quantity) -> bool:
    return bool(quantity.unit) or quantity.value >= SMALL_COUNTER or quantity.value != int(quantity.value)


@lru_cache(maxsize=4096)
def _source_quantities(sources: str) -> tuple[Quantity, ...]:
    return tuple(quantities(sources))


def ungrounded_quantities(text: str, sources: str) -> list[str]:
    """The quantities in text (as written) that no source states with the same value and unit."""
    known = _source_quantities(sources)
    missing = []
    for quantity in quantities(text):
        if _worth_checking(quantity) and not any(quantity.matches(source) for source in known):
            missing.append(quantity.text)
    return list(dict.fromkeys(missing))
