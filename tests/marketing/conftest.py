"""A demo store per module (demo customers, inferred needs; no embedding model) and its API client."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from rm_copilot.channels.api import create_app
from rm_copilot.config import PROJECT_ROOT, Settings
from rm_copilot.services import Services

KNOWLEDGE_BASE = PROJECT_ROOT / "knowledge_base"


@pytest.fixture(scope="module")
def demo_services(tmp_path_factory: pytest.TempPathFactory) -> Services:
    services = Services(Settings(home=tmp_path_factory.mktemp("marketing") / "home", environment="test",
                                 knowledge_base=KNOWLEDGE_BASE))
    services.customers.ensure_demo_data(services.catalog, seed=services.settings.demo_seed,
                                        count=services.settings.demo_customer_count)
    return services


@pytest.fixture(scope="module")
def client(demo_services: Services) -> TestClient:
    return TestClient(create_app(demo_services, prepare_on_startup=False), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def tokens(demo_services: Services) -> dict[str, dict[str, str]]:
    return {a.id: {"Authorization": f"Bearer {demo_services.customers.issue_token(a.id)}"}
            for a in demo_services.customers.advisors()}

