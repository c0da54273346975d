"""Request limits shared by every worker process: a fixed-window counter per (key, minute) in the database.

One atomic upsert per request (`INSERT … ON CONFLICT DO UPDATE … RETURNING`, on SQLite and
PostgreSQL), so N workers on one store enforce one limit. A fixed window lets a client spend two
windows' worth across a minute boundary; the limit guards capacity, not billing.
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable

from sqlalchemy import Connection, Engine, Integer, String, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from rm_copilot.db import Base

WINDOW_SECONDS = 60


class RateLimitWindow(Base):
    __tablename__ = "rate_limit_windows"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    window: Mapped[int] = mapped_column(Integer, primary_key=True)  # epoch seconds // 60
    count: Mapped[int] = mapped_column(Integer, default=0)


class SqlRateLimiter:
    """`per_minute` requests per key and calendar minute, counted in the store."""

    def __init__(self, session_factory: sessionmaker[Session], per_minute: int, *,
                 clock: Callable[[], float] = time.time):
        self.capacity = max(1, per_minute)
        self._factory = session_factory
        self._clock = clock
        self._last_prune = -1

    def acquire(self, key: str) -> int:
        """Take one request; 0 when allowed, else the seconds until the next window opens."""
        now = self._clock()
        window = int(now // WINDOW_SECONDS)
        # A plain connection, not an ORM session: this runs before every chat request.
        with self._engine.begin() as connection:
            count = connection.execute(self._increment(connection, key, window)).scalar_one()
            if window != self._last_prune:
                self._last_prune = window
                connection.execute(delete(RateLimitWindow).where(RateLimitWindow.window < window - 1))
        if count <= self.capacity:
            return 0
        return max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))

    @property
    def _engine(self) -> Engine:
        engine = self._factory.kw["bind"]  # make_session_factory binds the store's engine
        return engine

    @staticmethod
    def _increment(connection: Connection, key: str, window: int):  # noqa: ANN205 - a dialect's Insert
        dialect = connection.dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = insert(RateLimitWindow).values(key_hash=key, window=window, count=1)
        return statement.on_conflict_do_update(
            index_elements=[RateLimitWindow.key_hash, RateLimitWindow.window],
            set_={"count": RateLimitWindow.count + 1},
        ).returning(RateLimitWindow.count)
