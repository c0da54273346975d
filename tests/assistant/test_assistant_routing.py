"""Routing, loose product names, follow-up topics, yes/no verdicts and value grounding (no index needed)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from rm_copilot.assistant import routing
from rm_copilot.assistant.followup import Topic, replay_topic, resolve
from rm_copilot.assistant.grounding import ungrounded_quantities
from rm_copilot.assistant.mentions import ProductMatcher
from rm_copilot.assistant.needs import describe_customer, need_text
from rm_copilot.assistant.recommend import meets_need
from rm_copilot.generation.points import clean
from rm_copilot.generation.verdict import verdict


@pytest.fixture(scope="module")
def matcher(catalog):
    return ProductMatcher(catalog)


@pytest.mark.parametrize("text, source", [
    ("起购金额1000元", "本产品起购金额10000元"),
    ("存期36天", "存期365天"),
    ("业绩比较基准20%", "业绩比较基准3.20%"),
    ("年利率1.7%", "年利率2.70%"),
    ("封闭期5年", "封闭期5个月"),
])
def test_a_quantity_the_sources_do_not_state_by_value_is_ungrounded(text, source):
    assert ungrounded_quantities(text, source)


@pytest.mark.parametrize("text, source", [
    ("1万元起购", "起购金额10000元"),
    ("年利率1.7%", "年利率（单利）1.70%"),
    ("20万元起存", "200,000元起存"),
    ("按R2风险等级", "风险等级：R2"),
    ("T+10到账", "赎回款T+10日内到账"),
])
def test_the_same_quantity_written_differently_is_grounded(text, source):
    assert ungrounded_quantities(text, source) == []


@pytest.mark.parametrize("question, product_id", [
    ("稳享90天多少钱起买？", "WM004"),
    ("挂钩黄金的那款结构性存款，利率区间是多少？", "DP005"),
    ("尊盈私行理财起购金额多少？", "WM012"),
    ("三年期的大额存单现在利率是多少？", "DP002"),
    ("景川增利稳健债券C是几级债基？", "FD003"),
])
def test_a_loosely_named_product_is_found_first(matcher, question, product_id):
    assert matcher.find(question)[0].id == product_id


@pytest.mark.parametrize("question", ["理财产品一般会收哪些费用？", "存款保险同一家银行最多赔多少？",
                                      "天天利快速赎回一天最多能取多少？"])
def test_generic_words_or_a_cut_number_name_no_other_product(matcher, question):
    assert all(p.id == "WM001" for p in matcher.find(question))


def _messages(*pairs):
    rows = []
    for question, cited in pairs:
        rows.append(SimpleNamespace(role="user", content=question, citations=None))
        rows.append(SimpleNamespace(role="assistant", content="……", citations=[{"product_id": p} for p in cited]))
    return rows


def test_a_pronoun_follow_up_keeps_a_product_whose_name_has_a_suffix(matcher):
    topic = replay_topic(_messages(("私行专属的尊盈理财封闭期多长？", ["WM012"])), matcher)
    resolved = resolve("它的业绩比较基准是多少？", topic, matcher)
    assert [p.id for p in resolved.products] == ["WM012"] and "（私行专属）" in resolved.question


def test_a_topic_set_by_the_answer_carries_to_a_short_follow_up(matcher):
    topic = replay_topic(_messages(("这个产品的年费呢？", ["CD004"])), matcher)
    assert [p.id for p in resolve("年费多少？", topic, matcher).products] == ["CD004"]


def test_a_new_question_naming_another_product_switches_the_topic(matcher):
    topic = replay_topic(_messages(("天天利是什么风险等级？", ["WM001"])), matcher)
    resolved = resolve("稳享90天的起购金额是多少？", topic, matcher)
    assert [p.id for p in resolved.products] == ["WM004"] and not resolved.followup


def test_without_a_topic_a_question_is_left_as_asked(matcher):
    assert resolve("风险测评做一次能管多久？", Topic(), matcher).question == "风险测评做一次能管多久？"


@pytest.mark.parametrize("question, form", [
    ("大额存单有哪些期限？", "list"), ("基金分红方式有哪几种？", "list"),
    ("天天利受存款保险保护吗？", "yesno"), ("稳享30天投不投股票？", "yesno"), ("它能只取一部分出来吗？", "yesno"),
    ("七天通知存款起存金额是多少？", "fact"),
])
def test_question_forms(question, form):
    assert routing.question_form(question) == form


@pytest.mark.parametrize("question, expected", [
    ("挂钩黄金的结构性存款能提前取出来吗？", ("存期内不可提前支取", "不能")),
    ("大额存单可以拿去办质押贷款吗？", ("可以，按存单质押贷款规定办理", "可以")),
    ("天天利受存款保险保护吗？", ("本产品不属于存款，不受存款保险保护", "不受")),
    ("买颐享养老理财需要先开个人养老金账户吗？", ("无须开立个人养老金账户", "不需要")),
    ("红利低波联接基金是不是不会亏？", ("基金净值可能下跌，投资可能亏损", "不是")),
])
def test_the_verdict_comes_from_the_evidence(question, expected):
    evidence, word = expected
    assert verdict(question, evidence) == word


def test_a_negation_before_what_was_asked_answers_no_but_a_floor_or_a_double_negation_does_not():
    assert verdict("经营贷能用来付首付吗？", "经营贷只能用于生产经营，不得用于支付首付") == "不能"
    assert verdict("这款能赎回吗？", "持有满30天后可赎回，固定收益类资产不低于80%") == "能"
    assert verdict("百万医疗险能续保吗？", "理赔后保险公司不会因此拒绝续保") == "能"
    assert verdict("e贷需要抵押吗？", "线上信用贷款，无需抵押和担保") == "不需要"


def test_something_else_sufficing_answers_a_need_question_no():
    assert verdict("买颐享养老理财需要先开个人养老金账户吗？", "本产品用普通借记卡即可购买，与个人养老金账户下的产品不同") == "不需要"
    assert verdict("开户需要带身份证吗？", "带本人身份证即可办理") == "需要"


def test_no_verdict_when_the_evidence_does_not_state_what_was_asked():
    assert verdict("货币基金A会亏钱吗？", "本基金适合有日常零钱管理需求的客户") is None
    assert verdict("个人养老金账户的钱能提前取出来吗？", "每笔份额持有满365天后可提交赎回") is None


@pytest.mark.parametrize("raw, cleaned", [
    ("4. 产品混同：不得把理财说成存款。", "产品混同：不得把理财说成存款"),
    ("① （二）第一条 起购金额1万元；", "起购金额1万元"),
    ("- 答：可以提前支取。", "可以提前支取"),
])
def test_list_and_heading_artefacts_are_removed(raw, cleaned):
    assert clean(raw) == cleaned


def test_described_customers_are_read_from_the_question():
    described = describe_customer("70岁客户测评是C4，想买点收益高的，有什么卡或保险？")
    assert (described.risk_level, described.age) == ("C4", 70) and described.types == {"card", "insurance"}
    assert describe_customer("客户60岁，保守型，想存一笔稳的").risk_level == "C1"
    assert "60" not in need_text("客户60岁，保守型，想存一笔稳的")


def test_a_medical_need_is_met_by_insurance_only(catalog):
    assert meets_need(catalog.get("IN001"), "medical") and not meets_need(catalog.get("CD004"), "medical")


def test_vocabulary_share_separates_other_subjects_from_bank_questions():
    vocabulary = routing.DomainVocabulary(["大额存单起存金额为20万元，存期1年或3年。", "信用卡年费"])
    assert vocabulary.unknown_share(["世界杯", "夺冠"]) == 1.0
    assert vocabulary.unknown_share(["大额存单", "起存", "金额"]) == 0.0
    assert routing.is_out_of_scope(0.5, asks_for_products=False)
    assert not routing.is_out_of_scope(0.4, asks_for_products=True)
    assert routing.asks_to_buy_here("客户问能不能在我们行买以太坊") == "以太坊"


def test_a_list_question_is_answered_with_the_chunks_own_list_and_table_rows():
    from rm_copilot.generation.points import select_points

    chunks = [{"n": 1, "chunk_id": "faq/x#1", "heading": "解答", "product_name": None, "product_id": None,
               "text": "基金分红\n分红方式有两种：\n1. 现金分红：分红款打到账户。\n2. 红利再投资：自动转为份额。"},
              {"n": 2, "chunk_id": "faq/y#1", "heading": "等级", "product_name": None, "product_id": None,
               "text": "等级\n| 客户等级 | 可买产品 |\n|---|---|\n| C1 | R1 |\n| C2 | R1、R2 |"}]
    points = [p["text"] for p in select_points("基金分红方式有哪几种？", chunks, form="list")]
    assert points[:3] == ["分红方式有两种：", "现金分红：分红款打到账户", "红利再投资：自动转为份额"]
    rows = [p["text"] for p in select_points("C2客户可买产品有哪些等级？", chunks[1:], form="list")]
    assert "C2：R1、R2" in rows


def test_evidence_naming_only_the_product_or_routing_elsewhere_gives_no_yes():
    assert verdict("还能补买悦行境外旅行险吗？", "本产品适合出境旅游、探亲的客户",
                   subjects=["星河悦行境外旅行意外险"]) is None
    assert verdict("就医协助能报销医药费吗？", "就医协助是预约和协调服务，医药费报销须通过医保和商业医疗险") == "不能"


@pytest.mark.parametrize("question, expected", [
    ("帮我推荐一只明天会涨的股票", True),
    ("下个月美元兑人民币会涨到多少？", True),
    ("哪只基金会涨？", True),
    ("基金净值会下跌吗？", False),
    ("大额存单明天能买吗？", False),
])
def test_price_forecasts_are_told_apart(question, expected):
    assert routing.forecasts_prices(question) is expected


@pytest.mark.parametrize("question, head", [
    ("帮我推荐一只明天会涨的股票", "股票"), ("给客户推荐一款理财", "理财"), ("推荐什么", None),
])
def test_the_thing_asked_for_is_read_by_its_head_noun(question, head):
    assert routing.wanted_head(question) == head
