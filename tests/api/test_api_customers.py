"""Customers, events, products, sessions and auth on the real stack (session-built demo home)."""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.slow

PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")


def test_customer_list_is_the_advisors_own_masked_customers(api, a001):
    response = api.get("/api/v1/customers", headers=a001)
    customers = response.json()
    assert response.status_code == 200 and customers
    assert {c["advisor_id"] for c in customers} == {"A001"}
    assert all("*" in c["name"] for c in customers)
    assert not PHONE.search(response.text) and not ID_NUMBER.search(response.text)


def test_customer_search_narrows_the_list(api, a001, own_customer):
    found = api.get("/api/v1/customers", params={"search": own_customer}, headers=a001).json()
    assert [c["id"] for c in found] == [own_customer]
    assert api.get("/api/v1/customers", params={"search": "没有这样的客户zz"}, headers=a001).json() == []


def test_customer_detail_has_three_tag_layers_holdings_and_masked_pii(api, a001, own_customer):
    customer = api.get(f"/api/v1/customers/{own_customer}", headers=a001).json()
    assert set(customer["tags"]) >= {"basic", "behavior", "need"}
    for tag in (t for layer in customer["tags"].values() for t in layer):
        assert tag["source"] and tag["updated_at"] and isinstance(tag["stale"], bool)
    assert re.fullmatch(r"\d{3}\*{4}\d{4}", customer["phone"])
    assert "*" in customer["id_number"] and "*" in customer["name"]
    assert isinstance(customer["holdings"], list) and isinstance(customer["events"], list)


def test_read_customer_of_other_advisor_is_404_without_data(api, a001, foreign_customer, use_built_services):
    response = api.get(f"/api/v1/customers/{foreign_customer}", headers=a001)
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}
    masked_name = use_built_services.customers.get(foreign_customer).name
    assert masked_name not in response.text


def test_missing_customer_is_404_like_a_foreign_one(api, a001):
    assert api.get("/api/v1/customers/C99999", headers=a001).status_code == 404


def test_upcoming_events_are_the_advisors_own(api, a001, use_built_services):
    events = api.get("/api/v1/events", params={"within_days": 60}, headers=a001).json()
    own_ids = {c.id for c in use_built_services.customers.list(advisor_id="A001")}
    assert events and {e["customer_id"] for e in events} <= own_ids
    assert all("*" in e["name"] and e["event"]["kind"] for e in events)


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer revoked-or-invented"}])
def test_customers_without_valid_token_is_401(api, headers):
    response = api.get("/api/v1/customers", headers=headers)
    assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "Bearer"


def test_me_names_the_advisor_of_the_token(api, a002):
    assert api.get("/api/v1/me", headers=a002).json()["id"] == "A002"


def test_products_have_risk_levels_and_filter_by_type(api, a001):
    products = api.get("/api/v1/products", headers=a001).json()
    assert products and all(re.fullmatch(r"R[1-5]", p["risk_level"]) for p in products)
    wealth = api.get("/api/v1/products", params={"type": "wealth"}, headers=a001).json()
    assert wealth and {p["type"] for p in wealth} == {"wealth"}
    assert api.get(f"/api/v1/products/{wealth[0]['id']}", headers=a001).json()["name"] == wealth[0]["name"]


@pytest.mark.parametrize("path", ["/api/v1/products/ZZ999", "/api/v1/products?type=stocks"])
def test_bad_product_requests_are_4xx(api, a001, path):
    assert api.get(path, headers=a001).status_code in (404, 422)


def test_sessions_are_listed_read_and_deleted_per_advisor(api, a001, a002):
    session_id = api.post("/api/v1/chat", json={"message": "大额存单怎么买？"}, headers=a001).json()["session_id"]
    assert session_id in {s["id"] for s in api.get("/api/v1/sessions", headers=a001).json()}
    messages = api.get(f"/api/v1/sessions/{session_id}/messages", headers=a001).json()
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert api.get(f"/api/v1/sessions/{session_id}/messages", headers=a002).status_code == 404
    assert api.delete(f"/api/v1/sessions/{session_id}", headers=a002).status_code == 404
    assert api.delete(f"/api/v1/sessions/{session_id}", headers=a001).status_code == 204
    assert api.get(f"/api/v1/sessions/{session_id}/messages", headers=a001).status_code == 404
