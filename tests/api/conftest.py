"""Fixtures for the API edge tests (fakes) — the real stack comes from `use_built_services`."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api_fakes import FAKE_TOKEN, FakeServices
from rm_copilot.channels.api import create_app


@pytest.fixture
def fake_services() -> FakeServices:
    return FakeServices()


@pytest.fixture
def fake_client(fake_services: FakeServices) -> TestClient:
    app = create_app(fake_services, prepare_on_startup=False)  # type: ignore[arg-type]
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {FAKE_TOKEN}"}


@pytest.fixture
def api(use_built_services) -> TestClient:
    """The real app on the session-built home (demo data + index)."""
    return TestClient(create_app(use_built_services, prepare_on_startup=False))


def _bearer(services, advisor_id: str) -> dict[str, str]:
    # Issued per test: issuing revokes the advisor's previous token, and other tests may issue too.
    return {"Authorization": f"Bearer {services.customers.issue_token(advisor_id)}"}


@pytest.fixture
def a001(use_built_services) -> dict[str, str]:
    return _bearer(use_built_services, "A001")


@pytest.fixture
def a002(use_built_services) -> dict[str, str]:
    return _bearer(use_built_services, "A002")


@pytest.fixture
def own_customer(use_built_services) -> str:
    return use_built_services.customers.list(advisor_id="A001", limit=1)[0].id


@pytest.fixture
def foreign_customer(use_built_services) -> str:
    return use_built_services.customers.list(advisor_id="A002", limit=1)[0].id
