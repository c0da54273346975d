"""No unmasked ID, phone, card number or full name leaves the service: answers, SSE, storage, logs."""
from __future__ import annotations

import io
import json
import logging

import pytest
from sqlalchemy import select, text

from rm_copilot.compliance.audit import AuditRecord
from rm_copilot.logging_setup import configure_logging
from security_support import PLANTED_CARD, PLANTED_ID_NUMBER, PLANTED_NAME, PLANTED_PHONE, bearer

pytestmark = pytest.mark.slow

RAW = (PLANTED_PHONE, PLANTED_ID_NUMBER, PLANTED_CARD, PLANTED_NAME)


def _leaks(blob: str) -> list[str]:
    return [value for value in RAW if value in blob]


def test_customer_detail_masks_personal_data_written_in_the_note(private, private_api):
    response = private_api.get("/api/v1/customers/C90001", headers=bearer(private, "A001"))

    assert response.status_code == 200
    assert _leaks(response.text) == []
    assert "139****5678" in response.json()["note"]


def test_customer_list_and_events_carry_no_raw_personal_data(private, private_api):
    headers = bearer(private, "A001")
    for path in ("/api/v1/customers", "/api/v1/events?within_days=366"):
        response = private_api.get(path, headers=headers)
        assert response.status_code == 200
        assert _leaks(response.text) == []


def test_customer_detail_masks_personal_data_in_event_details(private, private_api):
    response = private_api.get("/api/v1/customers/C90001", headers=bearer(private, "A001"))

    assert response.status_code == 200
    assert _leaks(response.text) == []
    assert any("139****5678" in event["detail"] for event in response.json()["events"])


def test_campaign_file_and_results_carry_no_raw_personal_data(private, private_api):
    headers = bearer(private, "A001")
    started = private_api.post("/api/v1/campaigns", headers=headers, json={
        "product_id": "DP003", "customer_ids": ["C90001"], "variants": 2, "channel": "sms",
    })
    assert started.status_code == 202, started.text
    private_api.app.state.campaign_jobs.wait(timeout=300)

    results = private_api.get(f"/api/v1/campaigns/{started.json()['id']}/results", headers=headers)
    files = list((private.settings.resolved_home / "campaigns").rglob("*"))
    written = "".join(path.read_text(encoding="utf-8") for path in files if path.is_file())
    assert results.status_code == 200 and len(results.text.splitlines()) == 2
    assert _leaks(results.text) == [] and _leaks(written) == []


def test_chat_question_with_a_phone_number_is_stored_masked(private, private_api):
    headers = bearer(private, "A001")
    question = f"客户{PLANTED_NAME}的手机 {PLANTED_PHONE} 打不通，大额存单怎么介绍"

    answer = private_api.post("/api/v1/chat", json={"message": question, "customer_id": "C90001"}, headers=headers)
    assert answer.status_code == 200
    session_id = answer.json()["session_id"]
    private.sessions.flush()

    stored = private_api.get(f"/api/v1/sessions/{session_id}/messages", headers=headers)
    listed = private_api.get("/api/v1/sessions", headers=headers)
    assert _leaks(answer.text) == [] and _leaks(stored.text) == [] and _leaks(listed.text) == []
    with private.session_factory() as session:
        rows = session.execute(text("select content from chat_messages")).scalars().all()
        titles = session.execute(text("select title from chat_sessions")).scalars().all()
    assert rows and all(_leaks(value) == [] for value in rows + titles)


def test_chat_about_a_customer_whose_note_has_a_phone_never_answers_it(private, private_api):
    headers = bearer(private, "A001")
    body = {"message": "这位客户的备注里写了什么联系方式", "customer_id": "C90001"}

    answer = private_api.post("/api/v1/chat", json=body, headers=headers)
    stream = private_api.post("/api/v1/chat/stream", json=body, headers=headers)

    assert answer.status_code == 200 and stream.status_code == 200
    assert _leaks(answer.text) == [] and _leaks(stream.text) == []


def test_scripts_for_a_customer_carry_no_raw_personal_data(private, private_api):
    response = private_api.post(
        "/api/v1/scripts", json={"customer_id": "C90001", "variants": 3}, headers=bearer(private, "A001")
    )
    assert response.status_code == 200
    assert _leaks(response.text) == []


def test_compliance_check_masks_text_and_findings_and_audits_only_a_hash(private, private_api):
    raw = f"{PLANTED_NAME}您好，您的卡 {PLANTED_CARD}、手机 {PLANTED_PHONE}、身份证 {PLANTED_ID_NUMBER} 已登记。"

    response = private_api.post(
        "/api/v1/compliance/check", json={"text": raw, "customer_id": "C90001"}, headers=bearer(private, "A001")
    )

    assert response.status_code == 200
    body = response.json()
    assert body["verdict"] == "rewrite"
    assert _leaks(response.text) == []
    assert {f["rule_id"] for f in body["findings"]} >= {"pii.phone", "pii.card", "pii.id_number", "pii.name"}
    with private.session_factory() as session:
        audit = session.scalars(select(AuditRecord)).all()
        dumped = json.dumps([{c.name: str(getattr(r, c.name)) for c in AuditRecord.__table__.columns}
                             for r in audit], ensure_ascii=False)
    assert audit and _leaks(dumped) == []


@pytest.fixture
def written_log():
    """What the service writes with `configure_logging("DEBUG")` (RM_COPILOT_LOG_LEVEL=DEBUG): every logger."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    if hasattr(root, "_rm_copilot_configured"):
        del root._rm_copilot_configured
    configure_logging("DEBUG")
    stream = io.StringIO()
    for handler in [h for h in root.handlers if h not in handlers]:
        handler.setStream(stream)
    yield stream
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
    root.setLevel(level)
    del root._rm_copilot_configured


def test_debug_logs_of_a_full_session_carry_no_raw_personal_data(private, private_api, written_log):
    headers = bearer(private, "A001")
    question = f"{PLANTED_NAME} 手机 {PLANTED_PHONE} 卡号 {PLANTED_CARD} 想了解养老产品"

    private_api.post("/api/v1/chat", json={"message": question, "customer_id": "C90001"}, headers=headers)
    private_api.post("/api/v1/chat/stream", json={"message": question, "customer_id": "C90001"}, headers=headers)
    private_api.get("/api/v1/customers", params={"search": PLANTED_NAME}, headers=headers)
    private_api.get(f"/api/v1/customers/{PLANTED_PHONE}", headers=headers)
    private_api.post("/api/v1/compliance/check", json={"text": question}, headers=headers)
    private.sessions.flush()

    written = written_log.getvalue()
    assert "/api/v1/customers" in written  # the access log was captured
    assert _leaks(written) == []


def test_logged_exception_tracebacks_are_redacted_too(written_log):
    try:
        raise ValueError(f"could not parse row for {PLANTED_PHONE} / {PLANTED_ID_NUMBER}")
    except ValueError:
        logging.getLogger("rm_copilot.api").exception("request failed")

    written = written_log.getvalue()
    assert "ValueError" in written and "request failed" in written
    assert _leaks(written) == []


@pytest.mark.parametrize("text", [
    f"年化{PLANTED_PHONE}%稳拿", f"只剩{PLANTED_PHONE}个名额", f"每天仅{PLANTED_PHONE}元利息",
    f"{PLANTED_NAME}保本保息",
])
def test_wording_findings_never_echo_personal_data_they_overlap(private, private_api, text):
    response = private_api.post("/api/v1/compliance/check", json={"text": text, "customer_id": "C90001"},
                                headers=bearer(private, "A001"))

    assert response.status_code == 200
    assert [f for f in response.json()["findings"] if f["category"] != "pii"]
    assert _leaks(response.text) == []


@pytest.mark.parametrize("text", [
    f"请拨打{PLANTED_PHONE} 3分钟内回复",
    f"客户手机 {PLANTED_PHONE} 2号楼",
    f"GET /api/v1/customers/{PLANTED_PHONE} 404 3ms",
])
def test_mobile_followed_by_another_number_is_still_masked(private, private_api, text):
    response = private_api.post("/api/v1/compliance/check", json={"text": text}, headers=bearer(private, "A001"))

    assert response.status_code == 200
    assert PLANTED_PHONE not in response.text
    assert "139****5678" in response.json()["text"]


def test_prompt_brief_of_a_customer_carries_no_id_phone_card_or_full_name(private):
    brief = private.copilot.brief("C90001", advisor_id="A001")
    dumped = json.dumps(brief, ensure_ascii=False, default=str)
    assert _leaks(dumped) == []
    assert brief["events"] and brief.get("note")
