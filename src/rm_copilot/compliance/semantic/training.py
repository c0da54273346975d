"""Training the meaning model (offline, scikit-learn): fit, cross-validate, calibrate, export.

Used by scripts/train_compliance_model.py. Out-of-fold scores (5 folds, grouped so an augmented
variant never sits in another fold than its original) give both the development figures and the
per-category thresholds; the shipped model is then fitted on everything.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from rm_copilot.compliance.semantic.calibration import FLOOR, calibrate
from rm_copilot.compliance.semantic.model import FORMAT
from rm_copilot.compliance.semantic.text import char_ngrams

ARTIFACT = Path("knowledge_base/compliance/semantic/model.npz")  # relative to the project root
CORPUS_FILES = (Path("knowledge_base/compliance/semantic/corpus.tsv"),)  # the artifact's corpus hash
REGRESSION_CORPUS = Path("tests/data/compliance_cases.tsv")  # also trained on; its own test guards it
SETTLE_RECALL_LOSS = 0.015  # share of violations stage 1 may settle as compliant on dev data (stream latency)
SETTLE_ABOVE_FLOOR = 0.9  # stage 1 never settles a violation below this score
SETTLE_FALSE_ALARMS = 0.001  # share of compliant sentences stage 1 may settle as violations on dev data
SETTLE_SYSTEM_LOSS = 0.0  # share of violations stage 1 may settle that rules miss and stage 2 would flag
SETTLE_BELOW_CAP = 0.5
BLOCK_BUDGET = 0.004  # false alarms allowed at block, share of compliant sentences
WARN_BUDGET = 0.03
_LATIN_WORD = re.compile(r"[a-z]+")
# A character is a cue when 30 % of the sentences holding it are violations (the knowledge base's own
# prose, thousands of compliant sentences, dilutes every share); a cue pair must reach 50 %.
CUE_CHAR_SHARE = 0.3


@dataclass
class TrainingSet:
    folded: list[str]  # model inputs, originals and augmented variants
    vectors: np.ndarray  # (n, dim) embeddings of `folded`
    is_bad: np.ndarray
    categories: list[str]  # category of each line (violations: the violated one)
    groups: np.ndarray  # index of the original each line comes from
    original: np.ndarray  # True for corpus lines, False for augmented variants
    texts: list[str]  # the corpus text of each line's original
    missed_by_rules: np.ndarray  # per line, the rules engine let it pass
    passed_by_rules: np.ndarray
    weights: np.ndarray  # per line: the regression corpus's curated labels count more


@dataclass
class Fitted:
    vectorizer: TfidfVectorizer
    stage1: LogisticRegression
    category1: LogisticRegression
    stage2: LogisticRegression
    category: LogisticRegression
    category_names: list[str]


def fit(data: TrainingSet, rows: np.ndarray, c1: float = 10.0, c2: float = 10.0) -> Fitted:
    vectorizer = TfidfVectorizer(analyzer=char_ngrams, sublinear_tf=True, min_df=2, dtype=np.float32)
    chars = vectorizer.fit_transform([data.folded[i] for i in rows])
    y = data.is_bad[rows]
    weights = _balanced(y) * data.weights[rows]
    stage1 = LogisticRegression(C=c1, max_iter=3000).fit(chars, y, sample_weight=weights)
    bad = np.flatnonzero(y)
    labels = np.asarray(data.categories)[rows][bad]
    category1 = LogisticRegression(C=c1, max_iter=3000).fit(chars[bad], labels)
    both = hstack([chars, csr_matrix(data.vectors[rows])]).tocsr()
    stage2 = LogisticRegression(C=c2, max_iter=3000).fit(both, y, sample_weight=weights)
    category = LogisticRegression(C=c2, max_iter=3000).fit(both[bad], labels)
    return Fitted(vectorizer, stage1, category1, stage2, category, list(category.classes_))


def _balanced(y: np.ndarray) -> np.ndarray:
    """scikit-learn's class_weight="balanced", as sample weights so they combine with per-line ones."""
    positives = max(1, int(y.sum()))
    negatives = max(1, len(y) - positives)
    return np.where(y, len(y) / (2 * positives), len(y) / (2 * negatives))


def predict(model: Fitted, data: TrainingSet, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[str]]:
    chars = model.vectorizer.transform([data.folded[i] for i in rows])
    both = hstack([chars, csr_matrix(data.vectors[rows])]).tocsr()
    p1 = model.stage1.predict_proba(chars)[:, 1]
    p2 = model.stage2.predict_proba(both)[:, 1]
    categories = np.where(p1 >= SETTLE_ABOVE_FLOOR, model.category1.predict(chars), model.category.predict(both))
    return p1, p2, list(categories)


def out_of_fold(data: TrainingSet, folds: int = 5, log: Callable[[str], None] = print) -> dict[str, np.ndarray]:
    n = len(data.folded)
    p1, p2, category = np.zeros(n), np.zeros(n), np.empty(n, dtype=object)
    for number, (train, test) in enumerate(GroupKFold(n_splits=folds).split(np.zeros(n), groups=data.groups), 1):
        model = fit(data, train)
        p1[test], p2[test], category[test] = predict(model, data, test)
        log(f"fold {number}/{folds} done")
    return {"stage1": p1, "stage2": p2, "category": category}


def thresholds(data: TrainingSet, oof: dict[str, np.ndarray], names: Sequence[str]) -> dict:
    original = data.original
    bad1 = oof["stage1"][original & data.is_bad]
    settle_below = float(min(0.5, np.quantile(bad1, SETTLE_RECALL_LOSS))) if len(bad1) else 0.05
    good1 = np.sort(oof["stage1"][original & ~data.is_bad & data.passed_by_rules])
    allowed = int(SETTLE_FALSE_ALARMS * len(good1))
    settle_above = max(SETTLE_ABOVE_FLOOR, float(good1[-1 - allowed]) + 1e-4 if len(good1) else 1.0)
    first = _bands(data, oof, names, settle_below, settle_above)
    # Settle more: a violation stage 1 settles is only lost if the rules let it through and stage 2
    # would have flagged it; raise the bar while such losses stay within budget.
    settle_below = _settle_below(data, oof, first["warn"], settle_below)
    return {"settle_below": round(settle_below, 4), "settle_above": round(min(settle_above, 1.0), 4),
            **_bands(data, oof, names, settle_below, settle_above)}


def _bands(data: TrainingSet, oof: dict[str, np.ndarray], names: Sequence[str], settle_below: float,
           settle_above: float) -> dict:
    """Block and warn thresholds per category, calibrated on the band stage 2 will actually see."""
    original = data.original
    stage1_bad = oof["stage1"] >= settle_above
    seen = (oof["stage1"] >= settle_below) & ~stage1_bad
    scores = np.where(stage1_bad, 1.0, np.where(seen, oof["stage2"], 0.0))[original]
    args = (list(oof["category"][original]), data.is_bad[original], data.missed_by_rules[original],
            data.passed_by_rules[original], names)
    block = calibrate(scores, *args, budget=BLOCK_BUDGET, floor=FLOOR["block"])
    warn = calibrate(scores, *args, budget=WARN_BUDGET, floor=FLOOR["warn"])
    block = {name: value if value <= 1.0 else 1.0 for name, value in block.items()}  # settled ones still block
    warn = {name: min(warn[name], block[name]) for name in names}
    return {"block": block, "warn": warn}


def _settle_below(data: TrainingSet, oof: dict[str, np.ndarray], warn: dict[str, float], start: float) -> float:
    original = data.original
    warn_at = np.array([warn.get(c, 1.01) for c in oof["category"]])
    lost_if_settled = original & data.is_bad & data.missed_by_rules & (oof["stage2"] >= warn_at)
    budget = SETTLE_SYSTEM_LOSS * max(1, int((original & data.is_bad).sum()))
    chosen = start
    for bar in np.unique(oof["stage1"][original & (oof["stage1"] > start) & (oof["stage1"] <= SETTLE_BELOW_CAP)]):
        if int((lost_if_settled & (oof["stage1"] < bar)).sum()) > budget:
            break
        chosen = float(bar)
    return chosen


def cue_chars(data: TrainingSet, min_bad: int = 2, min_share: float = CUE_CHAR_SHARE) -> str:
    """Characters over-represented in violations; a sentence with none of them (and no cue word) skips
    the models. Latin letters are not cues: Latin text is judged by its words (`cue_words`)."""
    counts = _over_represented(data, lambda text: {char for char in text if _pairable(char)}, min_bad, min_share)
    return "".join(sorted(counts))


def cue_pairs(data: TrainingSet, min_bad: int = 2, min_share: float = 0.5) -> list[str]:
    """Adjacent character pairs over-represented in violations: a sentence whose cue characters form
    none of them (a reply such as "嗯嗯，明白") skips the models, as one without cue characters does."""
    pairs = _over_represented(data, lambda text: {text[i:i + 2] for i in range(len(text) - 1)
                                                  if _pairable(text[i]) and _pairable(text[i + 1])}, min_bad, min_share)
    return sorted(pairs)


def _pairable(char: str) -> bool:
    return not char.isspace() and not (char.isascii() and char.isalpha())


def cue_words(data: TrainingSet, min_bad: int = 2, min_share: float = 0.5) -> list[str]:
    """Latin words ("guaranteed", "bbbx", "fengxian") over-represented in violations."""
    return sorted(_over_represented(data, lambda text: set(_LATIN_WORD.findall(text)), min_bad, min_share))


def _over_represented(data: TrainingSet, units: Callable[[str], set[str]], min_bad: int, min_share: float) -> set[str]:
    in_bad: Counter[str] = Counter()
    in_all: Counter[str] = Counter()
    for text, bad in zip(data.folded, data.is_bad, strict=True):
        found = units(text)
        in_all.update(found)
        if bad:
            in_bad.update(found)
    return {unit for unit, k in in_bad.items() if k >= min_bad and k / in_all[unit] >= min_share}


def export(model: Fitted, data: TrainingSet, path: Path, *, corpus_sha256: str, limits: dict, cues: str,
           report: dict, words: Sequence[str] = (), pairs: Sequence[str] = ()) -> None:
    vocabulary = model.vectorizer.get_feature_names_out()
    k = len(vocabulary)
    stage2_char = np.column_stack([model.stage2.coef_[0][:k], model.category.coef_[:, :k].T])
    stage2_embedding = np.column_stack([model.stage2.coef_[0][k:], model.category.coef_[:, k:].T])
    examples = np.flatnonzero(data.original & data.is_bad)
    example_chars = model.vectorizer.transform([data.folded[i] for i in examples]).tocsr()
    meta = {
        "format": FORMAT, "corpus_sha256": corpus_sha256, "categories": model.category_names,
        "stage1_bias": float(model.stage1.intercept_[0]),
        "stage1_category_bias": [float(b) for b in model.category1.intercept_],
        "stage2_bias": [float(model.stage2.intercept_[0]), *map(float, model.category.intercept_)],
        "cue_chars": cues, "cue_words": list(words), "cue_pairs": list(pairs), "min_chars": 4, **limits, "report": report,
    }
    np.savez_compressed(
        path,
        meta=np.array(json.dumps(meta, ensure_ascii=False)),
        vocabulary=np.asarray(vocabulary, dtype=str),
        idf=model.vectorizer.idf_.astype(np.float32),
        stage1_char=model.stage1.coef_[0].astype(np.float16),
        stage1_category=model.category1.coef_.T.astype(np.float16),
        example_chars_data=example_chars.data.astype(np.float16),
        example_chars_indices=example_chars.indices.astype(np.int32),
        example_chars_indptr=example_chars.indptr.astype(np.int32),
        stage2_char=stage2_char.astype(np.float16),
        stage2_embedding=stage2_embedding.astype(np.float32),
        example_vectors=data.vectors[examples].astype(np.float16),
        example_categories=np.asarray([data.categories[i] for i in examples], dtype=str),
        example_texts=np.asarray([data.texts[i] for i in examples], dtype=str),
    )


def update_cues(path: Path, *, cues: str, words: Sequence[str], pairs: Sequence[str]) -> None:
    """Rewrite an artifact's cue lists (which sentences reach the models) and leave the models alone:
    cues are counted on the training data, not learnt, so they can follow it without a retrain."""
    with np.load(path, allow_pickle=False) as stored:
        arrays = {key: stored[key] for key in stored.files}
    meta = json.loads(str(arrays.pop("meta")))
    meta.update(cue_chars=cues, cue_words=list(words), cue_pairs=list(pairs))
    np.savez_compressed(path, meta=np.array(json.dumps(meta, ensure_ascii=False)), **arrays)
