"""The campaign API as a test client sees it: an app over the built services, an advisor's token, a finished job."""
from __future__ import annotations

from fastapi.testclient import TestClient

from rm_copilot.channels.api import create_app
from rm_copilot.services import Services


def api_client(services: Services) -> TestClient:
    return TestClient(create_app(services, prepare_on_startup=False))


def auth(services: Services, advisor_id: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {services.customers.issue_token(advisor_id)}"}


def finished(client: TestClient, headers: dict[str, str], job_id: str) -> dict:
    client.app.state.campaign_jobs.wait(timeout=300)
    return client.get(f"/api/v1/campaigns/{job_id}", headers=headers).json()
