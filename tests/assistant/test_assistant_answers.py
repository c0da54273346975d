"""The wrong answers an advisor met as a new user (issue 11), over the real knowledge base and index."""
from __future__ import annotations

import re

import pytest

from assistant_fakes import FakeCustomers, make_copilot, profile

pytestmark = pytest.mark.slow

HEADING_ARTEFACT = re.compile(r"[①②③④⑤⑥⑦⑧⑨⑩]\s*\d+[.、．]|^\s*\d+[.、．]\s", re.MULTILINE)


@pytest.fixture(scope="module")
def real(built_services):
    return built_services


@pytest.fixture
def customers():
    customers = FakeCustomers()
    customers.add(profile("C00078", age=78, risk_level="C2", needs=("retirement",)))
    customers.add(profile("C00045", age=45, risk_level="C3", needs=("medical",)))
    customers.add(profile("C00079", age=78, risk_level="C3", needs=("retirement", "wealth_growth"))
                  .model_copy(update={"occupation": "退休"}))
    return customers


@pytest.fixture
def copilot(tmp_path, real, engine, customers):
    return make_copilot(tmp_path, real.catalog, engine, customers=customers, retriever=real.retriever,
                        index=real.knowledge_index)


def converse(copilot, *questions, customer_id=None):
    session_id, answers = None, []
    for question in questions:
        answer = copilot.chat("A001", question, customer_id=customer_id, session_id=session_id)
        session_id = answer.session_id
        answers.append(answer)
    return answers


def cited_products(answer) -> set[str]:
    return {c["product_id"] for c in answer.citations if c["product_id"]}


def test_the_term_follow_up_stays_on_the_large_deposit_for_an_elderly_customer(copilot):
    first, term = converse(copilot, "大额存单的起存金额是多少？", "那它的期限呢？", customer_id="C00078")
    assert cited_products(term) and cited_products(term) <= {"DP002", "DP003"}
    assert "经营快贷" not in term.answer
    assert re.search(r"存期\d年|\d年期|[13]年", term.answer)
    assert "在其可购买范围内" not in term.answer
    assert "大额存单" in term.rewritten_question


def test_the_early_withdrawal_follow_up_answers_about_the_large_deposit(copilot):
    *_, early = converse(copilot, "大额存单的起存金额是多少？", "那它能提前支取吗？")
    assert cited_products(early) and cited_products(early) <= {"DP002", "DP003"}
    assert "大额存单" in early.rewritten_question and "提前支取" in early.answer


def test_which_terms_a_large_deposit_has_lists_both_terms(copilot):
    answer = copilot.chat("A001", "大额存单有哪些期限？")
    assert "3年" in answer.answer and "1年" in answer.answer


def test_the_weather_is_refused_without_a_citation(copilot):
    answer = copilot.chat("A001", "今天天气怎么样")
    assert answer.answer.startswith("知识库中没有找到") and answer.citations == []
    assert answer.route == "refuse"


def test_is_wealth_guaranteed_says_so_plainly_first_without_heading_numbers(copilot):
    answer = copilot.chat("A001", "这款理财保本保息吗？")
    first = answer.answer.split("。")[0]
    assert "不保本" in answer.answer.split("\n")[0] and "保本保息" not in first
    assert not HEADING_ARTEFACT.search(answer.answer), answer.answer
    assert answer.citations


def test_a_maturing_deposit_need_gets_suitable_products_not_compliance_lines(copilot, real):
    answer = copilot.chat("A001", "客户有50万定期下个月到期，想找个稳一点但收益比定期高的，推荐什么？")
    assert "不得说" not in answer.answer
    named = [p for p in real.catalog.all() if p.name in answer.answer]
    assert named, answer.answer
    # what the customer moves away from (定期, a deposit) is not offered again; 稳一点: low risk only
    assert all(p.type != "deposit" for p in named), answer.answer
    assert all(p.risk_rank <= 2 for p in named), answer.answer
    assert any(p.type == "wealth" for p in named), answer.answer
    # the level the question leaves unsaid is asked for before anything above R1 is offered
    assert all(p.risk_rank == 1 or re.search(f"{re.escape(p.name)}[^\n]*C{p.risk_rank}及以上", answer.answer)
               for p in named), answer.answer
    assert answer.route == "recommend"


@pytest.mark.parametrize("question, customer_id", [
    ("这位客户适合什么理财？", "C00079"),
    ("客户78岁，已经退休，测评C3，有20万一年内不用，想稳一点，推荐什么？", None),
])
def test_an_elderly_retirees_recommendation_reminds_of_dual_recording(copilot, real, question, customer_id):
    answer = copilot.chat("A001", question, customer_id=customer_id)
    named = [p for p in real.catalog.all() if p.name in answer.answer]
    assert named and all(p.risk_rank <= 3 for p in named), answer.answer
    assert "双录" in answer.answer or "录音录像" in answer.answer, answer.answer
    assert "在其可购买范围内" not in answer.answer


def test_an_elderly_customers_product_question_reminds_of_dual_recording(copilot):
    answer = copilot.chat("A001", "稳享90天持有期理财的起购金额是多少？", customer_id="C00079")
    assert "1万" in answer.answer, answer.answer
    assert "双录" in answer.answer or "录音录像" in answer.answer, answer.answer
    assert "在其可购买范围内" not in answer.answer


@pytest.mark.parametrize("question", ["帮我推荐一只明天会涨的股票", "推荐一只下周能涨停的股票给客户"])
def test_a_stock_tip_is_refused_not_answered_with_products(copilot, real, question):
    answer = copilot.chat("A001", question)
    assert answer.answer.startswith("知识库中没有找到"), answer.answer
    assert answer.citations == [] and not any(p.name in answer.answer for p in real.catalog.all())


def test_a_comparison_names_both_catalog_products_with_their_facts(copilot):
    answer = copilot.chat("A001", "天天利和大额存单有什么区别")
    assert "星河天天利现金管理理财" in answer.answer and "大额存单" in answer.answer, answer.answer
    sides = [line for line in answer.answer.split("\n") if "：" in line]
    cash = next(line for line in sides if line.startswith("星河天天利现金管理理财"))
    deposit = next(line for line in sides if line.startswith("星河乐享大额存单"))
    assert re.search(r"\d", cash) and "简称" not in cash, cash  # a fact, not the product's nickname
    assert "20万" in deposit, deposit


def test_a_medical_need_is_not_met_with_a_credit_card(copilot, real):
    described = copilot.chat("A001", "客户有社保，但担心得大病医疗费太高，推荐什么？")
    named = [p for p in real.catalog.all() if p.name in described.answer]
    assert named and all(p.type == "insurance" for p in named), described.answer
    tagged = copilot.chat("A001", "这位客户适合什么产品？", customer_id="C00045")  # need tag 医疗健康
    cards = [p.name for p in real.catalog.all() if p.type == "card"]
    for line in tagged.answer.split("\n"):
        if any(card in line for card in cards):
            assert "医疗健康" not in line, line  # a card may fit other tags, never the medical need


def test_recommendation_reasons_differ_from_product_to_product(copilot):
    answer = copilot.chat("A001", "客户测评C2稳健型，有10万一年内不用，想比定期收益高一点，有什么可以介绍？")
    lines = [line for line in answer.answer.split("\n") if line.startswith(("①", "②", "③"))]
    reasons = [line.split("：", 1)[1] for line in lines]
    assert len(reasons) >= 2 and len(set(reasons)) == len(reasons)


@pytest.mark.parametrize("question, required", [
    ("一年期和三年期大额存单利率分别多少？", ("1.40%", "1.70%")),
    ("稳享30天和稳享90天起购金额有什么区别？", ("1元", "1万")),
])
def test_a_comparison_states_both_products(copilot, question, required):
    answer = copilot.chat("A001", question)
    assert all(fact in answer.answer for fact in required), answer.answer
    assert answer.route == "compare"


@pytest.mark.parametrize("first", ["私行专属的尊盈理财封闭期多长？", "星河私享尊盈固收增强理财（私行专属）的封闭期多长？",
                                   "尊盈固收增强理财的起购金额是多少？"])
def test_a_product_with_a_suffix_in_its_name_keeps_the_topic(copilot, first):
    *_, answer = converse(copilot, first, "它的业绩比较基准是多少？")
    assert cited_products(answer) == {"WM012"} and "3.20%" in answer.answer


def test_a_yes_no_question_opens_with_the_verdict(copilot):
    answer = copilot.chat("A001", "挂钩黄金的结构性存款能提前取出来吗？")
    assert answer.answer.startswith("不能"), answer.answer


@pytest.mark.parametrize("question, expected", [
    ("咱们行现在有哪些结构性存款在卖？", {"DP005", "DP006"}),
    ("我们代销的基金里哪些是R5的？", {"FD007", "FD008"}),
])
def test_a_question_listing_a_kind_of_product_enumerates_the_catalogue(copilot, real, question, expected):
    answer = copilot.chat("A001", question)
    assert {p.id for p in real.catalog.all() if p.name in answer.answer} == expected, answer.answer
    assert cited_products(answer) == expected


def test_a_short_question_naming_a_kind_of_product_starts_a_new_topic(copilot, real):
    *_, cards = converse(copilot, "大额存单的起存金额是多少？", "信用卡有哪些？")
    assert "大额存单" not in cards.rewritten_question
    assert cited_products(cards) and all(real.catalog.get(pid).type == "card" for pid in cited_products(cards))


def test_a_minimum_asked_in_everyday_words_gets_the_amount(copilot):
    answer = copilot.chat("A001", "稳享90天最低买多少？")
    assert "1万元" in answer.answer, answer.answer


def test_a_kind_of_product_the_bank_does_not_sell_is_refused(copilot):
    answer = copilot.chat("A001", "客户家的狗想买宠物医疗险，我们有吗？")
    assert answer.answer.startswith("知识库中没有找到") and answer.citations == [], answer.answer


def test_it_in_a_follow_up_is_the_topic_not_a_product_one_word_matches(copilot):
    *_, answer = converse(copilot, "钻石信用卡谁可以申请？", "年费多少？", "那它的就医协助能报销医药费吗？")
    assert cited_products(answer) == {"CD004"}, answer.answer
    assert answer.answer.startswith("不能"), answer.answer  # 报销须通过医保: not through this service


def test_a_list_question_keeps_what_it_asks_even_when_the_product_name_says_it(copilot):
    answer = copilot.chat("A001", "小微抵押经营贷可以拿哪些房产做抵押？")  # 抵押 is in the name and is what is asked
    assert all(kind in answer.answer for kind in ("住宅", "商铺", "厂房")), answer.answer
