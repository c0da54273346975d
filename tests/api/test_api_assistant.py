"""Chat, streaming, scripts and the compliance check on the real stack (session-built demo home)."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from rm_copilot.compliance.audit import AuditRecord

pytestmark = pytest.mark.slow

DESIGN_FINDING_FIELDS = {"rule_id", "category", "severity", "start", "end", "matched", "message", "suggestion"}


def _events(response) -> list[tuple[str, str]]:
    events, name, data = [], None, []
    for line in response.text.splitlines():
        if not line:
            if data:
                events.append((name, "\n".join(data)))
            name, data = None, []
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
    return events


def test_chat_answers_a_product_question_with_numbered_citations(api, a001):
    response = api.post("/api/v1/chat", json={"message": "星河稳享90天持有期理财的业绩比较基准是多少？"}, headers=a001)
    answer = response.json()
    assert response.status_code == 200
    assert answer["answer"] and answer["session_id"]
    assert answer["citations"] and all(c["chunk_id"] and c["title"] and c["source"] for c in answer["citations"])
    assert answer["compliance"]["verdict"] in {"pass", "rewrite"}


def test_chat_stream_sends_checked_deltas_then_one_done(api, a001, own_customer, use_built_services):
    response = api.post(
        "/api/v1/chat/stream", json={"message": "这位客户适合什么理财？", "customer_id": own_customer}, headers=a001
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = _events(response)
    names = [name for name, _ in events]
    assert names[-1] == "done" and names.count("done") == 1 and set(names[:-1]) == {"delta"}
    context = use_built_services.customers.compliance_context(own_customer)
    for _, sentence in events[:-1]:
        assert use_built_services.compliance.check(sentence, customer=context).verdict == "pass", sentence
    done = json.loads(events[-1][1])
    assert set(done) == {"session_id", "answer", "citations", "compliance", "rewritten_question", "route"}
    assert all(sentence.strip() in done["answer"] for _, sentence in events[:-1])


@pytest.mark.parametrize("path,body", [
    ("/api/v1/chat", {"message": "这位客户适合什么？"}),
    ("/api/v1/chat/stream", {"message": "这位客户适合什么？"}),
    ("/api/v1/scripts", {}),
    ("/api/v1/compliance/check", {"text": "您好"}),
])
def test_naming_another_advisors_customer_is_404(api, a001, foreign_customer, path, body):
    response = api.post(path, json={**body, "customer_id": foreign_customer}, headers=a001)
    assert response.status_code == 404 and set(response.json()) == {"detail"}


def test_continuing_another_advisors_session_is_404(api, a001, a002):
    session_id = api.post("/api/v1/chat", json={"message": "存款保险保多少？"}, headers=a002).json()["session_id"]
    response = api.post("/api/v1/chat", json={"message": "继续", "session_id": session_id}, headers=a001)
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/api/v1/chat", "/api/v1/chat/stream"])
def test_a_session_keeps_its_customer_another_is_a_chinese_400(api, a001, use_built_services, path):
    first, second = (c.id for c in use_built_services.customers.list(advisor_id="A001", limit=2))
    started = api.post("/api/v1/chat", json={"message": "存款保险保多少？", "customer_id": first}, headers=a001).json()
    response = api.post(path, json={"message": "存款保险保多少？", "customer_id": second,
                                    "session_id": started["session_id"]}, headers=a001)
    assert response.status_code == 400 and "一个会话只对应一位客户" in response.json()["detail"]


@pytest.mark.parametrize("path,body", [
    ("/api/v1/chat", {}),
    ("/api/v1/chat", {"message": ""}),
    ("/api/v1/chat/stream", {"message": None}),
    ("/api/v1/scripts", {"customer_id": "C00001", "variants": 0}),
    ("/api/v1/scripts", {"customer_id": "C00001", "scenario": "lottery"}),
    ("/api/v1/scripts", {"customer_id": "C00001", "channel": "fax"}),
    ("/api/v1/compliance/check", {"text": "你好", "product_type": "crypto"}),
    ("/api/v1/compliance/check", {}),
])
def test_invalid_bodies_are_422(api, a001, path, body):
    assert api.post(path, json=body, headers=a001).status_code == 422


def test_scripts_for_a_customer_pass_compliance_and_cite_the_product(api, a001, own_customer):
    response = api.post(
        "/api/v1/scripts", json={"customer_id": own_customer, "variants": 2, "channel": "wecom"}, headers=a001
    )
    assert response.status_code == 200, response.text
    scripts = response.json()["scripts"]
    assert len(scripts) == 2
    for script in scripts:
        assert script["text"] and script["scenario"] in {"product", "maturity", "birthday", "event", "care"}
        assert script["compliance"]["verdict"] in {"pass", "rewrite"}
        assert script["reasons"]


def test_compliance_check_is_the_design_object_and_is_audited(api, a001, use_built_services):
    text = "本理财产品保本保息，稳赚不赔。"
    with use_built_services.session_factory() as session:
        before = session.scalar(select(func.count()).select_from(AuditRecord))
    result = api.post("/api/v1/compliance/check", json={"text": text, "product_type": "wealth"}, headers=a001).json()
    assert set(result) == {"verdict", "text", "findings", "rulebook_version"}
    assert result["verdict"] == "block"
    for finding in result["findings"]:
        assert DESIGN_FINDING_FIELDS <= set(finding)
        assert text[finding["start"]:finding["end"]] == finding["matched"]
    assert result == use_built_services.compliance.check(text, product_type="wealth").to_dict()
    with use_built_services.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(AuditRecord)) == before + 1


def test_compliance_check_masks_a_phone_number_as_a_rewrite(api, a001):
    result = api.post("/api/v1/compliance/check", json={"text": "客户电话13812345678，请回电。"}, headers=a001).json()
    assert result["verdict"] == "rewrite"
    assert "13812345678" not in result["text"]
