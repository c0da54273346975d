"""Calibration of the meaning model's thresholds on out-of-fold scores (synthetic scores, no model)."""
from __future__ import annotations

import numpy as np

from rm_copilot.compliance.semantic import training


def _data(n: int = 600, seed: int = 3):
    rng = np.random.default_rng(seed)
    is_bad = rng.random(n) < 0.5
    stage1 = np.clip(np.where(is_bad, rng.normal(0.7, 0.2, n), rng.normal(0.25, 0.15, n)), 0, 1)
    stage2 = np.clip(np.where(is_bad, rng.normal(0.8, 0.15, n), rng.normal(0.2, 0.15, n)), 0, 1)
    categories = np.where(rng.random(n) < 0.5, "guarantee", "loan").astype(object)
    missed = rng.random(n) < 0.6
    data = training.TrainingSet(
        folded=[""] * n, vectors=np.zeros((n, 2)), is_bad=is_bad, categories=list(categories),
        groups=np.arange(n), original=np.ones(n, bool), texts=[""] * n,
        missed_by_rules=missed | ~is_bad, passed_by_rules=missed | ~is_bad, weights=np.ones(n))
    return data, {"stage1": stage1, "stage2": stage2, "category": categories}


def test_stage_one_settles_more_only_while_the_violations_it_loses_stay_within_budget():
    data, oof = _data()
    limits = training.thresholds(data, oof, ["guarantee", "loan"])
    start = float(np.quantile(oof["stage1"][data.is_bad], training.SETTLE_RECALL_LOSS))
    assert round(start, 4) <= limits["settle_below"] <= training.SETTLE_BELOW_CAP
    warn_at = np.array([limits["warn"][c] for c in oof["category"]])
    newly = (oof["stage1"] >= start) & (oof["stage1"] < limits["settle_below"])
    lost = data.is_bad & data.missed_by_rules & newly & (oof["stage2"] >= warn_at)
    assert lost.sum() <= training.SETTLE_SYSTEM_LOSS * data.is_bad.sum() + 2  # warn bands are re-derived
    assert all(limits["warn"][c] <= limits["block"][c] for c in ("guarantee", "loan"))


def test_cue_characters_are_never_latin_letters_and_latin_cues_are_words():
    data, _ = _data(8)
    data.folded = ["这款稳赚bbbx", "保本zero risk", "稳赚不赔bbbx", "零风险zero risk", "您好", "needs: x", "好的", "收到"]
    data.is_bad = np.array([True, True, True, True, False, False, False, False])
    assert not any(c.isascii() and c.isalpha() for c in training.cue_chars(data))
    assert {"bbbx", "zero", "risk"} <= set(training.cue_words(data)) and "needs" not in training.cue_words(data)


def test_cue_pairs_are_pairs_violations_share_not_every_pair_of_a_cue_character():
    data, _ = _data(6)
    data.folded = ["稳赚不赔", "稳赚的", "保本保息", "稳妥处理", "明白了", "好的明白"]
    data.is_bad = np.array([True, True, True, False, False, False])
    pairs = training.cue_pairs(data)
    assert "稳赚" in pairs and "明白" not in pairs and "稳妥" not in pairs
