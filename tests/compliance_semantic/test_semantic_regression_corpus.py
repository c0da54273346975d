"""The regression corpus still passes entirely with the meaning layer on: no new false alarms."""
from __future__ import annotations

import csv

import pytest

from rm_copilot.config import PROJECT_ROOT

pytestmark = pytest.mark.slow
CORPUS = PROJECT_ROOT / "tests" / "data" / "compliance_cases.tsv"


def _rows():
    with CORPUS.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def test_regression_corpus_verdicts_are_unchanged_by_the_meaning_layer(semantic_engine):
    rows = _rows()
    semantic_engine.prime([row["sentence"] for row in rows])
    wrong = []
    for row in rows:
        result = semantic_engine.check(row["sentence"], product_type=row["product_type"] or None)
        if result.verdict != row["expected"] or (row["expected"] == "pass" and result.text != row["sentence"]):
            wrong.append((row["sentence"], row["expected"], result.verdict, result.rule_ids))
    assert not wrong, wrong
