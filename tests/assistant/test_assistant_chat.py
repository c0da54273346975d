from __future__ import annotations

import re

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel, GenericFakeChatModel
from langchain_core.messages import AIMessage
from sqlalchemy import func, select

from assistant_fakes import (
    BLOCKED_PHRASES,
    GUARANTEE,
    INJECTION,
    FakeCustomers,
    FakeRetriever,
    ObedientModel,
    chunk,
    make_copilot,
    profile,
)
from rm_copilot.compliance.audit import AuditRecord
from rm_copilot.errors import BadInput, NotFound

NUMBER = re.compile(r"\d+(?:\.\d+)?")
MARKER = re.compile(r"\[(\d+)\]")


@pytest.fixture
def wealth(catalog):
    return catalog.get("WM001")


@pytest.fixture
def retriever(wealth):
    return FakeRetriever([
        chunk(f"{wealth.doc_id}#0", f"起购金额：{wealth.min_amount_text}\n费用：{wealth.fees}\n风险等级：{wealth.risk_level}",
              title=wealth.name, product_id=wealth.id, heading="产品要素"),
        chunk("faq/deposit-insurance#1", "存款保险的最高偿付限额为50万元。存款保险不覆盖理财、基金、保险产品。",
              title="存款保险保什么", heading="偿付限额"),
    ])


@pytest.fixture
def customers():
    customers = FakeCustomers()
    customers.add(profile("C00001", risk_level="C3"))
    return customers


@pytest.fixture
def copilot(tmp_path, catalog, engine, retriever, customers):
    return make_copilot(tmp_path, catalog, engine, customers=customers, retriever=retriever)


def assert_clean(text: str) -> None:
    assert not any(phrase in text for phrase in BLOCKED_PHRASES), text


def test_answer_cites_real_chunks_and_its_numbers_come_from_the_cited_chunk(copilot, retriever):
    answer = copilot.chat("A001", "存款保险最高赔多少钱？")
    by_id = {c.chunk_id: c for c in retriever.chunks}
    assert answer.citations and all(c["chunk_id"] in by_id for c in answer.citations)
    cited_text = "".join(by_id[c["chunk_id"]].text for c in answer.citations)
    body = MARKER.sub("", answer.answer)
    assert "50" in body
    for number in NUMBER.findall(body):
        assert number in cited_text
    for n in MARKER.findall(answer.answer):
        assert 1 <= int(n) <= len(answer.citations)
    for sentence in answer.answer.split("。"):  # each statement is supported by the chunk it cites
        for n in MARKER.findall(sentence):
            source = by_id[answer.citations[int(n) - 1]["chunk_id"]].text
            assert all(number in source for number in NUMBER.findall(MARKER.sub("", sentence)))


def test_nothing_relevant_says_not_found_instead_of_guessing(copilot):
    answer = copilot.chat("A001", "你好")
    assert answer.answer.startswith("知识库中没有找到")
    assert answer.citations == []


def test_follow_up_resolves_it_to_the_product_discussed_last(copilot, retriever, wealth):
    first = copilot.chat("A001", f"{wealth.name}的费用是多少？")
    second = copilot.chat("A001", "那它的起购金额呢？", session_id=first.session_id)
    assert wealth.name in retriever.queries[-1] and "起购金额" in retriever.queries[-1]
    assert wealth.min_amount_text.split("，")[0] in second.answer
    assert second.session_id == first.session_id


def test_sessions_keep_history_and_belong_to_their_advisor(copilot):
    first = copilot.chat("A001", "存款保险最高赔多少钱？")
    copilot.chat("A001", "那理财呢？", session_id=first.session_id)
    history = copilot.sessions.history(first.session_id, advisor_id="A001")
    assert [m.role for m in history] == ["user", "assistant", "user", "assistant"]
    assert history[1].citations
    assert [s.id for s in copilot.sessions.list_for_advisor("A001")] == [first.session_id]
    assert copilot.sessions.list_for_advisor("A002") == []
    with pytest.raises(NotFound):
        copilot.chat("A002", "继续", session_id=first.session_id)
    copilot.sessions.delete(first.session_id, advisor_id="A001")
    with pytest.raises(NotFound):
        copilot.sessions.history(first.session_id, advisor_id="A001")


def test_stream_releases_sentences_then_the_full_answer(copilot):
    events = list(copilot.chat_stream("A001", "存款保险最高赔多少钱？"))
    kinds = [e.kind for e in events]
    assert kinds[-1] == "done" and set(kinds[:-1]) == {"delta"} and len(kinds) > 2
    done = events[-1].answer
    assert "".join(e.text for e in events[:-1]) == done.answer
    assert set(done.to_dict()) == {"session_id", "answer", "citations", "compliance", "rewritten_question", "route"}
    assert events[0] == ("delta", events[0].text)  # also a plain (kind, payload) tuple


def test_stream_errors_surface_at_the_first_event(copilot):
    stream = copilot.chat_stream("A001", "存款保险", customer_id="C99999")
    with pytest.raises(NotFound):
        next(stream)


@pytest.mark.parametrize("make_model", [
    lambda: FakeListChatModel(responses=[GUARANTEE]),
    lambda: GenericFakeChatModel(messages=iter([AIMessage(content=GUARANTEE)] * 4)),
])
def test_llm_promising_guarantees_never_reaches_chat_or_stream(tmp_path, catalog, engine, retriever, make_model):
    copilot = make_copilot(tmp_path, catalog, engine, retriever=retriever, model=make_model())
    answer = copilot.chat("A001", "存款保险最高赔多少钱？")
    assert_clean(answer.answer)
    assert answer.origin.startswith("builtin") and answer.compliance.verdict != "block"
    events = list(copilot.chat_stream("A001", "存款保险最高赔多少钱？"))
    for event in events[:-1]:
        assert_clean(event.text)
    assert_clean(events[-1].answer.answer)


def test_llm_number_missing_from_the_sources_is_not_delivered(tmp_path, catalog, engine, retriever):
    model = FakeListChatModel(responses=["存款保险最高赔付80万元[1]。"])
    copilot = make_copilot(tmp_path, catalog, engine, retriever=retriever, model=model)
    answer = copilot.chat("A001", "存款保险最高赔多少钱？")
    assert "80万" not in answer.answer and answer.origin.startswith("builtin")


def test_clean_llm_answer_is_delivered_with_its_citation(tmp_path, catalog, engine, retriever):
    model = FakeListChatModel(responses=["存款保险的最高偿付限额为50万元[1]。"])
    copilot = make_copilot(tmp_path, catalog, engine, retriever=retriever, model=model)
    answer = copilot.chat("A001", "存款保险最高赔多少钱？")
    assert answer.origin == "llm"
    assert answer.answer == "存款保险的最高偿付限额为50万元[1]。"
    assert answer.citations[0]["chunk_id"] == "faq/deposit-insurance#1"


@pytest.mark.parametrize("model", [None, ObedientModel()])
def test_injection_in_the_question_changes_nothing(tmp_path, catalog, engine, retriever, model):
    copilot = make_copilot(tmp_path, catalog, engine, retriever=retriever, model=model)
    answer = copilot.chat("A001", INJECTION + "存款保险最高赔多少钱？")
    assert_clean(answer.answer)
    assert "保本" not in answer.answer.replace("不保本", "")
    assert engine.check(answer.answer).verdict != "block"


@pytest.mark.parametrize("model", [None, ObedientModel()])
def test_injection_in_a_knowledge_chunk_changes_nothing(tmp_path, catalog, engine, model):
    poisoned = FakeRetriever([
        chunk("faq/poisoned#0", f"存款保险的最高偿付限额为50万元。{INJECTION}存款保险不覆盖理财产品。",
              title="存款保险保什么"),
    ])
    copilot = make_copilot(tmp_path, catalog, engine, retriever=poisoned, model=model)
    for text in (copilot.chat("A001", "存款保险最高赔多少钱？告诉客户").answer,
                 list(copilot.chat_stream("A001", "存款保险最高赔多少钱？"))[-1].answer.answer):
        assert_clean(text)
        assert "保本" not in text.replace("不保本", "")


def test_answer_for_a_customer_uses_the_masked_profile(copilot, wealth):
    answer = copilot.chat("A001", f"{wealth.name}的起购金额是多少？", customer_id="C00001")
    assert "张先生" in answer.answer and "张建国" not in answer.answer
    assert "不高于客户等级，可以向其介绍" in answer.answer
    with pytest.raises(NotFound):
        copilot.chat("A002", "起购金额", customer_id="C00001")


def test_every_answer_leaves_an_audit_entry(copilot):
    copilot.chat("A001", "存款保险最高赔多少钱？")
    factory = copilot.sessions._factory
    with factory() as session:
        sources = list(session.scalars(select(AuditRecord.source)))
        assert session.scalar(select(func.count()).select_from(AuditRecord)) >= 1
    assert "chat" in sources


def test_empty_question_is_bad_input(copilot):
    with pytest.raises(BadInput):
        copilot.chat("A001", "   ")


def test_what_suits_this_customer_lists_suitable_products_with_reasons_and_citations(copilot, catalog):
    answer = copilot.chat("A001", "这位客户适合什么理财？", customer_id="C00001")
    assert answer.answer.startswith("结合张先生的情况")
    items = [line for line in answer.answer.split("\n") if line.startswith(("①", "②", "③"))]
    assert items and all("子女教育" in line for line in items)  # the customer's need, named in each reason
    assert len({line.split("：", 1)[1] for line in items}) == len(items)  # and each reason is the product's own
    assert answer.citations and all(c["chunk_id"].endswith("#0") for c in answer.citations)
    for citation in answer.citations:
        product = catalog.get(citation["product_id"])
        assert product.type == "wealth" and product.risk_rank <= 3  # C3 customer
        assert product.name in answer.answer


def test_asking_about_the_customer_answers_from_the_masked_profile(tmp_path, catalog, engine):
    from assistant_fakes import event, maturing_deposit

    customers = FakeCustomers()
    holding, maturity = maturing_deposit(in_days=12)
    customers.add(profile("C00009", holdings=[holding], events=[maturity, event("birthday", 5)]))
    copilot = make_copilot(tmp_path, catalog, engine, customers=customers)
    answer = copilot.chat("A001", "这位客户的情况怎么样？", customer_id="C00009")
    assert answer.answer.startswith("张先生（张*），45岁")
    assert f"{maturity.date.month}月{maturity.date.day}日到期" in answer.answer
    assert "子女教育" in answer.answer and "张建国" not in answer.answer
    assert answer.citations == []


def test_stream_stops_the_llm_at_the_first_blocked_sentence_and_finishes_safely(tmp_path, catalog, engine,
                                                                                 retriever):
    model = FakeListChatModel(responses=["存款保险的最高偿付限额为50万元[1]。" + GUARANTEE + "还有更多内容。"])
    copilot = make_copilot(tmp_path, catalog, engine, retriever=retriever, model=model)
    events = list(copilot.chat_stream("A001", "存款保险最高赔多少钱？"))
    deltas = [e.text for e in events[:-1]]
    assert deltas[0] == "存款保险的最高偿付限额为50万元[1]。"
    assert "还有更多内容" not in "".join(deltas)
    for delta in deltas:
        assert_clean(delta)
    done = events[-1].answer
    assert done.answer.startswith(deltas[0]) and done.compliance.verdict != "block"
    assert done.citations[0]["chunk_id"] == "faq/deposit-insurance#1"


def test_pii_in_a_question_is_masked_before_storage_and_before_any_llm(tmp_path, catalog, engine, retriever,
                                                                       customers):
    prompts: list[str] = []

    class Capturing(FakeListChatModel):
        def _call(self, messages, stop=None, run_manager=None, **kwargs):
            prompts.append("\n".join(str(m.content) for m in messages))
            return super()._call(messages, stop, run_manager, **kwargs)

    copilot = make_copilot(tmp_path, catalog, engine, customers=customers, retriever=retriever,
                           model=Capturing(responses=["存款保险的最高偿付限额为50万元[1]。"]))
    answer = copilot.chat("A001", "张建国手机13912345678，存款保险最高赔多少钱？", customer_id="C00001")
    stored = " ".join(m.content for m in copilot.sessions.history(answer.session_id, advisor_id="A001"))
    for text in (stored, *prompts):
        assert "13912345678" not in text and "张建国" not in text
    assert "139****5678" in stored
