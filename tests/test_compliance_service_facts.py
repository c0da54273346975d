"""Facts that read like claims: 唯一 said of a service fact, a guaranteed minimum rate the contract
states, an embedded question about which deposits are insured — and the claims that stay claims."""
from __future__ import annotations

import pytest

from compliance_support import blocking_rules


@pytest.mark.parametrize("text", [
    "本行唯一官方客服电话以银行卡背面印制的号码为准。",
    "这是本区唯一支持周末办理开户的网点，请提前预约。",
    "唯一官方网站的网址请以本行公告为准。",
])
def test_unique_service_fact_passes(text):
    assert not blocking_rules(text) & {"absolute.ranking", "absolute.superlative"}


@pytest.mark.parametrize("text", [
    "这是本行唯一一款保本的理财产品。",
    "本网点是全市唯一的五星网点。",
    "唯一收益8%的理财，仅在本网点发售。",
])
def test_unique_offer_or_rating_is_caught(text):
    assert blocking_rules(text)


@pytest.mark.parametrize("text", [
    "本万能险合同约定最低保证利率为年化1.5%，超出部分不确定。",
    "结算利率每月公布，合同只对年化1.00%的最低保证利率作出约定。",
    "客户可通过存款保险标识识别哪些产品属于受保存款。",
    "请核实是否属于存款保险保障范围内的存款。",
])
def test_contract_fact_or_embedded_question_passes(text):
    assert not blocking_rules(text)


@pytest.mark.parametrize("text", [
    "这款万能险年化3%保证拿到。",
    "这款万能险收益年化4%稳拿，合同写得清清楚楚。",
    "这款理财属于存款，受存款保险保障。",
])
def test_guaranteed_return_or_deposit_confusion_is_caught(text):
    assert blocking_rules(text)
