"""Outcomes over HTTP: stored with the script's facts; foreign or unknown things are 404, bad input 4xx."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from marketing_helpers import foreign_customer, own_customer
from rm_copilot.marketing.models import Outcome


def _script(client, tokens, services, advisor="A001"):
    customer = own_customer(services, advisor)
    answer = client.post("/api/v1/scripts", headers=tokens[advisor], json={"customer_id": customer})
    assert answer.status_code == 200, answer.text
    return customer, answer.json()["scripts"][0]


def _stored(services, outcome_id: int) -> Outcome:
    with services.session_factory() as session:
        return session.scalars(select(Outcome).where(Outcome.id == outcome_id)).one()


def test_every_script_carries_a_stable_script_id(client, tokens, demo_services):
    _, first = _script(client, tokens, demo_services)
    _, again = _script(client, tokens, demo_services)
    assert first["script_id"] and first["script_id"].startswith("S")
    if first["text"] == again["text"]:
        assert first["script_id"] == again["script_id"]


def test_an_outcome_on_a_script_stores_its_variant_scenario_channel_product_and_verdict(client, tokens, demo_services):
    customer, script = _script(client, tokens, demo_services)
    answer = client.post("/api/v1/outcomes", headers=tokens["A001"], json={
        "customer_id": customer, "script_id": script["script_id"], "kind": "replied", "source": "page"})
    assert answer.status_code == 201, answer.text
    row = _stored(demo_services, answer.json()["id"])
    assert row.source == "page"
    assert (row.variant, row.scenario, row.channel, row.product_id, row.verdict) == (
        script["variant"], script["scenario"], script["channel"], script["product_id"], script["compliance"]["verdict"])
    assert row.advisor_id == "A001" and row.kind == "replied" and row.segment


def test_a_purchase_detail_is_stored_with_personal_data_masked(client, tokens, demo_services):
    customer = own_customer(demo_services, "A001")
    answer = client.post("/api/v1/outcomes", headers=tokens["A001"], json={
        "customer_id": customer, "kind": "purchased", "product_id": "WM001", "variant": "B",
        "detail": "20万-50万，客户电话13912345678"})
    assert answer.status_code == 201, answer.text
    row = _stored(demo_services, answer.json()["id"])
    assert row.variant == 1 and row.product_id == "WM001"
    assert "13912345678" not in row.detail and "139****5678" in row.detail


@pytest.mark.parametrize("case, body", [
    ("another advisor's customer", lambda s: {"customer_id": foreign_customer(s, "A001"), "kind": "sent"}),
    ("a customer that does not exist", lambda s: {"customer_id": "C99999", "kind": "sent"}),
    ("an unknown script", lambda s: {"customer_id": own_customer(s, "A001"), "script_id": "S0000000000", "kind": "sent"}),
    ("an unknown campaign", lambda s: {"customer_id": own_customer(s, "A001"), "campaign_id": "nojob", "kind": "sent"}),
    ("an unknown product", lambda s: {"customer_id": own_customer(s, "A001"), "product_id": "WM999", "kind": "purchased"}),
])
def test_foreign_or_unknown_references_are_404_and_store_nothing(client, tokens, demo_services, case, body):
    before = _count(demo_services)
    answer = client.post("/api/v1/outcomes", headers=tokens["A001"], json=body(demo_services))
    assert answer.status_code == 404, case
    assert isinstance(answer.json()["detail"], str) and answer.json()["detail"].startswith("没有找到")
    assert _count(demo_services) == before


def test_another_advisors_script_is_404_even_for_the_right_customer_id(client, tokens, demo_services):
    customer, script = _script(client, tokens, demo_services, advisor="A002")
    answer = client.post("/api/v1/outcomes", headers=tokens["A001"],
                         json={"customer_id": customer, "script_id": script["script_id"], "kind": "sent"})
    assert answer.status_code == 404


def test_a_script_of_one_customer_cannot_be_booked_on_another(client, tokens, demo_services):
    _, script = _script(client, tokens, demo_services)
    other = list(demo_services.customers.iter_ids(advisor_id="A001"))[1]
    answer = client.post("/api/v1/outcomes", headers=tokens["A001"],
                         json={"customer_id": other, "script_id": script["script_id"], "kind": "sent"})
    assert answer.status_code == 404


@pytest.mark.parametrize("case, patch, status", [
    ("unknown kind", {"kind": "bought"}, 422),
    ("missing kind", {"kind": None}, 422),
    ("variant out of range", {"variant": 9}, 422),
    ("variant letter out of range", {"variant": "Z"}, 422),
    ("extra field", {"amount": 5}, 422),
    ("detail too long", {"detail": "长" * 201}, 422),
    ("bad customer id", {"customer_id": "../etc"}, 422),
    ("unknown channel", {"channel": "fax"}, 422),
    ("a source a client may not claim", {"source": "wecom"}, 422),
])
def test_bad_input_is_a_chinese_4xx_never_a_500(client, tokens, demo_services, case, patch, status):
    body = {"customer_id": own_customer(demo_services, "A001"), "kind": "sent", **patch}
    body = {k: v for k, v in body.items() if v is not None}
    answer = client.post("/api/v1/outcomes", headers=tokens["A001"], json=body)
    assert answer.status_code == status, (case, answer.text)
    assert "detail" in answer.json()


def test_outcomes_need_a_token(client, demo_services):
    answer = client.post("/api/v1/outcomes", json={"customer_id": own_customer(demo_services, "A001"), "kind": "sent"})
    assert answer.status_code == 401


def test_a_variant_that_contradicts_the_script_is_refused(client, tokens, demo_services):
    customer, script = _script(client, tokens, demo_services)
    answer = client.post("/api/v1/outcomes", headers=tokens["A001"], json={
        "customer_id": customer, "script_id": script["script_id"], "kind": "sent", "variant": script["variant"] + 1})
    assert answer.status_code == 400


def test_opportunities_and_dismissals_over_http(client, tokens, demo_services):
    listed = client.get("/api/v1/opportunities", headers=tokens["A001"])
    assert listed.status_code == 200
    items = listed.json()
    assert items and {"customer_id", "trigger", "reason", "score", "scenario", "product_id"} <= items[0].keys()
    own = set(demo_services.customers.iter_ids(advisor_id="A001"))
    assert {o["customer_id"] for o in items} <= own
    target = items[-1]
    gone = client.post("/api/v1/opportunities/dismissals", headers=tokens["A001"],
                       json={"customer_id": target["customer_id"], "trigger": target["id"], "reason": "已电话沟通"})
    assert gone.status_code == 200 and gone.json()["dismissed"] == [target["id"]]
    again = client.get("/api/v1/opportunities", headers=tokens["A001"]).json()
    assert target["id"] not in {o["id"] for o in again}


@pytest.mark.parametrize("case, body, status", [
    ("another advisor's customer", lambda s: {"customer_id": foreign_customer(s, "A001"), "trigger": "maturity",
                                               "reason": "x"}, 404),
    ("a trigger the customer does not have", lambda s: {"customer_id": own_customer(s, "A001"), "trigger": "nothing",
                                                        "reason": "x"}, 404),
    ("no reason", lambda s: {"customer_id": own_customer(s, "A001"), "trigger": "maturity", "reason": ""}, 422),
])
def test_dismissal_errors(client, tokens, demo_services, case, body, status):
    answer = client.post("/api/v1/opportunities/dismissals", headers=tokens["A001"], json=body(demo_services))
    assert answer.status_code == status, case


@pytest.mark.parametrize("query", ["date=2026-13-01", "date=tomorrow", "customer_id=../x"])
def test_a_bad_query_is_422(client, tokens, query):
    assert client.get(f"/api/v1/opportunities?{query}", headers=tokens["A001"]).status_code == 422


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_the_ends_of_the_calendar_are_not_server_errors(client, tokens, day):
    assert client.get(f"/api/v1/opportunities?date={day}", headers=tokens["A001"]).status_code == 200


def test_one_customers_opportunities_and_a_foreign_one_is_404(client, tokens, demo_services):
    every = client.get("/api/v1/opportunities", headers=tokens["A001"]).json()
    customer = every[0]["customer_id"]
    mine = client.get(f"/api/v1/opportunities?customer_id={customer}", headers=tokens["A001"]).json()
    assert mine and {o["customer_id"] for o in mine} == {customer}
    foreign = foreign_customer(demo_services, "A001")
    assert client.get(f"/api/v1/opportunities?customer_id={foreign}", headers=tokens["A001"]).status_code == 404


def test_customer_needs_list_entered_and_inferred_and_foreign_is_404(client, tokens, demo_services):
    customer = own_customer(demo_services, "A001")
    answer = client.get(f"/api/v1/customers/{customer}/needs", headers=tokens["A001"])
    assert answer.status_code == 200
    body = answer.json()
    entered = {t["key"] for t in body["entered"]}
    for item in body["inferred"]:
        assert item["source"] == "模型推断" and 0 < item["confidence"] <= 1 and item["evidence"]
        assert item["shadowed"] == (item["key"] in entered)
    foreign = foreign_customer(demo_services, "A001")
    assert client.get(f"/api/v1/customers/{foreign}/needs", headers=tokens["A001"]).status_code == 404


def _count(services) -> int:
    with services.session_factory() as session:
        return len(session.scalars(select(Outcome.id)).all())


def test_a_script_drafted_at_the_command_line_is_not_an_advisors_to_book(client, tokens, demo_services):
    from rm_copilot.marketing.script_log import OPERATOR

    customer = own_customer(demo_services, "A001")
    script_id = demo_services.marketing.script_log.issue(
        advisor_id=OPERATOR, customer_id=customer, product_id=None, scenario="product", channel="tablet",
        variant=0, segment="大众", verdict="pass", text="命令行生成的话术。")
    before = _count(demo_services)
    answer = client.post("/api/v1/outcomes", headers=tokens["A001"],
                         json={"customer_id": customer, "script_id": script_id, "kind": "sent"})
    assert answer.status_code == 404 and _count(demo_services) == before
    assert demo_services.marketing.script_log.get(script_id, advisor_id=None).script_id == script_id
