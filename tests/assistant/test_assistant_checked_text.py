"""The text shown is the text checked; one customer per session; the rewritten question travels along."""
from __future__ import annotations

import hashlib

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from sqlalchemy import select

from assistant_fakes import FakeCustomers, FakeRetriever, chunk, make_copilot, profile
from rm_copilot.compliance.audit import AuditRecord
from rm_copilot.errors import BadInput


@pytest.fixture
def retriever():
    return FakeRetriever([
        chunk("faq/a#1", "开户需要携带本人有效身份证件。", title="开户资料", heading="资料"),
        chunk("faq/deposit-insurance#1", "存款保险的最高偿付限额为50万元。存款保险不覆盖理财、基金、保险产品。",
              title="存款保险保什么", heading="偿付限额"),
    ])


@pytest.fixture
def customers():
    customers = FakeCustomers()
    customers.add(profile("C00001"))
    customers.add(profile("C00002"))
    return customers


def _audited_hashes(copilot) -> list[str]:
    with copilot.sessions._factory() as session:
        return list(session.scalars(select(AuditRecord.text_sha256).where(AuditRecord.source == "chat")))


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_renumbered_citations_are_in_the_text_the_gate_checked(tmp_path, catalog, engine, retriever):
    model = FakeListChatModel(responses=["存款保险的最高偿付限额为50万元[2]。"])
    copilot = make_copilot(tmp_path, catalog, engine, retriever=retriever, model=model)
    answer = copilot.chat("A001", "开户身份证件，存款保险最高赔多少钱？")  # both chunks retrieved, [2] cited
    assert answer.answer == "存款保险的最高偿付限额为50万元[1]。"
    assert answer.citations[0]["chunk_id"] == "faq/deposit-insurance#1"
    assert _sha(answer.answer) in _audited_hashes(copilot)


def test_the_builtin_answer_shown_is_the_one_audited(tmp_path, catalog, engine, retriever):
    copilot = make_copilot(tmp_path, catalog, engine, retriever=retriever)
    answer = copilot.chat("A001", "存款保险最高赔多少钱？")
    assert "[1]" in answer.answer and _sha(answer.answer) in _audited_hashes(copilot)


def test_a_session_started_for_one_customer_refuses_another(tmp_path, catalog, engine, retriever, customers):
    copilot = make_copilot(tmp_path, catalog, engine, retriever=retriever, customers=customers)
    first = copilot.chat("A001", "存款保险最高赔多少钱？", customer_id="C00001")
    with pytest.raises(BadInput, match="一个会话只对应一位客户"):
        copilot.chat("A001", "存款保险最高赔多少钱？", customer_id="C00002", session_id=first.session_id)
    again = copilot.chat("A001", "存款保险最高赔多少钱？", session_id=first.session_id)
    assert copilot.sessions.get(again.session_id, advisor_id="A001").customer_id == "C00001"


def test_a_session_without_a_customer_cannot_take_one_on(tmp_path, catalog, engine, retriever, customers):
    copilot = make_copilot(tmp_path, catalog, engine, retriever=retriever, customers=customers)
    first = copilot.chat("A001", "存款保险最高赔多少钱？")
    with pytest.raises(BadInput):
        copilot.chat("A001", "存款保险最高赔多少钱？", customer_id="C00001", session_id=first.session_id)


def test_the_stream_refuses_a_customer_switch_at_its_first_event(tmp_path, catalog, engine, retriever, customers):
    copilot = make_copilot(tmp_path, catalog, engine, retriever=retriever, customers=customers)
    first = copilot.chat("A001", "存款保险最高赔多少钱？", customer_id="C00001")
    events = copilot.chat_stream("A001", "开户要带什么？", customer_id="C00002", session_id=first.session_id)
    with pytest.raises(BadInput):
        next(events)


def test_the_rewritten_follow_up_travels_with_the_answer(tmp_path, catalog, engine):
    wealth = catalog.get("WM012")
    retriever = FakeRetriever([chunk(f"{wealth.doc_id}#2", "业绩比较基准为3.20%-4.80%，封闭期2年。", title=wealth.name,
                                     product_id=wealth.id, heading="业绩比较基准")])
    copilot = make_copilot(tmp_path, catalog, engine, retriever=retriever)
    first = copilot.chat("A001", "私行专属的尊盈理财封闭期多长？")
    follow = copilot.chat("A001", "它的业绩比较基准是多少？", session_id=first.session_id).to_dict()
    assert follow["rewritten_question"].startswith(wealth.name) and "3.20%" in follow["answer"]
