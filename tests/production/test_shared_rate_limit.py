"""The chat rate limit lives in the store: limiters of separate processes (engines) on one database share it."""
from __future__ import annotations

from pathlib import Path

import pytest

from rm_copilot.db import make_engine, make_session_factory
from rm_copilot.migrations import upgrade_to_head
from rm_copilot.rate_limits import SqlRateLimiter


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path: Path) -> str:
    if request.param == "postgresql":
        return request.getfixturevalue("postgres_server").create_database()
    return f"sqlite:///{tmp_path / 'store.db'}"


class Clock:
    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


def _limiter(url: str, clock: Clock, per_minute: int = 3) -> SqlRateLimiter:
    engine = make_engine(url)  # one engine per "process": nothing shared but the database
    upgrade_to_head(engine)
    return SqlRateLimiter(make_session_factory(engine), per_minute, clock=clock)


def test_two_limiters_on_one_database_enforce_one_limit(database_url: str):
    clock = Clock(60 * 1000 + 15)
    first, second = _limiter(database_url, clock), _limiter(database_url, clock)
    answers = [limiter.acquire("token-a") for limiter in (first, second, first, second, first)]
    assert answers == [0, 0, 0, 45, 45]
    assert second.acquire("token-b") == 0  # another token has its own count


def test_the_next_minute_opens_a_fresh_window(database_url: str):
    clock = Clock(60 * 2000 + 59)
    limiter = _limiter(database_url, clock, per_minute=1)
    assert [limiter.acquire("t"), limiter.acquire("t")] == [0, 1]
    clock.now += 1
    assert limiter.acquire("t") == 0
