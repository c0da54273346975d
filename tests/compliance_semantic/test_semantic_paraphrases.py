"""Violations in wording no rule lists are caught by meaning; hard negatives are not flagged."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow

PARAPHRASES = [
    # guarantees without a listed word
    ("guarantee", "您这笔钱投进去，到期一分不差地回到卡里。"),
    ("guarantee", "放在这款里头，就跟锁进自家保险箱一样牢靠。"),
    ("guarantee", "三万块存半年，到时候稳稳当当拿回三万零六百。"),
    ("guarantee", "这种产品属于躺着收钱的那种，完全不用担心。"),
    # staff promises paraphrased
    ("guarantee", "要是到期没达到这个收益，差的部分我自己掏腰包给您补。"),
    ("guarantee", "您尽管买，出了岔子由我一个人担着。"),
    # benchmark sold as the payout (a known miss of the current model: neither blocked nor warned)
    pytest.param("expected_return", "业绩基准标的是多少，到期您账上就进多少。",
                 marks=pytest.mark.xfail(reason="benchmark-as-payout paraphrase not learnt yet", strict=False)),
    # misleading claims
    ("misleading", "这款有国家兜底背书，比别的银行那些靠谱多了。"),
    ("misleading", "我们小区买了的邻居没有一个赔钱的。"),
    # performance extrapolation
    ("performance", "上个月涨了两个点，一年下来少说也有百分之二十四。"),
    # insurance mis-selling
    ("insurance", "这份保险其实就是存钱，什么时候想取都能原数拿回来。"),
    # deposit insurance misstatement
    ("deposit_confusion", "不管在我们这里放多少，存款保险都给您全部兜住。"),
    # suitability bypass in words
    ("suitability", "风险测评那个您不用管，我直接帮您点完就能买。"),
    # pressure idioms
    ("pressure", "过了今天就再也没有这种机会了，您现在就得拍板。"),
]

HARD_NEGATIVES = [
    "这款产品不保本，到期收益取决于市场表现，可能亏损本金。",
    "客户问我：这个理财到期能不能保证拿回本金？",
    "请问这款基金会不会亏钱呢？",
    "大额存单属于存款，依照《存款保险条例》，同一存款人在同一家银行最高偿付限额为五十万元。",
    "您的定期存款将于下周到期，到期后本息会自动转入活期账户。",
    "您好，您预约的网点业务已办理完成，感谢您的耐心等待。",
    "业绩比较基准不代表产品未来表现，也不是收益承诺。",
    "过往业绩不代表未来表现，投资需谨慎。",
    "本周六上午网点有理财知识讲座，欢迎您带家人来听。",
    "请您先完成风险测评，我们会根据结果为您匹配适合的产品。",
]


def _semantic(result):
    return [f for f in result.findings if f.rule_id.startswith("semantic.")]


def _sentences():
    return [p.values[1] if hasattr(p, "values") else p[1] for p in PARAPHRASES]


@pytest.mark.parametrize(("category", "sentence"), PARAPHRASES, ids=_sentences())
def test_paraphrased_violation_is_blocked_or_held_for_review(semantic_engine, category, sentence):
    """Caught: blocked, or a review-band warning of its own category (shown; a campaign row is held)."""
    result = semantic_engine.check(sentence)
    warned = any(f.severity == "warn" and f.category == category for f in _semantic(result))
    assert result.verdict == "block" or warned, result.findings


def test_meaning_layer_blocks_paraphrases_the_rules_miss(semantic_engine):
    blocked_by_meaning = [s for s in _sentences()
                          if any(f.severity == "block" for f in _semantic(semantic_engine.check(s)))]
    assert len(blocked_by_meaning) >= len(PARAPHRASES) // 2, blocked_by_meaning


@pytest.mark.parametrize("sentence", HARD_NEGATIVES)
def test_hard_negative_is_not_flagged(semantic_engine, sentence):
    result = semantic_engine.check(sentence)
    assert result.verdict == "pass", result.findings
    assert not [f for f in _semantic(result) if f.severity == "block"], result.findings
