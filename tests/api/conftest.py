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
