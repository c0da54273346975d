"""No bad input produces a 500: arbitrary JSON bodies, ids and query values against every route."""
from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.slow

FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
ids = st.text(max_size=40) | st.sampled_from(["C00001", "C99999", "A001", "../etc/passwd", "", "0" * 64])
near_valid_bodies = st.fixed_dictionaries({}, optional={
    "message": json_values | st.text(max_size=60),
    "text": json_values | st.text(max_size=60),
    "customer_id": json_values | ids,
    "session_id": json_values | ids,
    "product_id": json_values | ids,
    "product_type": json_values | st.sampled_from(["wealth", "fund", "loan", "stock"]),
    "scenario": json_values | st.sampled_from(["product", "maturity", "other"]),
    "channel": json_values | st.sampled_from(["tablet", "wecom", "fax"]),
    "variants": json_values | st.integers(-3, 9),
})
POST_ROUTES = ["/api/v1/chat", "/api/v1/chat/stream", "/api/v1/scripts", "/api/v1/compliance/check"]


@pytest.mark.parametrize("path", POST_ROUTES)
def test_posting_arbitrary_json_never_gives_a_server_error(api, a001, path):
    @FUZZ
    @given(body=json_values | near_valid_bodies)
    def post(body):
        response = api.post(path, json=body, headers=a001)
        assert response.status_code < 500, (body, response.text)

    post()


@pytest.mark.parametrize("template", [
    "/api/v1/customers/{}", "/api/v1/products/{}", "/api/v1/sessions/{}/messages", "/api/v1/customers?search={}",
    "/api/v1/events?within_days={}", "/api/v1/customers?limit={}",
])
def test_arbitrary_ids_and_query_values_never_give_a_server_error(api, a001, template):
    @FUZZ
    @given(value=ids)
    def get(value):
        response = api.get(template.format(quote(value, safe="")), headers=a001)
        assert response.status_code < 500, (value, response.text)

    get()


def test_arbitrary_bytes_as_a_body_never_give_a_server_error(api, a001):
    @FUZZ
    @given(raw=st.binary(max_size=200))
    def post(raw):
        response = api.post("/api/v1/chat", content=raw, headers={**a001, "Content-Type": "application/json"})
        assert response.status_code < 500

    post()
