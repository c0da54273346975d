"""A claim that is the object of a refused or unauthorised act, or a customer's demand answered by a
deposit or a denial, is not made — and the claims that stay claims."""
from __future__ import annotations

import pytest

from compliance_support import blocking_rules


@pytest.mark.parametrize("text", [
    "柜员婉拒了客户“保证收益8%”的要求，并解释理财没有保证收益。",
    "理财经理无权承诺保本，也无权承诺一定能批贷款。",
    "我们谢绝任何“包赚”类的私下约定。",
])
def test_refused_or_unauthorised_claim_passes(text):
    assert not blocking_rules(text)


@pytest.mark.parametrize("text", [
    "别婉拒了，这款理财保本保息。",  # the refusal is another clause's
    "我无权决定费率，但这款肯定保本。",
])
def test_claim_beside_a_refusal_is_caught(text):
    assert blocking_rules(text)


@pytest.mark.parametrize("text", [
    "如需保本保息，建议选择定期存款或大额存单。",
    "客户表示只买保本的，我介绍了三年期大额存单，并说明理财都不保本。",
    "客户问：“这款基金能保证本金吗？”答：不能，基金不保本，可能损失本金。",
])
def test_demand_answered_by_a_deposit_or_a_denial_passes(text):
    assert not blocking_rules(text)


@pytest.mark.parametrize("text", [
    "如需保本，这款理财就是保本的。",
    "客户说想要高收益，我推荐了这款保本理财。",
    "我就要告诉您，这款理财保本。",
])
def test_demand_answered_by_a_claim_is_caught(text):
    assert blocking_rules(text)
