"""Fixtures for the production-shape tests: a throwaway PostgreSQL server, started once if needed."""
from __future__ import annotations

import pytest

from postgres_server import PostgresServer, unavailable_reason


@pytest.fixture(scope="session")
def postgres_server():
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    server = PostgresServer().start()
    yield server
    server.stop()
