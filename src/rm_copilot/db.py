"""Database engine and session factory shared by every store (SQLite by default, PostgreSQL by URL)."""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import DateTime, Engine, Integer, create_engine, event, insert, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from rm_copilot.clock import naive_utc_now


class Base(DeclarativeBase):
    pass


class StoreHeartbeat(Base):
    """One row rewritten by every health check: proof that the store still accepts writes."""

    __tablename__ = "store_heartbeat"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    checked_at: Mapped[datetime] = mapped_column(DateTime)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # noqa: ANN001
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def create_schema(engine: Engine) -> None:
    """Bring the store to the newest schema revision (kept for tests; the root calls rm_copilot.schema)."""
    from importlib import import_module

    import_module("rm_copilot.schema").upgrade(engine)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    with factory() as session, session.begin():
        yield session


class StoreProbe:
    """Tells whether the store is still the one opened and still writable.

    A SQLite file deleted or replaced under a running server keeps accepting writes into the unlinked
    inode, and every one of them is lost at the next start: `gone()` notices (one stat call) so the
    API can refuse instead of answering 200.
    """

    def __init__(self, engine: Engine):
        self._engine = engine
        database = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
        self._path = Path(database) if database and database != ":memory:" and not database.startswith("file:") else None
        if self._path is not None:
            engine.connect().close()  # SQLite creates its file on first connect: stat the real one
        self._identity = self._stat_identity()

    def _stat_identity(self) -> tuple[int, int] | None:
        if self._path is None:
            return None
        try:
            stat = os.stat(self._path)
        except FileNotFoundError:
            return None
        return stat.st_dev, stat.st_ino

    def gone(self) -> str | None:
        """The reason the opened SQLite file is no longer the store on disk, or None."""
        if self._path is None or self._identity is None:
            return None
        current = self._stat_identity()
        if current is None:
            return "数据库文件已被删除"
        if current != self._identity:
            return "数据库文件已被替换"
        return None

    def problems(self) -> dict[str, str]:
        """Failing parts by name (empty when healthy): the file is in place, reachable and writable."""
        reason = self.gone()
        if reason:
            return {"database": reason}
        try:
            with self._engine.begin() as connection:
                now = naive_utc_now()
                changed = connection.execute(update(StoreHeartbeat).where(StoreHeartbeat.id == 1).values(checked_at=now))
                if changed.rowcount == 0:
                    connection.execute(insert(StoreHeartbeat).values(id=1, checked_at=now))
        except SQLAlchemyError as error:
            return {"database": store_error_reason(error)}
        return {}


def store_error_reason(error: SQLAlchemyError) -> str:
    """A Chinese reason for a storage error an advisor may meet (no SQL, no paths)."""
    text = str(getattr(error, "orig", error)).lower()
    if "readonly" in text or "read-only" in text or "read only" in text:
        return "数据库只读，无法写入"
    if "disk" in text and ("full" in text or "i/o" in text):
        return "数据库磁盘已满或读写出错"
    return "数据库无法连接或无法写入"
