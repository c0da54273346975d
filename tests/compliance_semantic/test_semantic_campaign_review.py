"""A campaign row whose final check carries a warning is marked for review, never silently sendable."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from rm_copilot.campaigns.rows import REVIEW, _final_check
from rm_copilot.compliance.models import CheckResult, Finding

SPEC = {"product_id": "WM001", "channel": "wecom", "variants": 1}
TEXT = "王女士，这款产品到期后按实际净值兑付。"


class FixedEngine:
    def __init__(self, result: CheckResult):
        self.result = result

    def check(self, text, **_):
        return self.result


def _row(findings, verdict="pass"):
    services = SimpleNamespace(compliance=FixedEngine(CheckResult(verdict, TEXT, findings, "v")))
    bundle = SimpleNamespace(view=SimpleNamespace(id="C0001"), context=None)
    script = {"text": TEXT, "compliance": {"verdict": "pass", "findings": []}}
    return _final_check(services, bundle, SPEC, 0, script, "wealth")


def _warn(rule_id="semantic.guarantee"):
    return Finding(rule_id, "guarantee", "warn", 4, 20, TEXT[4:20], "语义检测：请人工复核。", "改写", "basis",
                   "semantic.stage2", score=0.7, explanation={"example": "例句", "similarity": 0.9})


@pytest.mark.parametrize("rule_id", ["semantic.guarantee", "pressure.urgency"])
def test_row_with_a_warning_is_marked_for_review_with_its_findings(rule_id):
    row = _row([_warn(rule_id)])
    assert row["verdict"] == REVIEW
    assert row["text"] == TEXT and row["skipped_reason"] is None
    assert row["findings"][0]["rule_id"] == rule_id


def test_row_without_findings_keeps_the_gate_verdict():
    row = _row([])
    assert row["verdict"] == "pass" and row["findings"] == []


def test_blocked_text_is_never_written_as_text():
    block = Finding("semantic.guarantee", "guarantee", "block", 4, 20, TEXT[4:20], "m", "s", "b")
    row = _row([block], verdict="block")
    assert row["verdict"] == "block" and row["text"] is None
