"""Suitability: products above the customer's level, elderly customers and R4/R5, unknown levels."""
from __future__ import annotations

import pytest

from compliance_support import engine
from rm_copilot.compliance.models import CustomerContext


def customer(risk_level: str | None, age: int = 40) -> CustomerContext:
    return CustomerContext("C00042", full_name="王建国", age=age, risk_level=risk_level)


@pytest.mark.parametrize(
    "text, context, verdict, rule_ids",
    [
        # C3 customer, R4 fund by full name → block
        ("推荐您关注星河科技成长混合基金", customer("C3"), "block", ["suitability.above_risk_level"]),
        # by alias and by product id
        ("科技成长这只基金不错", customer("C2"), "block", ["suitability.above_risk_level"]),
        ("可以看看FD010", customer("C4"), "block", ["suitability.above_risk_level"]),
        # equal or lower level → pass
        ("推荐您关注星河沪深300指数基金", customer("C3"), "pass", []),
        ("星河稳享90天持有期理财适合您", customer("C2"), "pass", []),
        # 65+ and R4 even when the level would allow it
        ("推荐您关注星河科技成长混合基金", customer("C5", age=68), "block", ["suitability.elderly_high_risk"]),
        ("推荐您关注星河科技成长混合基金", customer("C5", age=64), "pass", []),
        ("星河三年期大额存单到期了", customer("C1", age=80), "pass", []),
        # unknown risk level → warn only, verdict pass
        ("星河稳享90天持有期理财适合您", customer(None), "pass", ["suitability.unknown_risk_level"]),
        ("祝您生日快乐", customer(None), "pass", []),
        # no customer → no suitability judgement
        ("推荐您关注星河科技成长混合基金", None, "pass", []),
    ],
)
def test_suitability(text, context, verdict, rule_ids):
    result = engine().check(text, customer=context)
    assert result.verdict == verdict
    assert [f.rule_id for f in result.findings] == rule_ids


def test_suitability_finding_points_at_the_mention():
    text = "王先生，推荐您关注星河科技成长混合基金"
    result = engine().check(text, customer=customer("C3"))
    (finding,) = result.findings
    assert text[finding.start:finding.end] == "星河科技成长混合基金"
    assert "R4" in finding.message and "C3" in finding.message


def test_full_name_of_customer_is_masked_alongside_a_block():
    result = engine().check("王建国您好，推荐星河全球精选QDII基金", customer=customer("C2"))
    assert result.verdict == "block"
    assert result.text == "王**您好，推荐星河全球精选QDII基金"


@pytest.mark.parametrize("text", ["测评选高一点才能买", "我帮您把测评做了", "测评我帮您填"])
def test_steering_or_filling_in_the_assessment_is_blocked(text):
    result = engine().check(text)
    assert result.verdict == "block"
    assert {f.category for f in result.findings} == {"suitability"}


@pytest.mark.parametrize(("text", "verdict"), [
    ("您是稳健型，买R5级的也不碍事。", "block"),
    ("您是C2，这款R4我直接给您操作。", "block"),
    ("保守型客户买一点R3的也没事。", "block"),
    ("您是C2，R4的产品不适合您。", "pass"),
    ("C2客户只能购买R2及以下的产品。", "pass"),
    ("R4产品适合C4及以上的客户。", "pass"),
    ("我的等级是C3，能买R4的吗？", "pass"),
    ("他要买R5，测评是C3，我没有推荐，只出具了风险警示。", "pass"),
])
def test_a_higher_product_level_offered_to_a_named_customer_level_is_a_bypass(text, verdict):
    result = engine().check(text)
    assert result.verdict == verdict, result.findings
    if verdict == "block":
        assert [f.rule_id for f in result.findings] == ["suitability.mismatch_in_words"]
