"""Regex anchors: a literal of each set occurs in every match (so skipping a regex never loses a hit),
and a top-level alternation is anchored by its alternatives, not by what an optional group begins with."""
from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from compliance_support import engine
from rm_copilot.compliance.normalize import normalize
from rm_copilot.compliance.prefilter import anchors

DATA = Path(__file__).parent / "data" / "compliance_cases.tsv"
EVAL = Path(__file__).resolve().parents[1] / "knowledge_base" / "eval"


def _texts() -> list[str]:
    texts = [row[3] for row in csv.reader(DATA.read_text(encoding="utf-8").splitlines(), delimiter="\t")
             if len(row) > 3 and row[0] != "expected"]
    for path in sorted(EVAL.glob("compliance-dev*.tsv")):
        texts += [row[2] for row in csv.reader(path.read_text(encoding="utf-8").splitlines(), delimiter="\t")
                  if len(row) > 2 and row[0] != "label"]
    return [normalize(text).text for text in texts if text]


def test_every_match_of_every_rule_pattern_holds_one_of_its_anchors():
    texts = _texts()
    checked = 0
    for compiled in engine().matcher.regex_rules:
        for pattern in compiled.patterns:
            found = anchors(pattern.pattern)
            if found is None:
                continue
            for text in texts:
                for match in pattern.finditer(text):
                    if match.end() > match.start():
                        checked += 1
                        assert any(anchor in match.group() for anchor in found), (pattern.pattern, match.group())
    assert checked > 500


@pytest.mark.parametrize(("pattern", "expected"), [
    ("(准时|整点|[0-9一二三四五六七八九十]+点)?开抢|抢购模式", {"开抢", "抢购模式"}),
    ("(今天|明天)不买|最后[0-9]+天", {"今天不买", "明天不买", "最后"}),
])
def test_a_top_level_alternation_is_anchored_by_each_alternative(pattern, expected):
    assert anchors(pattern) == expected
    for text in ("9点开抢", "准时开抢", "抢购模式开启", "今天不买", "最后3天"):
        match = re.search(pattern, text)
        if match:
            assert any(anchor in match.group() for anchor in expected)


def test_an_alternative_without_anchors_leaves_the_whole_pattern_unanchored():
    assert anchors("保本|[^，]{2,}") is None
    assert anchors("保本|.{2}收益") == {"保本", "收益"}  # a literal every match of the alternative holds
