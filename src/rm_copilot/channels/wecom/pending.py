"""Acknowledged WeCom messages not yet answered, kept in the database until their reply is sent.

WeCom is told "received" as soon as a message is accepted; the answer comes later from a worker. If
the process dies in between, the row stays, and a live process takes it back (its owner's process
is gone, or its lease ran out) and answers it: at-least-once, keyed by the inbox's dedupe key.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, DateTime, Integer, String, Text, delete, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from rm_copilot.channels.wecom.messages import InboundMessage
from rm_copilot.clock import utc_now
from rm_copilot.compliance.pii import redact_pii
from rm_copilot.db import Base
from rm_copilot.leases import has_passed, owner_is_dead, this_owner

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 3


class PendingWeComMessage(Base):
    __tablename__ = "wecom_pending"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    message: Mapped[str] = mapped_column(Text)  # the decrypted message, PII masked, deleted once answered
    owner: Mapped[str] = mapped_column(String(96))
    lease_until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


def _key_hash(dedupe_key: str) -> str:
    return hashlib.sha256(dedupe_key.encode()).hexdigest()


class PendingMessages:
    def __init__(self, session_factory: sessionmaker[Session], *, lease: timedelta = LEASE):
        self._factory = session_factory
        self._lease = lease
        self._owner = this_owner()

    def hold(self, message: InboundMessage) -> None:
        """Record an accepted message before WeCom is acknowledged."""
        now = utc_now()
        try:
            with self._factory() as session, session.begin():
                session.merge(PendingWeComMessage(
                    key_hash=_key_hash(message.dedupe_key), owner=self._owner, lease_until=now + self._lease,
                    attempts=1, received_at=now,
                    message=json.dumps(dataclasses.asdict(_masked(message)), ensure_ascii=False),
                ))
        except SQLAlchemyError:
            log.warning("wecom pending table unavailable; this answer is not durable", exc_info=True)

    def done(self, dedupe_key: str) -> None:
        try:
            with self._factory() as session, session.begin():
                session.execute(delete(PendingWeComMessage).where(PendingWeComMessage.key_hash == _key_hash(dedupe_key)))
        except SQLAlchemyError:
            log.warning("could not clear a pending wecom message", exc_info=True)

    def take_abandoned(self) -> list[InboundMessage]:
        """Messages of dead or silent owners, now leased to this process (each taken by one process)."""
        taken: list[InboundMessage] = []
        try:
            with self._factory() as session:
                rows = session.execute(select(PendingWeComMessage)).scalars().all()
            for row in rows:
                if row.owner == self._owner or not (owner_is_dead(row.owner) or has_passed(row.lease_until)):
                    continue
                if row.attempts >= MAX_ATTEMPTS:
                    log.error("wecom message dropped after %d attempts", row.attempts)
                    self.done_hash(row.key_hash)
                    continue
                if self._lease_to_me(row):
                    taken.append(_message(row.message))
        except SQLAlchemyError:
            log.warning("could not look for abandoned wecom messages", exc_info=True)
        return taken

    def done_hash(self, key_hash: str) -> None:
        with self._factory() as session, session.begin():
            session.execute(delete(PendingWeComMessage).where(PendingWeComMessage.key_hash == key_hash))

    def _lease_to_me(self, row: PendingWeComMessage) -> bool:
        """Compare-and-set on (owner, lease_until): of two processes taking the same row, one wins."""
        with self._factory() as session, session.begin():
            changed = session.execute(
                update(PendingWeComMessage)
                .where(PendingWeComMessage.key_hash == row.key_hash, PendingWeComMessage.owner == row.owner,
                       PendingWeComMessage.lease_until == row.lease_until)
                .values(owner=self._owner, lease_until=utc_now() + self._lease, attempts=row.attempts + 1)
            )
            return cast("CursorResult[Any]", changed).rowcount == 1  # an UPDATE answers a cursor result


def _masked(message: InboundMessage) -> InboundMessage:
    """What is stored: the advisor's text with ID, card and phone numbers and full names masked, as
    the chat history stores it; a message answered after a restart is answered from this copy."""
    return dataclasses.replace(message, content=redact_pii(message.content))


def _message(data: str) -> InboundMessage:
    fields = {field.name for field in dataclasses.fields(InboundMessage)}
    return InboundMessage(**{k: v for k, v in json.loads(data).items() if k in fields})
