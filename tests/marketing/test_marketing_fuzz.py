"""No body or query makes the marketing routes answer 500 (hypothesis over near-valid input)."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
values = st.none() | st.booleans() | st.integers(-10, 10**12) | st.text(max_size=40) | st.lists(st.integers(), max_size=2)
ids = st.sampled_from(["C00001", "C00002", "C99999", "S0", "../x", "", "A" * 64]) | st.text(max_size=20)
bodies = st.fixed_dictionaries({}, optional={
    "customer_id": ids | values, "script_id": ids | values, "campaign_id": ids | values,
    "variant": st.sampled_from([0, 1, 4, 5, -1, "A", "b", "Z", "1", 1.5, True]) | values,
    "kind": st.sampled_from(["sent", "purchased", "bought", ""]) | values, "product_id": ids | values,
    "detail": st.text(max_size=250) | values, "channel": st.sampled_from(["wecom", "fax"]) | values,
    "scenario": st.sampled_from(["care", "other"]) | values, "trigger": st.sampled_from(["maturity", "x"]) | values,
    "reason": st.text(max_size=250) | values, "date": st.sampled_from(["2026-12-01", "9999-12-31", "x"]) | values,
})


def test_outcomes_and_dismissals_never_answer_500(client, tokens):
    @FUZZ
    @given(body=bodies, path=st.sampled_from(["/api/v1/outcomes", "/api/v1/opportunities/dismissals"]))
    def post(body, path):
        answer = client.post(path, json=body, headers=tokens["A001"])
        assert answer.status_code < 500, (path, body, answer.text)
        assert "detail" in answer.json() or answer.status_code in (200, 201)

    post()


def test_queries_never_answer_500(client, tokens):
    @FUZZ
    @given(value=st.text(max_size=30), name=st.sampled_from(["date", "customer_id", "campaign_id"]),
           path=st.sampled_from(["/api/v1/opportunities", "/api/v1/reports/campaigns"]))
    def get(value, name, path):
        answer = client.get(path, params={name: value}, headers=tokens["A001"])
        assert answer.status_code < 500, (path, name, value, answer.text)

    get()
