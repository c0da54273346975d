"""Claims a red-team pass over the rules' excuses found passing, kept until a mechanism catches them.

Each line of tests/data/compliance_known_gaps.tsv makes a real claim to the customer, yet an excuse
(a negation cue that negates something else, a question that presupposes the claim, a definition or
quotation the advisor endorses, …) clears it in the rules; the meaning layer warns on most of them.
The test is a strict expected failure: when a change catches a line, it fails, and the line moves
to the regression corpus as a must-catch.
"""
from __future__ import annotations

import csv

import pytest

from compliance_support import engine
from rm_copilot.config import PROJECT_ROOT

GAPS = PROJECT_ROOT / "tests" / "data" / "compliance_known_gaps.tsv"


def _gaps() -> list[tuple[str, str, str]]:
    with GAPS.open(encoding="utf-8", newline="") as handle:
        return [(row["category"], row["sentence"], row["mechanism"])
                for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)]


@pytest.mark.parametrize(("category", "sentence", "mechanism"), _gaps())
@pytest.mark.xfail(strict=True, reason="a known gap in the rules' excuses")
def test_known_gap_is_caught(category, sentence, mechanism):
    assert engine().check(sentence).verdict != "pass"
