"""An advisor never reads or acts on another advisor's customers, sessions, campaigns or events."""
from __future__ import annotations

import json

import pytest

from security_support import PLANTED_NAME, bearer

pytestmark = pytest.mark.slow


def _sessions_of(api, headers) -> set[str]:
    return {s["id"] for s in api.get("/api/v1/sessions", headers=headers).json()}


def test_another_advisors_session_is_404_everywhere_and_stays_intact(api, use_built_services, a001, a002):
    started = api.post("/api/v1/chat", json={"message": "大额存单起存金额是多少"}, headers=a001)
    session_id = started.json()["session_id"]
    use_built_services.sessions.flush()

    reads = [
        api.get(f"/api/v1/sessions/{session_id}/messages", headers=a002),
        api.delete(f"/api/v1/sessions/{session_id}", headers=a002),
        api.post("/api/v1/chat", json={"message": "继续", "session_id": session_id}, headers=a002),
        api.post("/api/v1/chat/stream", json={"message": "继续", "session_id": session_id}, headers=a002),
    ]

    assert [r.status_code for r in reads] == [404] * 4
    assert all("起存" not in r.text for r in reads)
    assert session_id not in _sessions_of(api, a002)
    use_built_services.sessions.flush()
    owner_view = api.get(f"/api/v1/sessions/{session_id}/messages", headers=a001)
    assert owner_view.status_code == 200 and len(owner_view.json()) == 2  # nothing appended by A002


def test_unknown_session_id_in_chat_is_404_not_a_new_session_under_that_id(api, a001):
    response = api.post("/api/v1/chat", json={"message": "你好", "session_id": "chosen-by-client"}, headers=a001)
    assert response.status_code == 404


@pytest.mark.parametrize("route", ["customer", "scripts", "chat", "stream", "check"])
def test_another_advisors_customer_is_404_on_every_route(api, a001, foreign_customer, route):
    calls = {
        "customer": lambda: api.get(f"/api/v1/customers/{foreign_customer}", headers=a001),
        "scripts": lambda: api.post("/api/v1/scripts", json={"customer_id": foreign_customer}, headers=a001),
        "chat": lambda: api.post("/api/v1/chat", json={"message": "客户情况", "customer_id": foreign_customer},
                                 headers=a001),
        "stream": lambda: api.post("/api/v1/chat/stream",
                                   json={"message": "客户情况", "customer_id": foreign_customer}, headers=a001),
        "check": lambda: api.post("/api/v1/compliance/check",
                                  json={"text": "这款理财适合您", "customer_id": foreign_customer,
                                        "product_type": "fund"}, headers=a001),
    }
    response = calls[route]()
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}


def test_compliance_check_with_a_foreign_customer_leaks_neither_name_nor_risk(private, private_api):
    # C90002 (司马青云, C2) belongs to A002; A001 names the customer in the text.
    response = private_api.post(
        "/api/v1/compliance/check",
        json={"text": "司马青云您好，这款R5基金很适合您", "customer_id": "C90002", "product_type": "fund"},
        headers=bearer(private, "A001"),
    )
    assert response.status_code == 404
    assert "C2" not in response.text and "司马*" not in response.text


def test_customer_search_and_events_cover_only_own_customers(private, private_api):
    headers = bearer(private, "A002")
    found = private_api.get("/api/v1/customers", params={"search": PLANTED_NAME}, headers=headers).json()
    by_id = private_api.get("/api/v1/customers", params={"search": "C90001"}, headers=headers).json()
    events = private_api.get("/api/v1/events", params={"within_days": 366}, headers=headers).json()
    assert found == [] and by_id == []
    assert all(event["customer_id"] != "C90001" for event in events)


def test_events_list_only_own_customers(api, use_built_services, a001):
    own = {c.id for c in use_built_services.customers.list(advisor_id="A001")}
    events = api.get("/api/v1/events", params={"within_days": 366}, headers=a001).json()
    assert events and {e["customer_id"] for e in events} <= own


@pytest.mark.parametrize("segment", [
    "all) or (all",
    "need:education) or (all",
    "advisor:A001) or (advisor:A002",
    "not (all) or (all",
])
def test_campaign_segment_cannot_break_out_of_the_advisor_scope(api, use_built_services, a001, segment):
    response = api.post("/api/v1/campaigns", json={"product_id": "DP003", "segment": segment, "limit": 30},
                        headers=a001)
    if response.status_code == 202:
        api.app.state.campaign_jobs.wait(timeout=300)
        rows = api.get(f"/api/v1/campaigns/{response.json()['id']}/results", headers=a001).text.splitlines()
        own = {c.id for c in use_built_services.customers.list(advisor_id="A001")}
        assert {json.loads(row)["customer_id"] for row in rows} <= own
    else:
        assert response.status_code in (400, 422)
        assert set(response.json()) == {"detail"}


def test_campaign_with_a_foreign_customer_id_is_refused(api, a001, foreign_customer):
    response = api.post("/api/v1/campaigns", json={"product_id": "DP003", "customer_ids": [foreign_customer]},
                        headers=a001)
    assert response.status_code == 404


def test_another_advisors_campaign_is_404(api, a001, a002):
    job = api.post("/api/v1/campaigns", json={"product_id": "DP003", "segment": "all", "limit": 1}, headers=a001)
    job_id = job.json()["id"]
    api.app.state.campaign_jobs.wait(timeout=300)
    assert api.get(f"/api/v1/campaigns/{job_id}", headers=a002).status_code == 404
    results = api.get(f"/api/v1/campaigns/{job_id}/results", headers=a002)
    assert results.status_code == 404 and set(results.json()) == {"detail"}


@pytest.mark.parametrize("job_id", ["..%2F..%2Fetc%2Fpasswd", "%2e%2e", "..", "x" * 300])
def test_campaign_ids_are_not_paths(api, a001, job_id):
    for path in (f"/api/v1/campaigns/{job_id}", f"/api/v1/campaigns/{job_id}/results"):
        response = api.get(path, headers=a001)
        assert response.status_code in (404, 422)
        assert "root:" not in response.text
