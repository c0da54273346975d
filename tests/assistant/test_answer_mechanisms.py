"""Mechanisms that make answers generalise: described needs, lists, yes/no verdicts, follow-ups, comparisons.

Examples are written for these tests (not taken from the evaluation files).
"""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from rm_copilot.assistant import routing
from rm_copilot.assistant.needs import describe_customer, lock_up_days, rank_for_need, stated_amount, stated_horizon


class _NoRetrieval:
    """Retrieval that ties every allowed product equally (ranking then keeps the catalogue's order)."""

    def search(self, query, *, k=5, product_ids=None, **_):
        return [SimpleNamespace(chunk=SimpleNamespace(product_id=pid)) for pid in (product_ids or [])][:k]


# --- recommendations for a customer described in words ---------------------------------------------

@pytest.mark.parametrize("question", [
    "客户C3，手上有15万，两年内不动",          # level, amount, horizon; no 推荐 at all
    "做外贸的个体户，想贷款周转一下",            # wants a kind of product
    "老人78岁，八万块定期到期了",               # age + maturity
    "客户要出国读书，需要什么保险",             # 需要什么 + a kind of product
])
def test_a_customer_described_in_words_asks_for_products(question):
    assert routing.describes_need(question)


@pytest.mark.parametrize("question", [
    "C2客户能买R3的理财吗",                     # a yes/no question about a rule
    "大额存单20万起存，利率多少",               # a fact question
    "客户投诉后多少天内要回复",
])
def test_a_question_of_fact_is_not_a_described_need(question):
    assert not routing.describes_need(question)


@pytest.mark.parametrize("question, amount", [
    ("有8W闲钱", 80000), ("三十万卖车的钱", 300000), ("年收入50万，手上20万", 200000), ("没说金额", None),
])
def test_the_amount_to_place_excludes_incomes(question, amount):
    assert stated_amount(question) == amount


@pytest.mark.parametrize("question, days", [
    ("两个月内不用", 60), ("半年后要用这笔钱", 182), ("孩子5年后上大学", 1825), ("经营8年了", None),
])
def test_the_horizon_is_a_span_said_with_the_use_of_the_money(question, days):
    assert stated_horizon(question) == days


def test_lock_up_is_the_shortest_term_and_open_ended_products_lock_nothing(catalog):
    assert lock_up_days(catalog.get("WM003")) == 30       # 30天持有期
    assert lock_up_days(catalog.get("WM008")) == 1825     # 封闭期5年（1826天）: the shorter reading
    assert lock_up_days(catalog.get("DP004")) == 7        # notice deposit: its notice
    assert lock_up_days(catalog.get("FD001")) == 0        # open-ended fund
    assert lock_up_days(catalog.get("FD005")) == 1095     # "目标日期2040年" is a date, not a term
    assert lock_up_days(catalog.get("IN001")) is None     # insurance is not a placement


def test_a_need_keeps_products_within_level_horizon_and_amount(catalog):
    question = "客户C2，手上3万，两个月后要用"
    customer = describe_customer(question)
    ranked = [p for p, _ in rank_for_need(question, customer, catalog, _NoRetrieval(), limit=50)]
    assert ranked
    for product in ranked:
        assert product.risk_rank <= 2 and product.min_amount <= 30000
        assert product.type in ("deposit", "wealth", "fund")  # money to place: no policy, no loan
        assert (lock_up_days(product) or 0) <= 60


def test_a_condition_the_customer_refuses_excludes_products_bought_only_through_it(catalog):
    question = "C2客户，养老用，十年不用，没有个人养老金账户"
    ranked = [p.id for p, _ in rank_for_need(question, describe_customer(question), catalog, _NoRetrieval(),
                                             limit=50)]
    assert "WM009" not in ranked and ranked


# --- out of scope: a bank the documents never name -------------------------------------------------

class _AnyWordLexicon:
    def frequency(self, word):
        return 1

    def words(self, text):
        return [text]


@pytest.mark.parametrize("question, other", [
    ("浦发银行的信用卡年费多少", True),
    ("客户在招商银行的理财到期了", True),
    ("客户在别的银行也有存款，存款保险怎么算", False),  # any other bank: a question about our rules
    ("手机银行能买大额存单吗", False),                # a channel the documents name
])
def test_a_bank_the_documents_never_name_is_another_institution(catalog, question, other):
    from rm_copilot.assistant.answer import AnswerPlanner

    planner = AnswerPlanner(None, catalog, lexicon=_AnyWordLexicon(),
                            chunk_texts=lambda: ["星河银行的大额存单可在手机银行购买。", "存款保险按每家银行合并计算。"])
    assert planner._other_institution(question) is other


# --- follow-ups: a new product, a variant, the last aspect ---------------------------------------

@pytest.fixture(scope="module")
def matcher(catalog):
    from rm_copilot.assistant.mentions import ProductMatcher

    return ProductMatcher(catalog)


def test_a_product_named_with_a_demonstrative_is_the_new_subject(catalog, matcher):
    from rm_copilot.assistant.followup import Topic, resolve

    topic = Topic([catalog.get("WM003")], "稳享30天赎回多久到账")
    resolved = resolve("那个睿盈一年封闭的呢？", topic, matcher)
    assert [p.id for p in resolved.products] == ["WM006"]
    assert "到账" in resolved.question  # the aspect asked last is asked of the new product


def test_a_bare_variant_names_the_same_line_with_the_other_term(catalog, matcher):
    from rm_copilot.assistant.followup import Topic, resolve

    topic = Topic([catalog.get("DP003")], "大额存单1年期多少钱起存")
    resolved = resolve("3年期的呢", topic, matcher)
    assert [p.id for p in resolved.products] == ["DP002"] and "起存" in resolved.question


def test_a_pronoun_with_only_a_verb_left_refers_to_what_was_asked_last(catalog, matcher):
    from rm_copilot.assistant.followup import Topic, resolve

    topic = Topic([catalog.get("CD001")], "旅行白金卡年费多少")
    resolved = resolve("这个能免吗", topic, matcher)
    assert resolved.followup and "年费" in resolved.question


# --- lists: every item of the list the chunk makes ----------------------------------------------------

def _chunk(text: str, n: int = 1) -> dict:
    return {"n": n, "chunk_id": f"faq/x#{n}", "heading": "解答", "product_id": None, "product_name": None,
            "text": f"开户须知｜解答\n{text}"}


def test_an_inline_list_is_read_with_every_item():
    from rm_copilot.generation.points import list_blocks

    text = ("开户时需要带齐以下材料：本人身份证；常用手机号；工作单位信息。其他情况请咨询网点。"
            "办理渠道有两种：1. 网点柜台：工作日办理；需预约。2. 手机银行：全天可办。")
    blocks = list_blocks(_chunk(text))
    assert blocks[0] == ("开户时需要带齐以下材料：", ["本人身份证", "常用手机号", "工作单位信息"])
    assert blocks[1] == ("办理渠道有两种：", ["网点柜台：工作日办理；需预约", "手机银行：全天可办"])


def test_a_list_question_gets_the_whole_list_whose_lead_says_what_is_listed():
    from rm_copilot.generation.points import select_points

    chunk = _chunk("转账的收费由两部分组成：1. 手续费：按金额0.1%收取；2. 邮电费：每笔10元。"
                   "到账方式可以选择：- 实时到账：几分钟内；- 普通到账：2小时内；- 次日到账：下一个工作日。")
    texts = [p["text"] for p in select_points("转账的到账方式有哪几种", [chunk], limit=5, form="list")]
    assert texts[0] == "到账方式可以选择："
    assert [t.split("：")[0] for t in texts[1:]] == ["实时到账", "普通到账", "次日到账"]


# --- comparisons: every product, every aspect asked ---------------------------------------------------

def test_each_aspect_of_a_comparison_gets_its_own_fact():
    from rm_copilot.generation.composer import _per_aspect
    from rm_copilot.generation.request import ComposeRequest

    facts = {"n": 2, "product_id": "X1", "heading": "产品要素", "chunk_id": "products/x#0", "product_name": "甲理财",
             "text": "甲理财（X1）｜产品要素\n产品类型：理财；风险等级：R2\n期限：封闭期180天\n起购金额：1万元起购\n"
                     "费用：固定管理费0.30%/年，托管费0.02%/年"}
    request = ComposeRequest(task="answer", intent="compare", question="甲理财和乙理财的风险等级、期限和管理费分别是什么",
                             chunks=[facts], subjects=["甲理财", "乙理财"])
    texts = [p["text"] for p in _per_aspect(request, [facts], facts, None)]
    assert texts[:2] == ["风险等级：R2", "期限：封闭期180天"]
    assert len(texts) == 3 and "管理费0.30%" in texts[2]


def test_a_side_best_named_by_the_product_already_chosen_is_its_aspect(catalog):
    from rm_copilot.assistant.answer import AnswerPlanner
    from rm_copilot.assistant.followup import Resolved

    planner = AnswerPlanner(None, catalog)
    one = planner._side_products(Resolved("守护重疾险保哪些病，轻症中症各多少种", [catalog.get("IN002")], False))
    assert [p.id for p in one] == ["IN002"]
    three = planner._side_products(Resolved("周周享、稳享30天、稳享90天的起购金额分别多少",
                                            [catalog.get("WM002"), catalog.get("WM003"), catalog.get("WM004")], False))
    assert len(three) == 3


# --- yes/no: the sentence that settles it, and a plain word ---------------------------------------

@pytest.mark.parametrize("question", ["这张卡境外能用不", "老人可以办不？"])
def test_a_question_ending_in_bu_is_a_yes_no_question(question):
    assert routing.question_form(question) == "yesno"


def test_something_else_sufficing_answers_a_must_question_no():
    from rm_copilot.generation.verdict import verdict

    assert verdict("办这张卡必须先开工资卡吗", "凭本人身份证即可申请，无需其他账户") == "不需要"


def test_a_condition_before_access_answers_an_anytime_question_no():
    from rm_copilot.generation.verdict import verdict

    assert verdict("这笔钱可以随时取吗", "账户资金须年满60周岁后才能支取") == "不可以"
