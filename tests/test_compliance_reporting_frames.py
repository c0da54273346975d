"""Frames that report or correct a claim instead of making it (frames.py): complaint, audit and
inspection records that dispose of what they report, and a third party's misconception corrected —
and the claims that stay claims."""
from __future__ import annotations

import pytest

from compliance_support import blocking_rules


@pytest.mark.parametrize("text", [
    "投诉处理：客户反映理财经理承诺保本，经核查属实，已对该员工问责。",
    "客户投诉称柜员说这款基金稳赚不赔，经调取录音核查，投诉不成立。",
    "检查发现个别员工向客户承诺收益有保障，已责令整改。",
    "审计发现：网点海报把存款和理财搭配销售并承诺买理财送礼品，已要求整改。",
    "消保部处理结果：客户风险测评为C2，却被推荐R4基金，经核查属于违规销售，已退还损失。",
    "不少人把分红险的演示利益当成保证收益，其实演示利益并不确定。",
    "有的老人误以为理财就是存款，实际上理财不受存款保险保障。",
])
def test_reported_or_corrected_claim_passes(text):
    assert not blocking_rules(text)


@pytest.mark.parametrize("text", [
    "经核查，本产品保本保息，请放心购买。",  # a reporter but nothing disposed of
    "投诉处理：本产品保本，欢迎选购。",
    "客户反映收益低，我跟他说这款理财保本。",
    "您可以把它理解为保本产品，其实很安全。",  # the advisor's own framing, not a third party's belief
    "很多客户理解为保本，确实是保本的。",  # a belief never corrected
])
def test_claim_in_a_frame_that_does_not_dispose_of_it_is_caught(text):
    assert blocking_rules(text)


@pytest.mark.parametrize("text", [
    "本月抽奖仅限借记卡消费满额客户参加，与理财、保险产品的购买无关。",
    "周年庆抽奖面向全体持卡人，与基金认购无关，详见官网规则。",
])
def test_draw_unlinked_from_any_purchase_passes(text):
    assert not blocking_rules(text)


@pytest.mark.parametrize("text", [
    "存款满5万元即送电饭煲，与理财产品购买无关。",  # the gift itself is tied to a deposit
])
def test_gift_tied_to_a_purchase_stays_caught_despite_a_disclaimer(text):
    assert blocking_rules(text)
