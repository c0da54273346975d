"""Wording rules: negation windows, lawful phrases, overlaps, scoping by product type and channel."""
from __future__ import annotations

import builtins
import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from compliance_support import engine


def rule_ids(text: str, **options) -> list[str]:
    return [f.rule_id for f in engine().check(text, **options).findings]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("本产品不保本", []),  # tight cue directly before
        ("本产品非保本", []),  # tight cue 非
        ("严禁向客户承诺保本", []),  # loose cue within the window
        ("不能说稳赚不赔", []),
        ("这款产品不仅保本，收益也高", ["guarantee.principal"]),  # 不仅 is not a negation
        ("不用担心，保本保息", ["guarantee.principal"]),  # the clause break ends the cue's reach
        ("本产品不保本，但是保息", ["guarantee.principal"]),  # a later, un-negated hit still counts
        ("我们从来不会说这个产品在任何情况下都保本", ["guarantee.principal"]),  # cue too far away
    ],
)
def test_negation_window(text, expected):
    assert rule_ids(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("第一次购买", []),
        ("销量第一", ["absolute.ranking"]),
        ("最低起购金额1万元", []),
        ("利率全网最低", ["absolute.ranking"]),
        ("年化利率最高不超过24%", []),
        ("收益最高", ["absolute.ranking"]),
        ("存款受存款保险保护，最高50万元", []),
        ("理财也受存款保险保护", ["deposit_confusion.deposit_insurance"]),
        ("风险等级R2（中低风险）", []),
        ("低风险产品", ["inducing.online_marketing"]),
        ("犹豫期内退保无损失", []),
        ("退保无损失", ["insurance.misrepresentation"]),
    ],
)
def test_lawful_phrases_are_not_flagged(text, expected):
    assert rule_ids(text) == expected


def test_overlapping_hits_keep_the_most_severe():
    # 最划算 (rewrite) overlaps 史上最 (block): one finding, the block.
    result = engine().check("史上最划算")
    assert [(f.rule_id, f.severity) for f in result.findings] == [("absolute.ranking", "block")]


def test_longest_hit_wins_within_a_rule():
    assert [f.matched for f in engine().check("稳赚不赔").findings] == ["稳赚不赔"]


@pytest.mark.parametrize(
    "product_type, expected",
    [
        (None, ["guarantee.principal"]),  # without a product type every wording rule applies
        ("wealth", ["guarantee.principal", "disclosure.wealth_risk"]),
        ("deposit", []),  # deposits are principal-protected; saying so is lawful
    ],
)
def test_rules_scoped_by_product_type(product_type, expected):
    # no instrument named: the product type decides ("存款保本保息" names a deposit, a fact either way)
    assert rule_ids("到期保本保息", product_type=product_type) == expected


def test_daily_rate_without_annual_rate_is_rewritten_with_the_annual_rate_notice():
    result = engine().check("日息万三，随借随还")
    assert result.verdict == "rewrite"
    assert result.text == "日息万三，随借随还。年化利率（单利）以借款合同列示为准。"
    assert rule_ids("日息万三，折合年化利率（单利）10.95%") == []


def test_rewrite_replaces_expected_return_wording():
    result = engine().check("预期年化收益率3.5%，期限一年")
    assert result.verdict == "rewrite"
    assert result.text == "业绩比较基准3.5%，期限一年"


def test_block_is_never_rescued():
    text = "保本保息，预期收益率4%"
    result = engine().check(text)
    assert result.verdict == "block"
    assert result.text == text


def test_check_compiles_nothing_and_reads_no_file(monkeypatch):
    shared = engine()
    shared.check("预热：穩賺不賠，保本，理财")  # warm the per-character cache
    shared.check("预热：理财保本保息，收益率4%")  # and the dictionary the homophone reader loads on first use

    def forbidden(*args, **kwargs):
        raise AssertionError("check() must not compile regexes or open files")

    monkeypatch.setattr(re, "compile", forbidden)
    monkeypatch.setattr(builtins, "open", forbidden)
    result = shared.check("这款理财保本保息，预期收益率4%，手机13812345678", product_type="wealth")
    assert result.verdict == "block"


def test_one_engine_gives_the_same_answers_from_many_threads():
    texts = ["保本保息", "本产品不保本", "预期收益率4%", "客户手机13812345678", "最低起购金额1万元"] * 40
    expected = [engine().check(text).to_dict() for text in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        actual = list(pool.map(lambda text: engine().check(text).to_dict(), texts))
    assert actual == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("不得说“保本保息”“本金无忧”“稳赚不赔”", []),  # the prohibition covers the quoted list
        ("严禁使用\"零风险\"\"刚性兑付\"等说法", []),  # ASCII quotes
        ("不得贬低同业，如“别家都是坑”", []),  # 如 introduces the examples
        ("客户说“保本保息”", ["guarantee.principal"]),  # quoted, but nothing prohibits it
        ("不得夸大，“保本保息”是真的", ["guarantee.principal"]),  # the clause break ends the prohibition
        ("绝不承诺保本、保收益、无风险、稳赚", []),  # a negated enumeration
        ("保本、保息、零风险，值得买", ["guarantee.principal", "guarantee.principal", "guarantee.no_risk"]),
    ],
)
def test_quoted_examples_and_enumerations_after_a_prohibition(text, expected):
    assert rule_ids(text) == expected


def test_full_width_punctuation_in_rule_patterns_meets_normalised_text():
    # "，" becomes "," in normalised text; the rulebook's "[^，。]" gaps must still stop there.
    assert rule_ids("比起那家银行，我们离您更近也更好找") == []
    assert rule_ids("比那家银行利率高") == ["misleading.comparison"]


@pytest.mark.parametrize(("text", "verdict"), [
    ("“亏了我补”这类承诺无效且违规，请勿相信。", "pass"),
    ("文案“板上钉钉的收益”已被合规退回。", "pass"),
    ("“保本”这个词我们不能用，这款产品确实不保本。", "pass"),
    ("质检规则把“稳赚不赔”列为禁用词。", "pass"),
    ("不得夸大，“保本保息”是真的。", "block"),          # the cue is in another clause
    ("客户都说“稳赚不赔”，您也试试。", "block"),         # a quotation with no talk about wording
])
def test_quoted_phrase_in_a_clause_about_wording_is_a_mention(text, verdict):
    assert engine().check(text).verdict == verdict, engine().check(text).findings
