from __future__ import annotations

import pytest

from rm_copilot.assistant.sessions import SessionStore
from rm_copilot.db import create_schema, make_engine, make_session_factory
from rm_copilot.errors import NotFound


@pytest.fixture
def store(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'sessions.db'}")
    create_schema(engine)
    return SessionStore(make_session_factory(engine))


def test_create_append_history_and_list(store):
    session = store.create("A001", customer_id="C00001")
    store.append(session.id, "user", "星河天天利的起购金额？", advisor_id="A001")
    store.append(session.id, "assistant", "1元起购[1]。", advisor_id="A001",
                 citations=[{"source": "s", "title": "t", "product_id": None, "chunk_id": "s#0"}])
    history = store.history(session.id, advisor_id="A001")
    assert [(m.role, m.content) for m in history] == [("user", "星河天天利的起购金额？"), ("assistant", "1元起购[1]。")]
    assert history[1].citations[0]["chunk_id"] == "s#0"
    listed = store.list_for_advisor("A001")
    assert [(s.id, s.title, s.message_count) for s in listed] == [(session.id, "星河天天利的起购金额？", 2)]
    assert [m.content for m in store.history(session.id, advisor_id="A001", limit=1)] == ["1元起购[1]。"]


def test_record_turn_creates_the_session_on_first_use(store):
    session_id = store.new_id()
    store.record_turn(session_id, advisor_id="A001", question="问题", answer="回答", customer_id="C00002")
    store.record_turn(session_id, advisor_id="A001", question="追问", answer="回答二")
    assert store.get(session_id, advisor_id="A001").message_count == 4
    assert store.get(session_id, advisor_id="A001").customer_id == "C00002"


def test_an_advisor_never_sees_another_advisors_session(store):
    session = store.create("A001")
    assert store.list_for_advisor("A002") == []
    for action in (
        lambda: store.history(session.id, advisor_id="A002"),
        lambda: store.append(session.id, "user", "x", advisor_id="A002"),
        lambda: store.delete(session.id, advisor_id="A002"),
        lambda: store.record_turn(session.id, advisor_id="A002", question="q", answer="a"),
    ):
        with pytest.raises(NotFound):
            action()
    assert store.get(session.id, advisor_id="A001").id == session.id


def test_delete_removes_the_session_and_its_messages(store):
    session = store.create("A001")
    store.append(session.id, "user", "x", advisor_id="A001")
    store.delete(session.id, advisor_id="A001")
    assert store.list_for_advisor("A001") == []
    with pytest.raises(NotFound):
        store.history(session.id, advisor_id="A001")


def test_a_recorded_turn_keeps_order_citations_title_and_masks_pii(store):
    session_id = store.new_id()
    cited = [{"source": "faq/a.md", "title": "开户资料", "product_id": None, "chunk_id": "faq/a#1"}]
    store.record_turn(session_id, advisor_id="A001", question="客户电话13812345678，开户要带什么？",
                      answer="带本人身份证件[1]。", citations=cited)
    first = store.get(session_id, advisor_id="A001")
    store.record_turn(session_id, advisor_id="A001", question="还要别的吗？", answer="不需要。")
    history = store.history(session_id, advisor_id="A001")
    assert [(m.role, m.content, m.citations) for m in history] == [
        ("user", "客户电话138****5678，开户要带什么？", None), ("assistant", "带本人身份证件[1]。", cited),
        ("user", "还要别的吗？", None), ("assistant", "不需要。", None),
    ]
    again = store.get(session_id, advisor_id="A001")
    assert again.title == first.title == "客户电话138****5678，开户要带什么？"[:30]
    assert again.updated_at >= first.updated_at and again.created_at == first.created_at
