"""Which chat session a WeCom user's next message continues: one per (user, customer in focus).

In memory for a single process; in the database (`SqlSessionMap`) when several workers answer one
WeCom app, so a follow-up continues the session whichever worker receives it.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from datetime import datetime
from typing import Protocol

from sqlalchemy import DateTime, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from rm_copilot.clock import utc_now
from rm_copilot.db import Base

Key = tuple[str, str]  # (WeCom user id, customer id or "")


class SessionMap(Protocol):
    def get(self, key: Key) -> str | None: ...
    def put(self, key: Key, session_id: str | None) -> None: ...
    def forget_user(self, userid: str) -> None: ...


class MemorySessionMap:
    """The most recently used `max_sessions` links of this process."""

    def __init__(self, max_sessions: int = 2000):
        self._links: OrderedDict[Key, str] = OrderedDict()
        self._max = max_sessions
        self._lock = threading.Lock()

    def get(self, key: Key) -> str | None:
        with self._lock:
            if key in self._links:
                self._links.move_to_end(key)
            return self._links.get(key)

    def put(self, key: Key, session_id: str | None) -> None:
        with self._lock:
            self._links.pop(key, None)
            if session_id:
                self._links[key] = session_id
                while len(self._links) > self._max:
                    self._links.popitem(last=False)

    def forget_user(self, userid: str) -> None:
        with self._lock:
            for key in [k for k in self._links if k[0] == userid]:
                del self._links[key]


class WeComSessionLink(Base):
    __tablename__ = "wecom_session_links"

    user_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the WeCom user id
    customer_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    session_id: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def _user_hash(userid: str) -> str:
    return hashlib.sha256(userid.encode()).hexdigest()


class SqlSessionMap:
    """The links in the store, shared by every worker process."""

    def __init__(self, session_factory: sessionmaker[Session]):
        self._factory = session_factory

    def get(self, key: Key) -> str | None:
        with self._factory() as session:
            return session.execute(select(WeComSessionLink.session_id).where(
                WeComSessionLink.user_hash == _user_hash(key[0]), WeComSessionLink.customer_id == key[1],
            )).scalar_one_or_none()

    def put(self, key: Key, session_id: str | None) -> None:
        with self._factory() as session, session.begin():
            if session_id is None:
                session.execute(delete(WeComSessionLink).where(
                    WeComSessionLink.user_hash == _user_hash(key[0]), WeComSessionLink.customer_id == key[1]))
                return
            session.merge(WeComSessionLink(user_hash=_user_hash(key[0]), customer_id=key[1],
                                           session_id=session_id, updated_at=utc_now()))

    def forget_user(self, userid: str) -> None:
        with self._factory() as session, session.begin():
            session.execute(delete(WeComSessionLink).where(WeComSessionLink.user_hash == _user_hash(userid)))
