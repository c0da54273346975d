"""Required disclosures per product type and channel; missing ones are appended."""
from __future__ import annotations

import pytest

from compliance_support import engine


@pytest.mark.parametrize(
    "text, product_type, channel, rule_ids, appended",
    [
        # 理财 without its risk statement → appended
        ("业绩比较基准3%", "wealth", None, ["disclosure.wealth_risk"], "理财非存款、产品有风险、投资须谨慎。"),
        # paraphrase accepted
        ("理财产品不是存款，理财有风险，投资需谨慎", "wealth", None, [], ""),
        # SMS: the shorter form is enough, and is what gets appended
        ("理财非存款，投资须谨慎", "wealth", "sms", [], ""),
        ("业绩比较基准3%", "wealth", "sms", ["disclosure.wealth_risk"], "理财非存款，投资须谨慎。"),
        # fund: risk warning always; past-performance statement only when performance is shown
        ("适合定投", "fund", None, ["disclosure.fund_risk"], "基金有风险，投资须谨慎。"),
        ("近三年收益率15%，基金有风险，投资须谨慎", "fund", None, ["disclosure.fund_performance"],
         "基金的过往业绩并不预示其未来表现，基金管理人管理的其他基金的业绩并不构成基金业绩表现的保证。"),
        # insurance: nature and hesitation period
        ("保障期限20年", "insurance", None, ["disclosure.insurance_nature"],
         "本产品为保险产品，不是存款或理财；犹豫期内可申请全额退还保费，犹豫期后退保可能有损失。"),
        # deposits: nothing mandatory, structured deposits need their warning
        ("三年期定期存款利率2.1%", "deposit", None, [], ""),
        ("结构性存款挂钩黄金", "deposit", None, ["disclosure.structured_deposit"],
         "结构性存款不同于一般存款，有投资风险，投资须谨慎。"),
        # loans: a rate mentioned needs the annualised rate
        ("随借随还，手续简便", "loan", None, [], ""),
        ("利率很低，随借随还", "loan", None, ["disclosure.loan_apr"], "年化利率（单利）以借款合同列示为准。"),
        ("年化利率（单利）3.6%起", "loan", None, [], ""),
        ("信用卡年费首年免收", "card", None, [], ""),
    ],
)
def test_disclosures(text, product_type, channel, rule_ids, appended):
    result = engine().check(text, product_type=product_type, channel=channel)
    assert [f.rule_id for f in result.findings] == rule_ids
    if rule_ids:
        assert result.verdict == "rewrite"
        assert result.text.endswith(appended)
        assert result.text.startswith(text)
        assert all(f.start == f.end == len(text) and f.matched == "" for f in result.findings)
    else:
        assert result.verdict == "pass" and result.text == text


def test_without_product_type_no_disclosure_applies():
    assert engine().check("业绩比较基准3%").verdict == "pass"


def test_several_missing_disclosures_are_all_appended_once():
    result = engine().check("去年收益20%", product_type="fund")
    assert [f.rule_id for f in result.findings] == ["disclosure.fund_risk", "disclosure.fund_performance"]
    assert result.text == ("去年收益20%。基金有风险，投资须谨慎。"
                           "基金的过往业绩并不预示其未来表现，基金管理人管理的其他基金的业绩并不构成基金业绩表现的保证。")
    assert engine().check(result.text, product_type="fund").verdict == "pass"  # the rewrite is compliant
