"""Hostile input gets a clear 4xx JSON answer: never a 500, never exception text, never a file."""
from __future__ import annotations

import logging

import pytest

pytestmark = pytest.mark.slow

LONE_SURROGATE = '"\\ud800 大额存单\\udfff"'


def _assert_clean_4xx(response, allowed=(400, 404, 413, 422)):
    assert response.status_code in allowed, response.text
    assert set(response.json()) == {"detail"}
    assert "Traceback" not in response.text and "Error" not in response.text


@pytest.mark.parametrize("path", ["/api/v1/chat", "/api/v1/compliance/check", "/api/v1/campaigns", "/api/v1/scripts"])
def test_deeply_nested_json_is_refused_cleanly(api, a001, path):
    body = '{"message": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = api.post(path, content=body, headers={**a001, "Content-Type": "application/json"})
    _assert_clean_4xx(response)


@pytest.mark.parametrize("path,field", [
    ("/api/v1/chat", "message"),
    ("/api/v1/chat/stream", "message"),
    ("/api/v1/compliance/check", "text"),
])
def test_lone_surrogates_in_text_are_not_a_server_error(api, a001, path, field):
    body = "{" + f'"{field}": {LONE_SURROGATE}' + "}"
    response = api.post(path, content=body, headers={**a001, "Content-Type": "application/json"})
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        _assert_clean_4xx(response)


@pytest.mark.parametrize("text", [
    "\u202e大额存单\u202c", "\x00\x01\x7f", "大额存单\u200b\u200d\ufeff起存", "🏦" * 500, "a\u0301" * 900,
    "\ufdd0\uffff", "\U0010ffff",
])
def test_unicode_edge_cases_in_chat_and_check_are_not_server_errors(api, a001, text):
    for path, field in (("/api/v1/chat", "message"), ("/api/v1/compliance/check", "text")):
        response = api.post(path, json={field: text}, headers=a001)
        assert response.status_code < 500, response.text


def test_deeply_parenthesised_segment_is_a_clean_400(api, a001):
    segment = "(" * 249 + "all" + ")" * 248
    response = api.post("/api/v1/campaigns", json={"product_id": "DP003", "segment": segment[:500]}, headers=a001)
    _assert_clean_4xx(response)
    nested_not = "not " * 124 + "all"
    response = api.post("/api/v1/campaigns", json={"product_id": "DP003", "segment": nested_not, "limit": 1},
                        headers=a001)
    assert response.status_code in (202, 400, 422)


def test_oversized_body_is_refused_with_413_before_it_is_parsed(api, a001):
    body = '{"message": "' + "存" * 3_000_000 + '"}'
    response = api.post("/api/v1/chat", content=body.encode(), headers={**a001, "Content-Type": "application/json"})
    _assert_clean_4xx(response, allowed=(413,))


def test_oversized_chunked_body_without_length_is_refused_with_413(api, a001):
    def chunks():
        yield b'{"text": "'
        for _ in range(300):
            yield "存".encode() * 10_000
        yield b'"}'

    response = api.post("/api/v1/compliance/check", content=chunks(),
                        headers={**a001, "Content-Type": "application/json"})
    _assert_clean_4xx(response, allowed=(413,))


def test_largest_legitimate_body_is_still_accepted(api, a001):
    ids = [f"C{n:063d}" for n in range(10_000)]  # 10,000 ids of the longest allowed form
    response = api.post("/api/v1/campaigns", json={"product_id": "DP003", "customer_ids": ids}, headers=a001)
    assert response.status_code == 404  # read and validated; the first unknown id is reported


def test_huge_customer_id_list_entries_are_refused(api, a001):
    response = api.post("/api/v1/campaigns", json={"product_id": "DP003", "customer_ids": ["C" * 100_000]},
                        headers=a001)
    _assert_clean_4xx(response)


@pytest.mark.parametrize("path", [
    "/static/../../../../etc/passwd", "/static/..%2f..%2f..%2fetc%2fpasswd", "/static/%2e%2e/%2e%2e/pages.py",
    "/static/..\\..\\pages.py", "/static//etc/passwd", "/static/app.js%00.css",
])
def test_static_route_serves_no_file_outside_its_folder(api, path):
    response = api.get(path)
    assert response.status_code in (400, 404)
    assert "root:" not in response.text and "APIRouter" not in response.text


def test_request_id_header_injection_is_not_echoed(api):
    response = api.get("/healthz", headers={"X-Request-ID": "abcdefgh\r\nSet-Cookie: x=1"})
    assert "set-cookie" not in response.headers
    assert response.headers["X-Request-ID"] != "abcdefgh\r\nSet-Cookie: x=1"


def test_unexpected_error_answer_names_only_the_request_id(api, use_built_services, a001, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("sqlite: /home/rm/.rm-copilot/db password=hunter2 13912345678")

    monkeypatch.setattr(use_built_services.customers, "list", explode)
    response = api.get("/api/v1/customers", headers=a001)
    assert response.status_code == 500
    assert "hunter2" not in response.text and "13912345678" not in response.text and "sqlite" not in response.text
    assert response.headers["X-Request-ID"] in response.json()["detail"]


def test_access_log_line_cannot_be_forged_through_the_path(api, caplog):
    caplog.set_level(logging.INFO, logger="rm_copilot.api.access")
    api.get("/static/x%0d%0arequest_id=forged GET /api/v1/admin 200 1ms")
    lines = [r.getMessage() for r in caplog.records if r.name == "rm_copilot.api.access"]
    assert lines and all("\n" not in line and "\r" not in line for line in lines)
    assert "\\r\\nrequest_id=forged" in lines[-1]
