"""The HTTP edge on fakes: auth on every route, error mapping, request ids, logs, limits, disconnects."""
from __future__ import annotations

import asyncio
import json
import logging
import re

import pytest
from fastapi.testclient import TestClient

from api_fakes import FAKE_TOKEN, FakeDelta, FakeServices
from rm_copilot.channels.api import create_app
from rm_copilot.channels.api.ratelimit import TokenBucketLimiter
from rm_copilot.channels.api.streaming import sse_events
from rm_copilot.errors import BadInput, NotFound, RulebookError


def _api_operations() -> list[tuple[str, str]]:
    spec = create_app(FakeServices(), prepare_on_startup=False).openapi()  # type: ignore[arg-type]
    return [
        (method.upper(), re.sub(r"\{[^}]+\}", "C00001", path))
        for path, item in spec["paths"].items() if path.startswith("/api/v1")
        for method in item
    ]


@pytest.mark.parametrize("method,path", _api_operations())
@pytest.mark.parametrize("header", [None, "Bearer wrong-token", "Basic dXNlcjpwYXNz", "Bearer"])
def test_every_api_route_refuses_missing_or_bad_token_with_401(fake_client, method, path, header):
    headers = {"Authorization": header} if header else {}
    response = fake_client.request(method, path, headers=headers, json={})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert "令牌" in response.json()["detail"]


def test_healthz_needs_no_token(fake_client):
    assert fake_client.get("/healthz").json() == {"status": "ok"}


@pytest.mark.parametrize("error,status", [
    (NotFound("没有找到客户 C1"), 404),
    (BadInput("问题太长"), 400),
    (RulebookError("规则库 guarantee.yaml 有误"), 503),
])
def test_domain_errors_become_json_with_their_status(fake_client, fake_services, auth, error, status):
    fake_services.copilot.fail_with = error
    response = fake_client.post("/api/v1/chat", json={"message": "你好"}, headers=auth)
    assert response.status_code == status
    assert response.json() == {"detail": str(error)}


def test_unexpected_error_is_json_500_naming_the_request_id_without_internals(fake_client, fake_services, auth):
    fake_services.copilot.fail_with = RuntimeError("db password=hunter2")
    response = fake_client.post("/api/v1/chat", json={"message": "你好"}, headers=auth)
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"
    detail = response.json()["detail"]
    assert response.headers["X-Request-ID"] in detail
    assert "hunter2" not in response.text and "Traceback" not in response.text


def test_request_id_is_generated_or_echoed(fake_client):
    generated = fake_client.get("/healthz").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    echoed = fake_client.get("/healthz", headers={"X-Request-ID": "client-id-12345"})
    assert echoed.headers["X-Request-ID"] == "client-id-12345"
    assert fake_client.get("/healthz", headers={"X-Request-ID": "bad id;\\n"}).headers["X-Request-ID"] != "bad id;\\n"


def test_access_log_carries_request_id_and_path_but_not_the_search_term(fake_client, auth, caplog):
    caplog.set_level(logging.INFO, logger="rm_copilot.api.access")
    response = fake_client.get("/api/v1/customers", params={"search": "张建国"}, headers=auth)
    lines = [r.getMessage() for r in caplog.records if r.name == "rm_copilot.api.access"]
    assert lines and response.headers["X-Request-ID"] in lines[-1]
    assert "/api/v1/customers" in lines[-1] and "200" in lines[-1]
    assert not any("张建国" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("body,field", [
    ({}, "message"),                                      # missing message
    ({"message": "   "}, "message"),                      # blank message
    ({"message": "x" * 2001}, "message"),                 # too long
    ({"message": "你好", "customer_id": "C1'; drop"}, "customer_id"),  # id with odd characters
    ({"message": "你好", "unknown": 1}, "unknown"),        # extra field
    ({"message": 42}, "message"),                         # wrong type
])
def test_invalid_chat_body_is_422_with_chinese_messages(fake_client, auth, body, field):
    response = fake_client.post("/api/v1/chat", json=body, headers=auth)
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert any(field in e["loc"] for e in errors)
    assert all(re.search(r"[\u4e00-\u9fff]", e["msg"]) for e in errors)


def test_malformed_json_is_422_not_500(fake_client, auth):
    response = fake_client.post(
        "/api/v1/chat", content=b"{not json", headers={**auth, "Content-Type": "application/json"}
    )
    assert response.status_code == 422


def test_unknown_route_is_chinese_404(fake_client):
    assert fake_client.get("/api/v1/nothing-here").json() == {"detail": "接口不存在"}


def test_chat_rate_limit_answers_429_with_retry_after_once_the_bucket_is_empty():
    client = TestClient(create_app(FakeServices(rate_limit=2), prepare_on_startup=False))  # type: ignore[arg-type]
    auth = {"Authorization": f"Bearer {FAKE_TOKEN}"}
    statuses = [client.post("/api/v1/chat", json={"message": "你好"}, headers=auth).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    limited = client.post("/api/v1/chat", json={"message": "你好"}, headers=auth)
    assert "频繁" in limited.json()["detail"] and int(limited.headers["Retry-After"]) >= 1
    assert client.get("/api/v1/customers", headers=auth).status_code == 200  # only chat routes are limited


def test_token_bucket_is_per_key_and_refills_with_time():
    now = [0.0]
    limiter = TokenBucketLimiter(per_minute=2, clock=lambda: now[0])
    assert [limiter.acquire("a"), limiter.acquire("a")] == [0, 0]
    assert limiter.acquire("a") == 30          # one request per 30 s at 2/min
    assert limiter.acquire("b") == 0           # another token has its own bucket
    now[0] = 30.0
    assert limiter.acquire("a") == 0


def test_sse_events_close_the_copilot_iterator_when_the_consumer_stops():
    closed = []

    def sentences():
        try:
            for n in range(1000):
                yield FakeDelta(f"第{n}句。")
        finally:
            closed.append(True)

    async def consume_two() -> list[str]:
        events = sentences()
        stream = sse_events(events, next(events))
        received = [(await stream.__anext__()).data, (await stream.__anext__()).data]
        await stream.aclose()
        return received

    assert asyncio.run(consume_two()) == ["第0句。", "第1句。"]
    assert closed == [True]


def test_client_disconnect_stops_generation(fake_services):
    """Drive the ASGI app directly: the client hangs up after the first delta arrives."""
    app = create_app(fake_services, prepare_on_startup=False)  # type: ignore[arg-type]
    body = json.dumps({"message": "介绍一下理财"}).encode()
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/api/v1/chat/stream", "raw_path": b"/api/v1/chat/stream",
        "query_string": b"", "root_path": "", "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80),
        "headers": [(b"authorization", f"Bearer {FAKE_TOKEN}".encode()), (b"content-type", b"application/json")],
    }

    async def run() -> list[dict]:
        sent: list[dict] = []
        hang_up = asyncio.Event()
        delivered = False

        async def receive() -> dict:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            await hang_up.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict) -> None:
            sent.append(message)
            if b"event: delta" in message.get("body", b""):
                hang_up.set()

        await app(scope, receive, send)
        return sent

    sent = asyncio.run(run())
    assert sent[0]["status"] == 200
    assert b"event: delta" in b"".join(m.get("body", b"") for m in sent)
    assert fake_services.copilot.closed.is_set()  # the endless generator was closed, so the call returned


class _RecordingPrepare:
    def __init__(self) -> None:
        self.calls = []

    def __call__(self, services):
        from rm_copilot.services import BootstrapReport

        self.calls.append(services)
        return BootstrapReport(added=1, updated=0, removed=0, unchanged=0, customers_loaded=1)


@pytest.mark.parametrize("customers,chunks,prepare_on_startup,expected_calls", [
    (0, 0, True, 1),     # fresh home: the first start prepares it
    (5, 0, True, 1),     # customers but no index yet
    (5, 9, True, 0),     # ready home: nothing to do
    (0, 0, False, 0),    # tests control preparation themselves
])
def test_startup_prepares_only_an_empty_home(monkeypatch, customers, chunks, prepare_on_startup, expected_calls):
    prepare = _RecordingPrepare()
    monkeypatch.setattr("rm_copilot.services.prepare", prepare)
    services = FakeServices()
    services.customers.count = lambda: customers
    services.knowledge_index = list(range(chunks))
    with TestClient(create_app(services, prepare_on_startup=prepare_on_startup)) as client:  # type: ignore[arg-type]
        assert client.get("/healthz").status_code == 200
    assert len(prepare.calls) == expected_calls


def test_a_body_that_is_not_utf8_gets_a_chinese_400(fake_client, auth):
    response = fake_client.post(
        "/api/v1/chat", content=b'{"message": "\xff\xfe"}', headers={**auth, "Content-Type": "application/json"},
    )
    assert response.status_code in (400, 422)
    assert "There was an error" not in response.text
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(response.json()["detail"]))
