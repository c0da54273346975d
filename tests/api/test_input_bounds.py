"""Malformed bodies and out-of-range numbers get a Chinese 4xx naming the problem, never a 500."""
from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from api_fakes import FAKE_TOKEN, FakeServices
from rm_copilot.channels.api.app import create_app

HUGE = 10**30
AUTH = {"Authorization": f"Bearer {FAKE_TOKEN}"}


@pytest.fixture
def client() -> TestClient:
    return TestClient(create_app(FakeServices(), prepare_on_startup=False), raise_server_exceptions=False)  # type: ignore[arg-type]


@pytest.mark.parametrize("body", [b"{bad", b'{"message": "hi"', b"\xff\xfe", b'{"message": "hi"}{'])
def test_a_malformed_json_body_is_a_chinese_422(client: TestClient, body: bytes):
    response = client.post("/api/v1/chat", content=body, headers={**AUTH, "Content-Type": "application/json"})
    assert response.status_code == 422
    (item,) = response.json()["detail"]
    assert item["msg"].startswith("请求体不是合法的 JSON") and not re.search(r"[A-Za-z]{4,}", item["msg"].replace("JSON", ""))


@pytest.mark.parametrize(("method", "path", "payload"), [
    ("POST", "/api/v1/scripts", {"customer_id": "C00001", "variants": HUGE}),
    ("POST", "/api/v1/scripts", {"customer_id": "C00001", "variants": 0}),
    ("POST", "/api/v1/outcomes", {"customer_id": "C00001", "kind": "sent", "variant": HUGE}),
    ("POST", "/api/v1/outcomes", {"customer_id": "C00001", "kind": "sent", "variant": -1}),
    ("GET", f"/api/v1/customers?limit={HUGE}", None),
    ("GET", f"/api/v1/customers?offset={HUGE}", None),
    ("GET", "/api/v1/customers?offset=-1", None),
    ("GET", f"/api/v1/events?within_days={HUGE}", None),
])
def test_numbers_out_of_range_are_refused_in_chinese(client: TestClient, method: str, path: str, payload):
    response = client.request(method, path, json=payload, headers=AUTH)
    assert response.status_code == 422, response.text
    messages = [item["msg"] for item in response.json()["detail"]]
    assert any("太大" in m or "太小" in m for m in messages), messages
