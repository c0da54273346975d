"""Exactly-once acceptance of WeCom deliveries: a bounded in-memory TTL set in front of a DB table.

WeCom re-delivers a message when it does not see a quick answer (and after our restarts it may
arrive again); whoever claims a key first answers it, every later claim is refused.
"""
from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from rm_copilot.channels.wecom.models import WeComInboxEntry
from rm_copilot.clock import utc_now

log = logging.getLogger(__name__)


class TtlKeySet:
    """Keys remembered for `ttl` seconds, at most `max_keys` of them (oldest dropped first)."""

    def __init__(self, *, ttl: float, max_keys: int, clock: Callable[[], float] = time.monotonic):
        self._ttl, self._max, self._clock = ttl, max_keys, clock
        self._expiry: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, key: str) -> bool:
        """True when the key was not present (and is now); False for a live duplicate."""
        now = self._clock()
        with self._lock:
            while self._expiry and next(iter(self._expiry.values())) <= now:
                self._expiry.popitem(last=False)
            if key in self._expiry:
                return False
            self._expiry[key] = now + self._ttl
            while len(self._expiry) > self._max:
                self._expiry.popitem(last=False)
            return True

    def discard(self, key: str) -> None:
        with self._lock:
            self._expiry.pop(key, None)

    def __len__(self) -> int:
        return len(self._expiry)


class WeComInbox:
    def __init__(
        self,
        session_factory: sessionmaker[Session] | None,
        *,
        memory_ttl: float = 3600.0,
        max_keys: int = 10_000,
        keep_rows: timedelta = timedelta(days=7),
    ):
        self._factory = session_factory
        self._recent = TtlKeySet(ttl=memory_ttl, max_keys=max_keys)
        self._keep_rows = keep_rows
        self._last_prune = 0.0

    def claim(self, dedupe_key: str, msg_type: str) -> bool:
        """True for the first delivery of this key; False for every repeat (here or before a restart)."""
        key_hash = hashlib.sha256(dedupe_key.encode()).hexdigest()
        if not self._recent.add(key_hash):
            return False
        if self._factory is None:
            return True
        try:
            with self._factory() as session, session.begin():
                session.add(
                    WeComInboxEntry(key_hash=key_hash, msg_type=msg_type[:32], received_at=utc_now())
                )
        except IntegrityError:
            return False
        except SQLAlchemyError:
            log.warning("wecom inbox table unavailable; deduplicating in memory only", exc_info=True)
        self._prune_now_and_then()
        return True

    def release(self, dedupe_key: str) -> None:
        """Forget a claim whose work could not be scheduled, so WeCom's retry is accepted."""
        key_hash = hashlib.sha256(dedupe_key.encode()).hexdigest()
        self._recent.discard(key_hash)
        if self._factory is None:
            return
        try:
            with self._factory() as session, session.begin():
                session.execute(delete(WeComInboxEntry).where(WeComInboxEntry.key_hash == key_hash))
        except SQLAlchemyError:
            log.warning("could not release a wecom inbox claim", exc_info=True)

    def finish(self, dedupe_key: str, status: str) -> None:
        if self._factory is None:
            return
        key_hash = hashlib.sha256(dedupe_key.encode()).hexdigest()
        try:
            with self._factory() as session, session.begin():
                session.execute(
                    update(WeComInboxEntry)
                    .where(WeComInboxEntry.key_hash == key_hash)
                    .values(status=status[:16], finished_at=utc_now())
                )
        except SQLAlchemyError:
            log.warning("could not record wecom message status", exc_info=True)

    def _prune_now_and_then(self) -> None:
        now = time.monotonic()
        if self._factory is None or now - self._last_prune < 3600:
            return
        self._last_prune = now
        cutoff = utc_now() - self._keep_rows
        try:
            with self._factory() as session, session.begin():
                session.execute(delete(WeComInboxEntry).where(WeComInboxEntry.received_at < cutoff))
        except SQLAlchemyError:
            log.warning("could not prune the wecom inbox", exc_info=True)
