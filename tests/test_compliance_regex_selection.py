"""A rule's regex runs only the patterns whose anchors the text holds: exactly the hits of its whole alternation."""
from __future__ import annotations

import csv
from pathlib import Path

from compliance_support import engine
from rm_copilot.compliance.normalize import normalize

CORPUS = Path(__file__).parent / "data" / "compliance_cases.tsv"


def _texts() -> list[str]:
    rows = csv.reader(CORPUS.read_text(encoding="utf-8").splitlines(), delimiter="\t")
    return [row[3] for row in rows if len(row) > 3 and row[3] and row[0] != "expected"]


def _hits(matcher, text: str) -> list[tuple]:
    hits, _ = matcher.scan(text)
    return sorted((h.rule.rule.id, h.start, h.end, h.pattern, h.evasion) for h in hits)


def test_running_the_anchored_patterns_finds_what_the_whole_alternation_finds(monkeypatch):
    matcher = engine().matcher
    texts = [normalize(t).text for t in _texts()]
    selected = [_hits(matcher, text) for text in texts]
    assert any(selected), "the corpus has regex hits"
    assert matcher._subsets, "some texts held the anchors of only part of a rule's patterns"

    monkeypatch.setattr(type(matcher), "_regex", lambda self, index, positions: self.regex_rules[index].regex)
    assert [_hits(matcher, text) for text in texts] == selected
