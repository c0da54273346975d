"""Schema migrations (Alembic): every store opening brings the database to the newest revision.

A store created before migrations existed has tables but no `alembic_version`: it is stamped with
the first revision (the schema it was created with) and then upgraded like any other.
"""
from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData, inspect, text

SCRIPT_LOCATION = Path(__file__).resolve().parent
BASELINE = "0001"
_PG_LOCK_KEY = 7_242_605_113  # any fixed number: serialises upgrades of one PostgreSQL database


def alembic_config(connection: Connection, metadata: MetaData | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    config.attributes["connection"] = connection
    config.attributes["target_metadata"] = metadata
    return config


@lru_cache(maxsize=1)
def head_revision() -> str:
    script = ScriptDirectory.from_config(_offline_config())
    return script.get_current_head() or BASELINE


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade_to_head(engine: Engine) -> None:
    """Create or upgrade the schema; safe when several processes open one store at once."""
    if current_revision(engine) == head_revision():
        return
    with _exclusive(engine), engine.connect() as connection:
        config = alembic_config(connection)
        tables = set(inspect(connection).get_table_names())
        if tables and "alembic_version" not in tables:
            command.stamp(config, BASELINE)
        command.upgrade(config, "head")
        connection.commit()


def _offline_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    return config


@contextmanager
def _exclusive(engine: Engine) -> Iterator[None]:
    """One migrating process at a time: an advisory lock on PostgreSQL, a lock file beside SQLite."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _PG_LOCK_KEY})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _PG_LOCK_KEY})
        return
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:"):
        yield
        return
    with open(f"{database}.migrate-lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
