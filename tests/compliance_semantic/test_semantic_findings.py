"""A meaning-layer finding explains itself: category, legal basis, score, nearest labelled example."""
from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.slow

UNLISTED_GUARANTEE = "您这笔钱投进去，到期一分不差地回到卡里。"


def _semantic(result):
    return [f for f in result.findings if f.rule_id.startswith("semantic.")]


def test_finding_carries_category_basis_score_and_nearest_example(semantic_engine, rulebook):
    result = semantic_engine.check("王女士，" + UNLISTED_GUARANTEE)
    [finding] = _semantic(result)
    first_rule = next(rule for rule in rulebook.rules if rule.category == finding.category)
    assert finding.rule_id == f"semantic.{finding.category}"
    assert finding.basis == first_rule.basis and finding.basis
    assert finding.severity in ("block", "warn")
    assert 0.0 < finding.score <= 1.0
    assert finding.explanation["example"] and finding.explanation["example"] in finding.message
    assert -1.0 <= finding.explanation["similarity"] <= 1.0
    data = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))["findings"]
    assert {"score", "explanation"} <= set(data[0])


def test_finding_span_is_the_sentence_in_the_original_text(semantic_engine):
    text = "您好，这是本期的产品介绍。" + UNLISTED_GUARANTEE
    [finding] = _semantic(semantic_engine.check(text))
    assert text[finding.start:finding.end] == finding.matched == UNLISTED_GUARANTEE


def test_rule_findings_carry_no_meaning_layer_keys(semantic_engine):
    result = semantic_engine.check("这款理财保本保息，放心买。")
    assert result.verdict == "block"
    rule_findings = [f.to_dict() for f in result.findings if not f.rule_id.startswith("semantic.")]
    assert rule_findings and all("score" not in f and "explanation" not in f for f in rule_findings)


def test_a_rule_match_stays_the_explanation_for_its_category(semantic_engine):
    result = semantic_engine.check("这款理财保本保息，到期本金一分不少全额奉还。")
    categories = [f.category for f in _semantic(result)]
    assert "guarantee" not in categories
    assert any(f.category == "guarantee" and not f.rule_id.startswith("semantic.") for f in result.findings)


def test_meaning_finding_matched_text_masks_the_customer_name(semantic_engine):
    from rm_copilot.compliance.models import CustomerContext

    customer = CustomerContext("C1", full_name="周建国", age=50, risk_level="C3")
    result = semantic_engine.check("周建国先生，" + UNLISTED_GUARANTEE, customer=customer)
    assert [f.category for f in _semantic(result)] == ["guarantee"]
    assert "周建国" not in result.text
    assert all("周建国" not in f.matched for f in result.findings)


def test_a_masked_full_name_folds_like_an_honorific(semantic_engine):
    from rm_copilot.compliance.models import CustomerContext

    customer = CustomerContext("C1", full_name="周建国", age=50, risk_level="C3")
    named = _semantic(semantic_engine.check("周建国，" + UNLISTED_GUARANTEE, customer=customer))
    addressed = _semantic(semantic_engine.check("王女士，" + UNLISTED_GUARANTEE))
    assert named and addressed and named[0].score == addressed[0].score
