"""The segment a script or an outcome belongs to: the customer tier, elderly customers apart.

Coarse on purpose: the bandit learns per scenario × segment, and a report cell needs enough
customers to be shown at all.
"""
from __future__ import annotations

from typing import Any

VARIANT_LETTERS = "ABCDE"


def segment_of(brief: dict[str, Any]) -> str:
    tier = brief.get("tier") or "未分层"
    return f"{tier}·长者" if brief.get("elderly") else tier


def variant_label(variant: int | None) -> str:
    if variant is None:
        return "未标注"
    return VARIANT_LETTERS[variant] if 0 <= variant < len(VARIANT_LETTERS) else str(variant)


def parse_variant(value: int | str | None) -> int | None:
    """0–4 or A–E (case-insensitive) → 0–4; None stays None; anything else raises ValueError."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        if 0 <= value < len(VARIANT_LETTERS):
            return value
        raise ValueError(value)
    text = str(value).strip().upper()
    if text.isdigit():
        return parse_variant(int(text))
    if len(text) == 1 and text in VARIANT_LETTERS:
        return VARIANT_LETTERS.index(text)
    raise ValueError(value)
