"""Precision and recall of need inference against the generator's hidden needs, per need."""
from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from rm_copilot.customers.generator import generate_with_needs
from rm_copilot.customers.need_inference import NeedScorer
from rm_copilot.customers.tags import NEED_LABELS

REFERENCE_DAY = date(2026, 12, 1)  # a fixed day: the same seed gives the same figures on any day


def evaluate_needs(scorer: NeedScorer, catalog: Any, *, count: int, seed: int,
                   today: date = REFERENCE_DAY) -> dict[str, Any]:
    """`{"precision", "recall", "n", "by_need": {need: {"n", "precision", "recall"}}}` on `count` customers."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for row, truth in generate_with_needs(count, seed, catalog, ["A001"], today=today):
        inferred = {found.key for found in scorer.infer(scorer.signals_from_row(row, today))}
        held = set(truth)
        tp.update(inferred & held)
        fp.update(inferred - held)
        fn.update(held - inferred)

    def ratio(hit: int, miss: int) -> float:
        return round(hit / (hit + miss), 4) if hit + miss else 0.0

    by_need = {need: {"n": tp[need] + fn[need], "precision": ratio(tp[need], fp[need]),
                      "recall": ratio(tp[need], fn[need])} for need in NEED_LABELS}
    hits = sum(tp.values())
    return {"seed": seed, "customers": count, "precision": ratio(hits, sum(fp.values())),
            "recall": ratio(hits, sum(fn.values())), "by_need": by_need,
            "model_version": scorer.model.version}
