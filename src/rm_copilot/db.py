"""Database engine and session factory shared by every store (SQLite by default, PostgreSQL by URL)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker


class Base(DeclarativeBase):
    pass


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
    """Create every table registered on Base (models are imported for their side effect)."""
    import rm_copilot.customers.models  # noqa: F401
    import rm_copilot.assistant.models  # noqa: F401
    import rm_copilot.compliance.audit  # noqa: F401
    import rm_copilot.channels.campaign.models  # noqa: F401
    import rm_copilot.channels.wecom.models  # noqa: F401
    import rm_copilot.customers.need_models  # noqa: F401
    import rm_copilot.marketing.models  # noqa: F401

    Base.metadata.create_all(engine)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    with factory() as session, session.begin():
        yield session
