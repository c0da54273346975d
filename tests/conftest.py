"""Shared fixtures: every test gets its own RM_COPILOT_HOME; heavy state is built once per session."""
from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
# One embedding cache for every test home and server subprocess (keyed by model and chunk text),
# so a test run embeds the knowledge base once, and later runs not at all.
os.environ.setdefault("RM_COPILOT_EMBEDDING_CACHE_DIR", os.path.join(os.path.dirname(__file__), ".cache", "embeddings"))

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from rm_copilot.config import PROJECT_ROOT, Settings, get_settings  # noqa: E402
from rm_copilot.services import Services, reset_services  # noqa: E402

KNOWLEDGE_BASE = PROJECT_ROOT / "knowledge_base"
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test touches a real home: RM_COPILOT_HOME is a fresh temp dir and the graph is reset."""
    home = tmp_path / "home"
    monkeypatch.setenv("RM_COPILOT_HOME", str(home))
    monkeypatch.setenv("RM_COPILOT_ENVIRONMENT", "test")
    get_settings.cache_clear()
    reset_services(None)
    yield home
    get_settings.cache_clear()
    reset_services(None)


@pytest.fixture(scope="session")
def built_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("built-home")


@pytest.fixture(scope="session")
def built_services(built_home: Path) -> Services:
    """Demo customers + full knowledge index with the real embedding model, built once per session."""
    from rm_copilot.services import prepare

    services = Services(Settings(home=built_home, environment="test", knowledge_base=KNOWLEDGE_BASE))
    prepare(services)
    return services


@pytest.fixture
def use_built_services(built_services: Services, monkeypatch: pytest.MonkeyPatch) -> Services:
    """Make the session-built graph the process-wide one (for CLI and API tests)."""
    monkeypatch.setenv("RM_COPILOT_HOME", str(built_services.settings.resolved_home))
    get_settings.cache_clear()
    reset_services(built_services)
    return built_services


@pytest.fixture(scope="session")
def postgres_server():
    """A throwaway PostgreSQL server on 127.0.0.1, started once per session by the tests that ask for it."""
    from postgres_server import PostgresServer, unavailable_reason

    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory):
    """`rm-copilot serve` in a subprocess on a fresh home, shared by contract/schemathesis/browser tests."""
    from live_server import LiveServer

    server = LiveServer(
        tmp_path_factory.mktemp("live") / "home",
        extra_env={"RM_COPILOT_CHAT_RATE_LIMIT_PER_MINUTE": "100000"},
    ).start()
    yield server
    server.stop()
