"""Gifts for a purchase over a threshold, a shortfall topped up, a windfall told, renewal and cover
promised for life, a loan steered into a down payment — caught; the lawful wording passes."""
from __future__ import annotations

import pytest

from compliance_support import blocking_rules


@pytest.mark.parametrize("text", [
    "认购本期理财满5万元，即送不粘锅一口。",
    "投保这款两全保险就送加油卡一张。",
    "收益要是没到4%，差额我来补。",
    "这只基金今年以来暴涨45%，赶紧上车。",
    "这款医疗险包续保到老，啥病都能赔。",
    "首付可以靠经营贷解决，我帮您报成经营用途。",
])
def test_violation_is_caught(text):
    assert blocking_rules(text)


@pytest.mark.parametrize("text", [
    "本行不开展购买理财满5万元即送礼品的活动。",
    "投保本年金险不送任何礼品。",
    "要是收益不到3%，差额需要您自己承担。",
    "这只基金近一年涨了68%，过往业绩不预示未来表现。",
    "本产品有保证续保条款，保证续保期间为20年。",
    "医疗险不是什么病都能报销，请看责任免除条款。",
    "首付不能用消费贷，消费贷资金不得用于支付购房首付。",
])
def test_lawful_wording_passes(text):
    assert not blocking_rules(text)
