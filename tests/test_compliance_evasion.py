"""Evasions read through: homophones, look-alike characters, pinyin initials, separators, English."""
from __future__ import annotations

import pytest

from compliance_support import assert_offsets_point_into_original, engine
from rm_copilot.compliance.evasion import HOMOPHONE, INITIALS, LOOKALIKE, EvasionReader, initials, lookalikes, toneless


def _finding(text: str, rule_id: str):
    result = engine().check(text)
    assert result.verdict == "block", (text, result.findings)
    matching = [f for f in result.findings if f.rule_id == rule_id]
    assert matching, (text, result.findings)
    assert_offsets_point_into_original(text, result)
    return matching[0]


@pytest.mark.parametrize(("text", "rule_id", "matched", "term"), [
    ("这款理财饱本，您放心买。", "guarantee.principal", "饱本", "保本"),
    ("买这个宝本又宝息。", "guarantee.principal", "宝本", "保本"),
    ("本金无优，到期全拿回来。", "guarantee.principal", "本金无优", "本金无忧"),
    ("这只基金稳赚不陪。", "guarantee.no_risk", "稳赚不陪", "稳赚不赔"),
    ("我们家产品无疯险的。", "guarantee.no_risk", "无疯险", "无风险"),
    ("这就是刚性兑负的产品。", "guarantee.backstop", "刚性兑负", "刚性兑付"),
    ("这款产品有银行兜低。", "guarantee.backstop", "银行兜低", "银行兜底"),
    ("放心，我们兜低。", "guarantee.backstop", "兜低", "兜底"),
])
def test_homophone_of_a_term_is_read_as_the_term(text, rule_id, matched, term):
    finding = _finding(text, rule_id)
    assert (finding.matched, finding.pattern, finding.evasion) == (matched, term, HOMOPHONE)


@pytest.mark.parametrize(("text", "rule_id", "matched"), [
    ("零凤险理财，欢迎选购。", "guarantee.no_risk", "零凤险"),
    ("这款零风脸，闭眼买。", "guarantee.no_risk", "零风脸"),
    ("本产品刚性兊付。", "guarantee.backstop", "刚性兊付"),
])
def test_lookalike_character_is_read_as_the_term(text, rule_id, matched):
    finding = _finding(text, rule_id)
    assert finding.matched == matched and finding.evasion in (LOOKALIKE, HOMOPHONE)


def test_lookalikes_come_from_four_corner_codes_not_a_typed_table():
    assert "脸" in lookalikes("险") and "兊" in lookalikes("兑")
    assert "险" not in lookalikes("险")
    assert lookalikes("风") == ()  # 风 shares its code with 20 characters (几, 凡…): too coarse; 凤 is a homophone


@pytest.mark.parametrize(("text", "rule_id", "abbreviation"), [
    ("这款bbbx，放心买", "guarantee.principal", "bbbx"),
    ("LFX理财上线了", "guarantee.no_risk", "lfx"),
    ("wzbp 懂的都懂", "guarantee.no_risk", "wzbp"),
    ("产品gxdf，到期就拿钱", "guarantee.backstop", "gxdf"),
])
def test_pinyin_initials_as_a_whole_token(text, rule_id, abbreviation):
    finding = _finding(text, rule_id)
    assert (finding.pattern, finding.evasion) == (abbreviation, INITIALS)


@pytest.mark.parametrize("text", ["账号abbbxy已注册", "编号lfx2已登记", "请访问 www.wzbpa.com 了解更多"])
def test_pinyin_initials_inside_a_longer_token_are_not_read(text):
    assert engine().check(text).verdict == "pass"


def test_every_listed_abbreviation_is_the_initials_of_one_of_its_rules_terms():
    for rule in engine().rulebook.rules:
        for abbreviation in rule.abbreviations:
            assert abbreviation in {initials(term) for term in rule.terms}, (rule.id, abbreviation)


@pytest.mark.parametrize(("text", "matched"), [
    ("这款理财保\ufe0f本保息。", "保\ufe0f本保息"),        # an emoji's variation selector
    ("保丿本理财，欢迎咨询。", "保丿本"),                  # a stroke-like ideograph
    ("保㇏本理财，欢迎咨询。", "保㇏本"),                  # CJK stroke U+31CF
    ("保⼃本理财，欢迎咨询。", "保⼃本"),                  # Kangxi radical U+2F03
    ("零─风─险理财。", "零─风─险"),                       # box drawing
    ("保✔️本保息。", "保✔️本保息"),                        # an emoji between the characters
])
def test_strokes_radicals_selectors_and_box_drawing_are_separators(text, matched):
    result = engine().check(text)
    assert result.verdict == "block", result.findings
    finding = next(f for f in result.findings if f.category == "guarantee")
    assert finding.matched == matched and finding.evasion == "夹杂分隔符"
    assert_offsets_point_into_original(text, result)


@pytest.mark.parametrize(("text", "matched"), [
    ("This fund is zero risk.", "zero risk"),
    ("Capital guaranteed, 4% a year.", "Capital guaranteed"),
    ("100% safe, trust me!", "100% safe"),
    ("我们有 guaranteed returns 哦", "guaranteed returns"),
    ("这款 risk-free 的理财", "risk-free"),
    ("ＺＥＲＯ ＲＩＳＫ理财", "ＺＥＲＯ ＲＩＳＫ"),
    ("You can't lose money with this.", "can't lose money"),
])
def test_english_and_full_width_claims_are_blocked(text, matched):
    finding = _finding(text, "guarantee.english")
    assert finding.matched == matched


def test_full_width_latin_is_named_as_the_evasion():
    assert _finding("ＺＥＲＯ ＲＩＳＫ理财", "guarantee.english").evasion == "全角字符"


@pytest.mark.parametrize("text", [
    "This product is not zero risk; you may lose principal.",
    "Returns are not guaranteed.",
    "The risk-free rate is 2% this year.",
    "There is no such thing as risk-free investing.",
    "我刚对了一下账，没有问题。",             # 刚对 sounds like 刚兑 but is an ordinary phrase
    "这是一篇好文章。",                       # 文章 sounds like 稳涨
    "市场见底了吗？我们不做判断。",            # 见底 shares 兜底's four-corner code, and is a word
    "一分耕耘一分收获。",
    "报喜不报忧不是我们的做法。",
])
def test_innocent_wording_that_sounds_or_looks_alike_passes(text):
    assert engine().check(text).verdict == "pass", engine().check(text).findings


@pytest.mark.parametrize("text", [
    "本行提供个人贷款服务\n风险提示：贷款有风险，请量力而行。",  # 务 of 服务 sounds like 无 of 无风险
    "我们的财务风险评估每年更新一次。",
    "这项业务风险等级为R2。",
])
def test_a_sound_alike_character_that_belongs_to_the_word_beside_it_is_no_respelling(text):
    assert engine().check(text).verdict == "pass", engine().check(text).findings


def test_a_respelling_at_the_edge_of_a_span_is_still_read_when_it_joins_no_word():
    assert _finding("您放心，这款产品无疯险。", "guarantee.no_risk").evasion == HOMOPHONE
    assert _finding("这款理财饱本。", "guarantee.principal").evasion == HOMOPHONE


def test_homophone_pass_maps_the_text_once_with_precomputed_term_keys():
    reader = EvasionReader([("保本", "payload"), ("零风险", "payload")], frequency=lambda word: 0)
    assert reader.homophones("饱本和零凤险") == [(0, 2, "保本", "payload"), (3, 6, "零风险", "payload")]
    assert reader.homophones("保本") == []  # the literal is the main automaton's
    assert reader.homophones("plain ascii text") == []
    assert toneless("饱") == toneless("保") == "bao"


def test_the_saved_readings_table_reads_text_in_the_syllable_codes_plane_like_any_other():
    """With saved readings the table is a list; a character past its end maps to itself, so a text
    holding characters of the plane the syllable codes live in is read with the dictionary form."""
    sounds = {"bao": "保饱宝", "ben": "本"}
    reader = EvasionReader([("保本", "payload")], frequency=lambda word: 0, reading=toneless, sounds=sounds)
    assert reader.homophones("饱本") == [(0, 2, "保本", "payload")]
    ben_code = chr(0xF0001)  # the code the reader gives "ben", the second syllable it sees
    assert reader.homophones("保" + ben_code) == []
    assert reader.homophones(ben_code + "饱本") == [(1, 3, "保本", "payload")]


def test_two_character_term_needs_a_rare_substitute_that_forms_no_word():
    frequencies = {"对": 184_674, "饱": 1_587, "刚队": 0}
    reader = EvasionReader([("刚兑", 1), ("保本", 2)], frequency=lambda word: frequencies.get(word, 0))
    assert reader.homophones("刚对") == []       # 对 is too common a character to be an evasion
    assert reader.homophones("饱本") == [(0, 2, "保本", 2)]
    assert reader.homophones("饱笨") == []       # both characters replaced: nothing of the term is left


@pytest.mark.parametrize(("text", "matched"), [
    ("This fund is z\u0435r\u043e risk.", "z\u0435r\u043e risk"),          # Cyrillic е and о
    ("\u0421apital guaranteed, trust me.", "\u0421apital guaranteed"),   # Cyrillic С
])
def test_greek_or_cyrillic_letters_that_look_latin_are_read_as_latin(text, matched):
    finding = _finding(text, "guarantee.english")
    assert (finding.matched, finding.evasion) == (matched, "形近字")


def test_accented_latin_is_not_folded_into_a_claim():
    assert engine().check("Le café est naïve.").verdict == "pass"
