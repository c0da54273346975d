"""Schema migrations (Alembic): every store opening brings the database to the newest revision.

A store created before migrations existed has tables but no `alembic_version`: it is stamped with
the first revision (the schema it was created with) and then upgraded like any other.
"""
from __future__ import annotations

import ast
import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, MetaData, inspect, text
from sqlalchemy.exc import DatabaseError

if TYPE_CHECKING:
    from alembic.config import Config

SCRIPT_LOCATION = Path(__file__).resolve().parent
BASELINE = "0001"
_PG_LOCK_KEY = 7_242_605_113  # any fixed number: serialises upgrades of one PostgreSQL database


def alembic_config(connection: Connection, metadata: MetaData | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    config.attributes["connection"] = connection
    config.attributes["target_metadata"] = metadata
    return config


@lru_cache(maxsize=1)
def head_revision() -> str:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_offline_config())
    return script.get_current_head() or BASELINE


@lru_cache(maxsize=1)
def declared_head() -> str | None:
    """The head as the revision files declare it (`revision`, `down_revision`), read without
    importing Alembic; None when they do not form one plain chain (then Alembic decides)."""
    revisions: dict[str, object] = {}
    for path in (SCRIPT_LOCATION / "versions").glob("*.py"):
        values = {}
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                if node.targets[0].id in ("revision", "down_revision") and isinstance(node.value, ast.Constant):
                    values[node.targets[0].id] = node.value.value
        revision = values.get("revision")
        if not isinstance(revision, str):
            return None
        revisions[revision] = values.get("down_revision")
    heads = set(revisions) - set(revisions.values())
    return next(iter(heads)) if len(heads) == 1 else None


def current_revision(engine: Engine) -> str | None:
    from alembic.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _stored_revision(engine: Engine) -> str | None:
    """alembic_version's one row, by plain SQL (no Alembic import); None when absent or ambiguous."""
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except DatabaseError:
        return None
    return rows[0][0] if len(rows) == 1 else None


def upgrade_to_head(engine: Engine) -> None:
    """Create or upgrade the schema; safe when several processes open one store at once.

    A store already at the head is recognised without importing Alembic (a cold CLI command
    saves its import); anything else goes through Alembic."""
    declared = declared_head()
    if declared is not None and _stored_revision(engine) == declared:
        return
    if current_revision(engine) == head_revision():
        return
    from alembic import command

    with _exclusive(engine), engine.connect() as connection:
        config = alembic_config(connection)
        tables = set(inspect(connection).get_table_names())
        if tables and "alembic_version" not in tables:
            command.stamp(config, BASELINE)
        command.upgrade(config, "head")
        connection.commit()


def _offline_config() -> Config:
    from alembic.config import Config

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
