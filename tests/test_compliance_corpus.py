"""The labelled corpus: every violation flagged with its category, no false alarm on the rest."""
from __future__ import annotations

import csv

import pytest

from compliance_support import assert_offsets_point_into_original, engine
from rm_copilot.config import PROJECT_ROOT

CORPUS = PROJECT_ROOT / "tests" / "data" / "compliance_cases.tsv"
REQUIRED_CATEGORIES = {
    "guarantee", "absolute", "deposit_confusion", "expected_return", "performance", "pressure",
    "inducing", "gift", "misleading", "insurance", "loan", "suitability", "disclosure", "pii",
}


def _rows() -> list[dict]:
    with CORPUS.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


ROWS = _rows()
VIOLATIONS = [row for row in ROWS if row["expected"] != "pass"]
COMPLIANT = [row for row in ROWS if row["expected"] == "pass"]


def test_corpus_is_large_and_balanced():
    assert len(ROWS) >= 320
    assert len(COMPLIANT) >= len(VIOLATIONS)
    assert len({row["sentence"] for row in ROWS}) == len(ROWS), "duplicate sentences"


def test_corpus_has_violations_and_lookalikes_in_every_category():
    assert {row["category"] for row in VIOLATIONS} >= REQUIRED_CATEGORIES
    assert {row["category"] for row in COMPLIANT} >= REQUIRED_CATEGORIES


@pytest.mark.parametrize("row", VIOLATIONS, ids=lambda row: row["sentence"])
def test_violation_is_flagged_with_its_category(row):
    result = engine().check(row["sentence"], product_type=row["product_type"] or None)
    assert result.verdict == row["expected"], result.findings
    assert row["category"] in {f.category for f in result.findings if f.severity != "warn"}
    assert_offsets_point_into_original(row["sentence"], result)


@pytest.mark.parametrize("row", COMPLIANT, ids=lambda row: row["sentence"])
def test_compliant_sentence_passes_untouched(row):
    result = engine().check(row["sentence"], product_type=row["product_type"] or None)
    assert result.verdict == "pass", result.findings
    assert result.text == row["sentence"]
