"""Normalisation against evasion, and the offset map back into the original text."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compliance_support import assert_offsets_point_into_original, engine
from rm_copilot.compliance.normalize import _normalize_slow, normalize

ZW = "\u200b"


@pytest.mark.parametrize(
    "original, normalised",
    [
        ("穩賺不賠", "稳赚不赔"),  # traditional → simplified
        ("保 本 保 息", "保本保息"),  # spaces between CJK characters
        ("保*本", "保本"),  # asterisk
        ("保-本_保.息", "保本保息"),  # dash, underscore, dot
        (f"保{ZW}本", "保本"),  # zero-width space
        ("保\u3000本", "保本"),  # ideographic space
        ("保💰本", "保本"),  # emoji as separator
        ("保／本｜息", "保本息"),  # full-width slash and bar
        ("年化４．５％", "年化4.5%"),  # full-width digits and punctuation
        ("①号", "1号"),  # circled digit
        ("ＮＯ．１", "no.1"),  # full-width Latin, lower-cased
        ("hello world", "hello world"),  # separators between Latin words are kept
        ("138 1234 5678", "138 1234 5678"),  # and between digits (PII patterns need them)
        ("保本 ", "保本 "),  # trailing separator kept
        ("保\n本", "保本"),  # line break inside a phrase
        ("零\r\n风险", "零风险"),  # Windows line break
        ("到期。\n本产品", "到期。\n本产品"),  # a break after punctuation is kept
        ("保，本，保，息", "保本保息"),  # spelled out between punctuation
        ("零、风、险", "零风险"),
        ("保（本）理财", "保本理财"),  # one bracketed character
        ("期限：3个月、6个月", "期限:3个月、6个月"),  # ordinary punctuation stays
        ("春、夏", "春、夏"),  # two lone characters are not a spelled-out word
    ],
)
def test_normalise_undoes_evasions(original, normalised):
    assert normalize(original).text == normalised


def test_offset_map_points_each_character_at_its_source():
    result = normalize("保 本·保\u200b息")
    assert result.text == "保本保息"
    assert result.origin == (0, 2, 4, 6)
    assert result.span(0, 4) == (0, 7)


def test_expanding_characters_map_back_to_one_original_character():
    result = normalize("a…b")  # NFKC: … → ...
    assert result.text == "a...b"
    assert result.span(1, 4) == (1, 2)


@pytest.mark.parametrize(
    "text, matched",
    [
        ("您好，保 本 保 息的产品", "保 本 保 息"),
        ("穩賺不賠哦", "穩賺不賠"),
        (f"这是保{ZW}本产品", f"保{ZW}本"),
        ("年化４．５％稳拿", "年化４．５％稳拿"),
    ],
)
def test_findings_quote_the_original_spelling(text, matched):
    result = engine().check(text)
    assert [f.matched for f in result.findings if f.severity == "block"] == [matched]
    assert_offsets_point_into_original(text, result)


ALPHABET = st.sampled_from(list("保本息稳赚不赔零风险理财最好第一次 -*.·_/|\u200b\u3000１２３ＡＢａ①穩賺賠💰…，。%"))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40))
def test_normalisation_never_maps_outside_the_original(text):
    result = normalize(text)
    assert len(result.origin) == len(result.text)
    assert all(0 <= index < len(text) for index in result.origin)
    assert list(result.origin) == sorted(result.origin)
    for start in range(len(result.text) + 1):
        for end in range(start, len(result.text) + 1):
            low, high = result.span(start, end)
            assert 0 <= low <= high <= len(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40))
def test_fast_path_agrees_with_the_character_by_character_path(text):
    fast, slow = normalize(text), _normalize_slow(text)
    assert (fast.text, list(fast.origin)) == (slow.text, list(slow.origin))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=ALPHABET, min_size=1, max_size=40).filter(str.strip))
def test_findings_always_slice_the_original_text(text):
    result = engine().check(text, product_type="wealth")
    assert_offsets_point_into_original(text, result)


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=60).filter(lambda t: not t.isspace()),
       st.sampled_from([None, "wealth", "fund", "insurance", "deposit", "loan", "card"]),
       st.sampled_from([None, "tablet", "wecom", "sms"]))
def test_any_text_gets_a_verdict_with_valid_offsets(text, product_type, channel):
    result = engine().check(text, product_type=product_type, channel=channel)
    assert result.verdict in ("pass", "rewrite", "block")
    assert_offsets_point_into_original(text, result)


BLOCKING_PHRASES = ["保本保息", "稳赚不赔", "零风险", "刚性兑付", "国家担保", "代客测评", "不看征信", "额度告急"]
EVASIONS = ["", " ", "  ", "*", "-", "·", "\u200b", "_", "/", "💰", "\u3000", "|"]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(BLOCKING_PHRASES), st.lists(st.sampled_from(EVASIONS), min_size=8, max_size=8),
       st.sampled_from(["", "您好，", "这款产品"]), st.sampled_from(["", "。", "，欢迎咨询"]))
def test_separators_slipped_between_characters_do_not_evade(phrase, fillers, before, after):
    evaded = "".join(char + fillers[i] for i, char in enumerate(phrase[:-1])) + phrase[-1]
    text = before + evaded + after
    result = engine().check(text)
    assert result.verdict == "block", text
    assert evaded in [f.matched for f in result.findings]
