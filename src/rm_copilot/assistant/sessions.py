"""`SessionStore`: chat history persisted per advisor; an advisor only ever sees their own sessions."""
from __future__ import annotations

import atexit
import logging
import threading
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from rm_copilot.assistant.models import ChatMessage, ChatSession
from rm_copilot.clock import naive_utc_now
from rm_copilot.compliance.pii import redact_pii
from rm_copilot.db import transaction
from rm_copilot.errors import NotFound

TITLE_CHARS = 30
log = logging.getLogger(__name__)


class MessageView(BaseModel):
    model_config = ConfigDict(frozen=True)

    role: str
    content: str
    citations: list[dict[str, Any]] | None = None
    created_at: datetime


class SessionView(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    advisor_id: str
    customer_id: str | None
    title: str
    created_at: datetime
    updated_at: datetime
    message_count: int = 0


class SessionStore:
    """Reads wait for pending turn writes, so a follow-up always sees the previous answer."""

    def __init__(self, session_factory: sessionmaker[Session]):
        self._factory = session_factory
        self._writer: ThreadPoolExecutor | None = None
        self._last_write: Future | None = None
        self._lock = threading.Lock()

    def record_turn_later(self, session_id: str, **turn: Any) -> None:
        """`record_turn` on a single writer thread, off the request path (chat answers do not wait)."""
        with self._lock:
            if self._writer is None:
                self._writer = ThreadPoolExecutor(1, thread_name_prefix="chat-history")
                atexit.register(self.flush)
            self._last_write = self._writer.submit(self._record_logged, session_id, turn)

    def _record_logged(self, session_id: str, turn: dict[str, Any]) -> None:
        try:
            self.record_turn(session_id, **turn)
        except Exception:  # the answer was already delivered; keep the writer alive for the next turn
            log.exception("could not store a chat turn of session %s", session_id)

    def flush(self) -> None:
        """Wait until every turn handed to the writer is stored."""
        with self._lock:
            pending = self._last_write
        if pending is not None:
            pending.result()

    def create(self, advisor_id: str, *, customer_id: str | None = None, title: str = "") -> SessionView:
        row = ChatSession(id=self.new_id(), advisor_id=advisor_id, customer_id=customer_id,
                          title=redact_pii(title)[:TITLE_CHARS])
        with transaction(self._factory) as session:
            session.add(row)
            session.flush()
            return _session_view(row, 0)

    def get(self, session_id: str, *, advisor_id: str) -> SessionView:
        self.flush()
        with self._factory() as session:
            row = self._owned(session, session_id, advisor_id)
            count = session.scalar(select(func.count()).where(ChatMessage.session_id == row.id)) or 0
            return _session_view(row, count)

    def append(self, session_id: str, role: str, content: str, *, advisor_id: str,
               citations: list[dict[str, Any]] | None = None) -> None:
        content = redact_pii(content)  # names, phones and IDs are never stored raw
        with transaction(self._factory) as session:
            row = self._owned(session, session_id, advisor_id)
            session.add(ChatMessage(session_id=row.id, role=role, content=content, citations=citations))
            row.updated_at = naive_utc_now()
            if not row.title and role == "user":
                row.title = content[:TITLE_CHARS]

    def record_turn(self, session_id: str, *, advisor_id: str, question: str, answer: str,
                    citations: list[dict[str, Any]] | None = None, customer_id: str | None = None) -> None:
        """One question and its answer in one transaction; creates the session on its first turn.

        Plain statements, not the ORM's unit of work: a turn is written after every answer, and the
        writer thread shares the interpreter with the requests being answered."""
        question, answer = redact_pii(question), redact_pii(answer)  # names, phones and IDs never stored raw
        now = naive_utc_now()
        with transaction(self._factory) as session:
            owner = session.scalar(select(ChatSession.advisor_id).where(ChatSession.id == session_id))
            if owner is None:
                session.execute(insert(ChatSession), [{
                    "id": session_id, "advisor_id": advisor_id, "customer_id": customer_id,
                    "title": question[:TITLE_CHARS], "created_at": now, "updated_at": now}])
            elif owner != advisor_id:
                raise NotFound(f"没有找到会话 {session_id}")
            else:
                session.execute(update(ChatSession).where(ChatSession.id == session_id).values(updated_at=now))
            session.execute(insert(ChatMessage), [
                {"session_id": session_id, "role": "user", "content": question, "citations": None, "created_at": now},
                {"session_id": session_id, "role": "assistant", "content": answer, "citations": citations,
                 "created_at": now},
            ])

    @staticmethod
    def new_id() -> str:
        return uuid.uuid4().hex

    def history(self, session_id: str, *, advisor_id: str, limit: int | None = None) -> list[MessageView]:
        """Messages oldest first; with `limit`, only the most recent ones."""
        self.flush()
        with self._factory() as session:
            self._owned(session, session_id, advisor_id)
            stmt = select(ChatMessage).where(ChatMessage.session_id == session_id).order_by(ChatMessage.id.desc())
            if limit is not None:
                stmt = stmt.limit(limit)
            rows = list(session.scalars(stmt))
        return [MessageView(role=m.role, content=m.content, citations=m.citations, created_at=m.created_at)
                for m in reversed(rows)]

    def list_for_advisor(self, advisor_id: str, *, limit: int = 50) -> list[SessionView]:
        self.flush()
        counts = (select(ChatMessage.session_id, func.count().label("n"))
                  .group_by(ChatMessage.session_id).subquery())
        stmt = (select(ChatSession, func.coalesce(counts.c.n, 0))
                .outerjoin(counts, counts.c.session_id == ChatSession.id)
                .where(ChatSession.advisor_id == advisor_id)
                .order_by(ChatSession.updated_at.desc(), ChatSession.id).limit(limit))
        with self._factory() as session:
            return [_session_view(row, count) for row, count in session.execute(stmt)]

    def delete(self, session_id: str, *, advisor_id: str) -> None:
        self.flush()
        with transaction(self._factory) as session:
            row = self._owned(session, session_id, advisor_id)
            session.execute(delete(ChatMessage).where(ChatMessage.session_id == row.id))
            session.delete(row)

    @staticmethod
    def _owned(session: Session, session_id: str, advisor_id: str) -> ChatSession:
        row = session.get(ChatSession, session_id)
        if row is None or row.advisor_id != advisor_id:
            raise NotFound(f"没有找到会话 {session_id}")
        return row


def _session_view(row: ChatSession, count: int) -> SessionView:
    return SessionView(id=row.id, advisor_id=row.advisor_id, customer_id=row.customer_id, title=row.title,
                       created_at=row.created_at, updated_at=row.updated_at, message_count=count)
