"""What a claim is about (claims.py): superlatives that rank nothing, true facts of state backing,
a customer's need answered by a deposit or a denial — and the claims that stay claims."""
from __future__ import annotations

import pytest

from compliance_support import engine


def _categories(text: str) -> set[str]:
    return {f.category for f in engine().check(text).findings if f.severity != "warn" and f.category != "pii"}


def _rules(text: str) -> set[str]:
    return {f.rule_id for f in engine().check(text).findings if f.severity != "warn"}


@pytest.mark.parametrize("text", [
    "前五大重仓股和top10行业分布见月报附件。",  # "top1" inside "top10" is no ranking
    "这是柜台仅剩的唯一一本开户指南，复印件放在大堂。",  # a document is ranked in no offer
    "开户时最好提前预约，周四上午人少。",  # "had better" before a verb
])
def test_superlative_that_ranks_nothing_passes(text):
    assert not _rules(text) & {"absolute.superlative", "absolute.ranking"}


@pytest.mark.parametrize("text", [
    "这只基金收益top1，闭眼买。",
    "这是全行唯一一款能做到的理财。",
    "这款理财最好，别犹豫。",
    "我们的服务是最好的。",
])
def test_superlative_about_a_product_or_the_bank_is_a_claim(text):
    assert "absolute" in _categories(text)


@pytest.mark.parametrize("text", [
    "储蓄国债由财政部发行，以国家信用担保，到期还本付息。",
    "存款保险是法定制度，它背后有国家信用担保。",
])
def test_state_backing_of_treasury_bonds_is_a_fact(text):
    assert "misleading.endorsement" not in _rules(text)


@pytest.mark.parametrize("text", [
    "这款理财跟国债差不多，也是国家信用担保。",
    "国债利率低，这只基金是国家兜底的，收益更高。",
])
def test_state_backing_claimed_for_a_wealth_or_fund_product_is_blocked(text):
    assert "misleading" in _categories(text)


@pytest.mark.parametrize("text", [
    "您想要保本的话，可以考虑三年期大额存单。",
    "不亏本是您最在乎的，那我们先聊储蓄国债。",
])
def test_customer_need_answered_by_a_deposit_is_no_promise(text):
    assert "guarantee" not in _categories(text)


@pytest.mark.parametrize("text", [
    "您想要保本的话，这款理财就很合适。",
    "您要找不会亏的，这只基金就是。",
])
def test_need_answered_by_a_product_is_still_a_promise(text):
    assert "guarantee" in _categories(text)


@pytest.mark.parametrize(("text", "category"), [
    ("要是您追求稳赚不赔，那基金和理财都不适合您。", "guarantee"),
    ("您需要和存款一样稳妥的，那就看定期存款和储蓄国债。", "deposit_confusion"),
])
def test_need_answered_by_unsuitability_or_a_deposit_passes(text, category):
    assert category not in _categories(text)


@pytest.mark.parametrize(("text", "category"), [
    ("要是您追求稳赚不赔，这只基金最合适。", "guarantee"),
    ("您需要和存款一样稳妥的，这款理财跟存款一样。", "deposit_confusion"),
])
def test_need_answered_by_a_product_still_claims(text, category):
    assert category in _categories(text)


def test_best_said_of_an_action_ranks_nothing_but_of_a_thing_still_ranks():
    assert "absolute" not in _categories("先把半年的生活费留出来是最好的。")
    assert "absolute" in _categories("这个最好，别犹豫了。")
