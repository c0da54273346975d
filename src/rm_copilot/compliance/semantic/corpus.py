"""The labelled sentences the meaning layer learns from, and the hash that ties an artifact to them.

The team's semantic corpus (`label<TAB>category<TAB>text`, label bad/good) and the regression
corpus (`expected<TAB>category<TAB>product_type<TAB>sentence<TAB>comment`): `block` lines are
violations, `pass` lines and lines whose only fix is an appended disclosure are compliant; other
`rewrite` lines (a mechanical fix, not a verdict on meaning) and PII lines are left out.
"""
from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

GOOD = "good"
NOT_SEMANTIC = frozenset({"pii", "disclosure"})


@dataclass(frozen=True)
class Example:
    text: str
    label: str  # bad | good
    category: str
    source: str

    @property
    def target(self) -> str:
        """The class the model learns: the category of a violation, or `good`."""
        return self.category if self.label == "bad" else GOOD


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def read_semantic_corpus(path: Path) -> list[Example]:
    examples = []
    for row in _rows(path):
        label, category, text = (row.get(key) or "" for key in ("label", "category", "text"))
        label, category, text = label.strip(), category.strip(), text.strip()
        if label in ("bad", "good") and text and category not in NOT_SEMANTIC:
            examples.append(Example(text, label, category or "general", path.name))
    return examples


def read_regression_corpus(path: Path) -> list[Example]:
    examples = []
    for row in _rows(path):
        expected, category, text = row["expected"], row["category"], (row["sentence"] or "").strip()
        if category == "pii" or not text:
            continue
        if expected == "block" and category != "disclosure":
            examples.append(Example(text, "bad", category, path.name))
        elif expected == "pass" or (expected == "rewrite" and category == "disclosure"):
            # A line whose only fix is an appended disclosure is compliant wording.
            examples.append(Example(text, "good", category, path.name))
    return examples


def corpus_hash(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
