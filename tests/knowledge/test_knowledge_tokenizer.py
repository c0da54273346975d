import pytest

from rm_copilot.knowledge.tokenizer import DEFAULT_LEXICON_DIR, get_lexicon, normalize


@pytest.fixture(scope="module")
def lexicon():
    return get_lexicon(DEFAULT_LEXICON_DIR)


@pytest.mark.parametrize(
    "query, canonical",
    [
        ("大存起购多少", "大额存单"),  # abbreviation
        ("大額存單利率", "大额存单"),  # traditional characters
        ("冷静期多久", "犹豫期"),  # synonym of the insurance term
        ("定投怎么扣款", "定期定额"),
        ("退休规划", "养老"),
        ("WM003的benchmark", "业绩比较基准"),  # English mixed in
    ],
)
def test_synonyms_fold_to_the_canonical_word(lexicon, query, canonical):
    assert canonical in lexicon.words(query)


def test_financial_terms_stay_whole(lexicon):
    words = lexicon.words("业绩比较基准和最短持有期")
    assert "业绩比较基准" in words and "最短持有期" in words


@pytest.mark.parametrize("query", ["你好", "谢谢", "请问", "您好，请问一下", "好的谢谢"])
def test_greetings_have_no_informative_words(lexicon, query):
    assert lexicon.words(query) == []


def test_full_width_and_case_are_normalised():
    assert normalize("ＷＭ００３　Ｒ４") == "wm003 r4"


def test_bigrams_survive_a_typo(lexicon):
    typo = set(lexicon.tokens("大额存但提前支取").bigrams)
    right = set(lexicon.tokens("大额存单提前支取").bigrams)
    assert {"大额", "额存", "提前", "支取"} <= typo & right
