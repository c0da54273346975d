"""Per-category thresholds from out-of-fold scores on the development data.

The layer's job is what the rules miss, so a threshold is judged by the violations the rules let
through that it catches, against the compliant sentences the rules pass that it would flag.
Thresholds trade recall for false alarms across categories at one exchange rate λ (a false
alarm is worth λ caught violations); the smallest λ whose false alarms fit the budget wins.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

FLOOR = {"block": 0.5, "warn": 0.3}


def _best_threshold(bad: np.ndarray, good: np.ndarray, exchange: float, floor: float) -> float:
    candidates = np.unique(np.concatenate([bad[bad >= floor], [1.01]]))
    best, best_gain = 1.01, 0.0
    for threshold in candidates:
        gain = float((bad >= threshold).sum()) - exchange * float((good >= threshold).sum())
        if gain > best_gain:
            best, best_gain = float(threshold), gain
    return best


def calibrate(scores: np.ndarray, categories: Sequence[str], is_bad: np.ndarray, missed_by_rules: np.ndarray,
              passed_by_rules: np.ndarray, names: Sequence[str], *, budget: float, floor: float) -> dict[str, float]:
    """Thresholds per category such that flagged compliant sentences stay within `budget` (a share
    of the compliant sentences the rules pass)."""
    category = np.asarray(categories)
    target_bad = is_bad & missed_by_rules
    target_good = ~is_bad & passed_by_rules
    allowed = budget * max(1, int(target_good.sum()))
    chosen = {name: 1.01 for name in names}
    for exchange in (1000.0, 300.0, 100.0, 50.0, 30.0, 20.0, 10.0, 6.0, 4.0, 3.0, 2.0, 1.5, 1.0):
        trial = {}
        for name in names:
            in_category = category == name
            trial[name] = _best_threshold(scores[in_category & target_bad], scores[in_category & target_good],
                                          exchange, floor)
        alarms = sum(int(((category == n) & target_good & (scores >= t)).sum()) for n, t in trial.items())
        if alarms > allowed:
            break
        chosen = trial
    return {name: round(value, 4) for name, value in chosen.items()}
