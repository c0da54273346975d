"""Campaign jobs over HTTP: own customers only, progress, JSONL results, 404 for other advisors."""
from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from campaign_api import api_client, auth, finished
from rm_copilot.services import Services

pytestmark = pytest.mark.slow


@pytest.fixture
def client(use_built_services: Services) -> TestClient:
    return api_client(use_built_services)


def test_campaign_job_covers_only_the_advisors_customers(client: TestClient, use_built_services: Services) -> None:
    headers = auth(use_built_services, "A001")
    started = client.post(
        "/api/v1/campaigns", headers=headers,
        json={"product_id": "DP003", "segment": "all", "channel": "sms", "limit": 8},
    )
    assert started.status_code == 202, started.text
    status = finished(client, headers, started.json()["id"])
    assert status["status"] == "done", status
    assert status["summary"]["rows"] == 8

    results = client.get(f"/api/v1/campaigns/{status['id']}/results", headers=headers)
    rows = [json.loads(line) for line in results.text.splitlines()]
    own = {c.id for c in use_built_services.customers.list(advisor_id="A001")}
    assert len(rows) == 8 and {row["customer_id"] for row in rows} <= own
    assert all(row["channel"] == "sms" for row in rows)


def test_another_advisors_job_is_404(client: TestClient, use_built_services: Services) -> None:
    owner = auth(use_built_services, "A001")
    job = client.post("/api/v1/campaigns", headers=owner, json={"product_id": "DP003", "segment": "all", "limit": 1})
    other = auth(use_built_services, "A002")
    job_id = job.json()["id"]
    finished(client, owner, job_id)

    assert client.get(f"/api/v1/campaigns/{job_id}", headers=other).status_code == 404
    assert client.get(f"/api/v1/campaigns/{job_id}/results", headers=other).status_code == 404


def test_listing_another_advisors_customer_is_404(client: TestClient, use_built_services: Services) -> None:
    foreign = use_built_services.customers.list(advisor_id="A002", limit=1)[0].id
    response = client.post(
        "/api/v1/campaigns", headers=auth(use_built_services, "A001"),
        json={"product_id": "DP003", "customer_ids": [foreign]},
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"product_id": "DP003"}, 422),  # neither segment nor customer_ids
        ({"product_id": "DP003", "segment": "all", "customer_ids": ["C00001"]}, 422),  # both
        ({"product_id": "DP003", "segment": "age>=abc"}, 400),  # bad expression, position named
        ({"product_id": "NOPE1", "segment": "all"}, 404),
        ({"product_id": "DP003", "segment": "all", "variants": 9}, 422),
        ({"product_id": "DP003", "segment": "all", "limit": 10**30}, 422),  # bounded, not a 500
        ({"product_id": "DP003", "segment": "all", "variants": 10**30}, 422),
    ],
)
def test_bad_campaign_requests_are_4xx(client: TestClient, use_built_services: Services, body: dict, status: int) -> None:
    response = client.post("/api/v1/campaigns", headers=auth(use_built_services, "A001"), json=body)
    assert response.status_code == status, response.text
    assert "detail" in response.json()
