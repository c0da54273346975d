"""DESIGN.md §4–§5, checked from the outside: `rm-copilot serve` on a fresh home, driven with httpx.

Only names written in DESIGN.md are used here; nothing imports rm_copilot's internals.
"""
from __future__ import annotations

import json
import re

import httpx
import pytest

pytestmark = pytest.mark.slow

UNMASKED_PII = [
    re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)"),            # mobile number
    re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)"),            # resident ID number
    re.compile(r"(?<!\d)(?:\d{4}[ -]?){3}\d{4}(?!\d)"),  # card number
]
FINDING_FIELDS = {"rule_id", "category", "severity", "start", "end", "matched", "message", "suggestion"}
VIOLATING_TEXT = "本产品保本保息，收益稳赚不赔，错过今天就没有了。"


@pytest.fixture(scope="module")
def base(live_server) -> str:
    return live_server.base_url


@pytest.fixture(scope="module")
def a001(live_server) -> httpx.Client:
    headers = {"Authorization": f"Bearer {live_server.token('A001')}"}
    with httpx.Client(base_url=live_server.base_url, headers=headers, timeout=120) as client:
        yield client


@pytest.fixture(scope="module")
def a002(live_server) -> httpx.Client:
    headers = {"Authorization": f"Bearer {live_server.token('A002')}"}
    with httpx.Client(base_url=live_server.base_url, headers=headers, timeout=120) as client:
        yield client


@pytest.fixture(scope="module")
def own_customer(a001) -> dict:
    customers = a001.get("/api/v1/customers").json()
    assert customers, "the first serve on an empty home loads demo customers"
    return customers[0]


@pytest.fixture(scope="module")
def foreign_customer(a002) -> dict:
    return a002.get("/api/v1/customers").json()[0]


def _texts(value, key: str = ""):
    """The human-readable strings of a JSON answer: identifiers (random session ids…) are not text."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _texts(v, k)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item, key)
    elif isinstance(value, str) and not (key == "id" or key.endswith("_id")):
        yield value


def _assert_no_unmasked_pii(payload) -> None:
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except ValueError:
            payload = [payload]
    for text in _texts(payload):
        for pattern in UNMASKED_PII:
            assert not pattern.search(text), f"unmasked PII {pattern.pattern!r} in {text[:200]}"


def test_the_pii_scan_reads_the_texts_not_random_ids():
    # A random session id once held 14134947971, which the phone pattern reads as a mobile number.
    answer = {"session_id": "9c1a14134947971b", "answer": "存款保险最高偿付50万元。",
              "citations": [{"chunk_id": "faq/x#14134947971", "title": "存款保险"}]}
    _assert_no_unmasked_pii(answer)
    _assert_no_unmasked_pii(json.dumps(answer, ensure_ascii=False))
    with pytest.raises(AssertionError):
        _assert_no_unmasked_pii({**answer, "answer": "请致电14134947971。"})


def _assert_chat_object(answer: dict) -> None:
    assert isinstance(answer["session_id"], str) and answer["session_id"]
    assert isinstance(answer["answer"], str) and answer["answer"].strip()
    for citation in answer["citations"]:
        assert {"source", "title", "chunk_id"} <= citation.keys()
    assert answer["compliance"]["verdict"] in {"pass", "rewrite"}
    assert isinstance(answer["compliance"]["findings"], list)


def _sse(response: httpx.Response) -> list[tuple[str, str]]:
    events, name, data = [], "message", []
    for line in response.iter_lines():
        if not line:
            if data:
                events.append((name, "\n".join(data)))
            name, data = "message", []
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
    return events


# --- health and auth ---------------------------------------------------------------------------

def test_healthz_is_ok_without_a_token(base):
    assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-a-real-token"}])
@pytest.mark.parametrize("method,path", [
    ("GET", "/api/v1/customers"), ("GET", "/api/v1/products"), ("POST", "/api/v1/chat"),
    ("POST", "/api/v1/chat/stream"), ("POST", "/api/v1/scripts"), ("POST", "/api/v1/compliance/check"),
])
def test_api_without_a_valid_token_is_401_json(base, headers, method, path):
    response = httpx.request(method, f"{base}{path}", headers=headers, json={"message": "你好", "text": "你好"})
    assert response.status_code == 401
    assert isinstance(response.json()["detail"], str)


# --- customers ---------------------------------------------------------------------------------

def test_customer_list_holds_only_own_masked_customers_with_layered_tags(a001):
    response = a001.get("/api/v1/customers")
    customers = response.json()
    assert customers and all(c["advisor_id"] == "A001" for c in customers)
    assert all("*" in c["name"] for c in customers)
    assert all(isinstance(c["tags"], dict) for c in customers)
    _assert_no_unmasked_pii(response.text)


def test_customer_detail_is_masked(a001, own_customer):
    response = a001.get(f"/api/v1/customers/{own_customer['id']}")
    assert response.status_code == 200
    assert response.json()["id"] == own_customer["id"]
    _assert_no_unmasked_pii(response.text)


def test_another_advisors_customer_is_404_and_no_data(a001, foreign_customer):
    response = a001.get(f"/api/v1/customers/{foreign_customer['id']}")
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}
    assert foreign_customer["name"] not in response.text


@pytest.mark.parametrize("path,body", [
    ("/api/v1/chat", {"message": "这位客户适合什么产品？"}),
    ("/api/v1/chat/stream", {"message": "这位客户适合什么产品？"}),
    ("/api/v1/scripts", {}),
    ("/api/v1/compliance/check", {"text": "您好，欢迎来网点坐坐。"}),
])
def test_naming_another_advisors_customer_anywhere_is_404(a001, foreign_customer, path, body):
    response = a001.post(path, json={**body, "customer_id": foreign_customer["id"]})
    assert response.status_code == 404
    assert foreign_customer["name"] not in response.text


# --- products ----------------------------------------------------------------------------------

def test_products_carry_risk_levels_r1_to_r5(a001):
    products = a001.get("/api/v1/products").json()
    assert products
    for product in products:
        assert re.fullmatch(r"R[1-5]", product["risk_level"])
        assert {"id", "name", "type"} <= product.keys()
    one = a001.get(f"/api/v1/products/{products[0]['id']}").json()
    assert one["id"] == products[0]["id"] and re.fullmatch(r"R[1-5]", one["risk_level"])


def test_unknown_product_is_404(a001):
    assert a001.get("/api/v1/products/ZZ999").status_code == 404


# --- chat --------------------------------------------------------------------------------------

def test_chat_answers_with_citations_and_a_compliance_verdict(a001):
    response = a001.post("/api/v1/chat", json={"message": "存款保险的保障额度是多少？"})
    assert response.status_code == 200
    answer = response.json()
    _assert_chat_object(answer)
    assert answer["citations"], "a knowledge question is answered from cited sources"


def test_chat_about_a_customer_continues_its_session(a001, own_customer):
    ask = {"message": "这位客户适合哪些产品？", "customer_id": own_customer["id"]}
    first = a001.post("/api/v1/chat", json=ask).json()
    _assert_chat_object(first)
    _assert_no_unmasked_pii(first)
    second = a001.post("/api/v1/chat", json={
        "message": "风险等级是多少？", "customer_id": own_customer["id"], "session_id": first["session_id"],
    }).json()
    assert second["session_id"] == first["session_id"]


def test_chat_stream_sends_sentences_then_the_full_object(a001):
    with a001.stream("POST", "/api/v1/chat/stream", json={"message": "理财产品和存款有什么区别？"}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = _sse(response)
    names = [name for name, _ in events]
    assert names[-1] == "done" and names.count("done") == 1
    assert names[:-1] and set(names[:-1]) == {"delta"}
    done = json.loads(events[-1][1])
    _assert_chat_object(done)
    for _, sentence in events[:-1]:
        assert sentence.strip() in done["answer"]


def test_invalid_bodies_are_422(a001):
    assert a001.post("/api/v1/chat", json={}).status_code == 422
    assert a001.post("/api/v1/chat", json={"message": 3}).status_code == 422
    assert a001.post("/api/v1/scripts", json={"variants": 2}).status_code == 422
    assert a001.post("/api/v1/compliance/check", json={"product_type": "wealth"}).status_code == 422
    assert a001.post("/api/v1/chat", content=b"{oops", headers={"Content-Type": "application/json"}).status_code == 422


# --- scripts -----------------------------------------------------------------------------------

def test_scripts_are_drafted_and_passed_compliance(a001, own_customer):
    response = a001.post("/api/v1/scripts", json={"customer_id": own_customer["id"], "variants": 2, "channel": "wecom"})
    assert response.status_code == 200, response.text
    scripts = response.json()["scripts"]
    assert 1 <= len(scripts) <= 2
    for script in scripts:
        assert {"text", "product_id", "scenario", "reasons", "citations", "compliance"} <= script.keys()
        assert script["text"].strip()
        assert script["compliance"]["verdict"] in {"pass", "rewrite"}
    _assert_no_unmasked_pii(response.text)


# --- compliance check --------------------------------------------------------------------------

def test_compliance_check_blocks_guarantee_wording_with_offsets_into_the_text(a001):
    result = a001.post("/api/v1/compliance/check", json={"text": VIOLATING_TEXT}).json()
    assert set(result) >= {"verdict", "text", "findings", "rulebook_version"}
    assert result["verdict"] == "block"
    assert result["findings"]
    for finding in result["findings"]:
        assert FINDING_FIELDS <= finding.keys()
        assert VIOLATING_TEXT[finding["start"]:finding["end"]] == finding["matched"]
    assert "guarantee" in {f["category"] for f in result["findings"]}


def test_compliance_check_answers_the_same_object_as_the_cli(a001, live_server):
    api = a001.post("/api/v1/compliance/check", json={"text": VIOLATING_TEXT, "product_type": "wealth"}).json()
    cli = live_server.cli("check", VIOLATING_TEXT, "--product-type", "wealth", "--json")
    assert cli.returncode == 1
    assert json.loads(cli.stdout) == api


def test_compliance_check_passes_plain_text(a001):
    result = a001.post("/api/v1/compliance/check", json={"text": "您好，本周六网点有理财知识讲座，欢迎参加。"}).json()
    assert result["verdict"] == "pass"
