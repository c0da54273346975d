"""The trained meaning model, loaded from one npz artifact: no scikit-learn, no model load.

Stage 1 scores a sentence from character n-grams alone (TF-IDF, sublinear tf, L2 — the same
features scikit-learn computed at training time) with a linear model: microseconds. It settles
clear cases both ways; a violation it settles gets its category from a linear model over the same
features and, as explanation, the labelled violation sharing the most n-gram weight. Stage 2 adds
the sentence embedding to those features for a second linear model (violation or not) and a
per-category one, and finds the nearest labelled violation of that category as the explanation.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FORMAT = 2
_LATIN_WORD = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class Features:
    indices: list[int]  # positions in the vocabulary
    values: list[float]  # L2-normalised TF-IDF weights


@dataclass(frozen=True)
class Assessment:
    """What the meaning layer concluded about one folded sentence."""

    stage: int  # 0 no risk cue, 1 settled by n-grams, 2 scored with the embedding
    score: float  # probability of a violation
    category: str | None = None
    example: str | None = None
    similarity: float | None = None


@dataclass(frozen=True)
class Thresholds:
    settle_below: float  # stage-1 score under which a sentence is settled compliant
    settle_above: float  # stage-1 score from which it is settled a violation
    block: dict[str, float]
    warn: dict[str, float]


def _sigmoid(value: float) -> float:
    return 1.0 / (1.0 + math.exp(-value)) if value >= 0 else math.exp(value) / (1.0 + math.exp(value))


class SemanticModel:
    def __init__(self, arrays: dict[str, np.ndarray], meta: dict):
        self.meta = meta
        self.corpus_sha256: str = meta["corpus_sha256"]
        self.categories: list[str] = meta["categories"]
        self.thresholds = Thresholds(meta["settle_below"], meta["settle_above"], meta["block"], meta["warn"])
        self.cue_chars = frozenset(meta["cue_chars"])
        # Latin text is judged by whole words (a letter says nothing); older artifacts had letters as cues.
        self.cue_words = frozenset(meta["cue_words"]) if "cue_words" in meta else None
        # A cue character alone ("明" of 明白) says little; artifacts with cue pairs require one of them.
        self.cue_pairs = frozenset(meta["cue_pairs"]) if meta.get("cue_pairs") else None
        self.min_chars: int = meta.get("min_chars", 4)
        vocabulary = arrays["vocabulary"].tolist()
        self._vocabulary = {gram: index for index, gram in enumerate(vocabulary)}
        self._idf = arrays["idf"].astype(np.float32)
        self._idf_list = self._idf.tolist()
        self._stage1_list = arrays["stage1_char"].astype(np.float32).tolist()
        self._stage1_bias = float(meta["stage1_bias"])
        self._category1 = arrays["stage1_category"].astype(np.float32)  # (V, K)
        self._category1_bias = np.asarray(meta["stage1_category_bias"], dtype=np.float32)
        self._example_chars_data = arrays["example_chars_data"].astype(np.float32)
        self._example_chars_indices = arrays["example_chars_indices"]
        pointers = arrays["example_chars_indptr"]
        self._example_chars_starts = np.append(pointers[:-1], len(self._example_chars_data))
        self._example_chars_empty = pointers[:-1] == pointers[1:]
        self._char = arrays["stage2_char"].astype(np.float32)  # (V, 1 + K): violation, categories
        self._embedding = arrays["stage2_embedding"].astype(np.float32)  # (dim, 1 + K)
        self._bias = np.asarray(meta["stage2_bias"], dtype=np.float32)
        self._example_vectors = arrays["example_vectors"]  # float16 (N, dim), violations only
        self._example_categories = arrays["example_categories"]
        self._example_texts = arrays["example_texts"]

    @classmethod
    def load(cls, path: Path | str) -> SemanticModel:
        with np.load(Path(path), allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
        meta = json.loads(str(arrays.pop("meta")))
        if meta.get("format") != FORMAT:
            raise ValueError(f"unsupported semantic artifact format {meta.get('format')!r}")
        return cls(arrays, meta)

    def has_cue(self, folded: str) -> bool:
        if len(folded) < self.min_chars:
            return False
        if not self.cue_chars.isdisjoint(folded) and (self.cue_pairs is None or self._has_cue_pair(folded)):
            return True
        return self.cue_words is not None and any(word in self.cue_words for word in _LATIN_WORD.findall(folded))

    def _has_cue_pair(self, folded: str) -> bool:
        pairs = self.cue_pairs
        assert pairs is not None
        return any(folded[i:i + 2] in pairs for i in range(len(folded) - 1))

    def features(self, folded: str) -> Features:
        """TF-IDF over the vocabulary's n-grams, in plain Python: cheaper than numpy for ~100 grams."""
        vocabulary = self._vocabulary
        counts: dict[int, int] = {}
        padded = f"<{folded}>"
        for size in (1, 2, 3):
            for i in range(len(padded) - size + 1):
                index = vocabulary.get(padded[i:i + size])
                if index is not None:
                    counts[index] = counts.get(index, 0) + 1
        if not counts:
            return Features([], [])
        idf, log = self._idf_list, math.log
        values = [(1.0 + log(count)) * idf[index] if count > 1 else idf[index] for index, count in counts.items()]
        norm = math.sqrt(sum(value * value for value in values))
        return Features(list(counts), [value / norm for value in values])

    def stage1(self, features: Features) -> float:
        weights = self._stage1_list
        logit = sum(weights[i] * v for i, v in zip(features.indices, features.values, strict=True)) + self._stage1_bias
        return _sigmoid(logit)

    def stage1_category(self, features: Features) -> tuple[str, str, float]:
        """For a sentence stage 1 settles as a violation: its category and the labelled violation of that
        category sharing the most weighted n-grams with it."""
        indices, values = np.asarray(features.indices, np.int32), np.asarray(features.values, np.float32)
        logits = values @ self._category1[indices] + self._category1_bias
        category = self.categories[int(np.argmax(logits))]
        query = np.zeros(len(self._idf), np.float32)
        query[indices] = values
        products = self._example_chars_data * query[self._example_chars_indices]
        similarities = np.add.reduceat(np.append(products, 0.0), self._example_chars_starts)[:-1]
        similarities[self._example_chars_empty] = 0.0
        similarities = np.where(self._example_categories == category, similarities, -1.0)
        best = int(np.argmax(similarities))
        return category, str(self._example_texts[best]), round(float(similarities[best]), 3)

    def stage2(self, features: Features, embedding: np.ndarray) -> tuple[float, str]:
        indices, values = np.asarray(features.indices, np.int32), np.asarray(features.values, np.float32)
        logits = values @ self._char[indices] + embedding @ self._embedding + self._bias
        category = self.categories[int(np.argmax(logits[1:]))]
        return _sigmoid(float(logits[0])), category

    def nearest(self, embedding: np.ndarray, category: str) -> tuple[str, float]:
        """The most similar labelled violation of `category` (any category if it has none)."""
        similarities = self._example_vectors @ embedding.astype(np.float16)
        mask = self._example_categories == category
        if mask.any():
            similarities = np.where(mask, similarities, -2.0)
        best = int(np.argmax(similarities))
        return str(self._example_texts[best]), round(float(similarities[best]), 3)
