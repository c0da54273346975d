"""Audit trail: every verdict is recorded with a hash of the text, never the raw text.

`record` writes one entry in its own transaction; `AuditBatch` collects the entries of a file check
and writes them `size` at a time (one transaction each, optionally from a writer thread), and
whatever is left when it closes — also when the check fails half-way, so lines already checked are
never lost from the trail.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import cast

from sqlalchemy import DateTime, Integer, String, Table, Text, insert
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from rm_copilot.clock import utc_now
from rm_copilot.compliance.audit_writer import BackgroundWriter
from rm_copilot.compliance.models import CheckResult
from rm_copilot.db import Base, transaction


class AuditRecord(Base):
    __tablename__ = "compliance_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now, index=True)
    advisor_id: Mapped[str | None] = mapped_column(String(32), index=True)
    customer_id: Mapped[str | None] = mapped_column(String(32), index=True)
    channel: Mapped[str | None] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(32), default="check")
    verdict: Mapped[str] = mapped_column(String(8), index=True)
    rule_ids: Mapped[str] = mapped_column(Text, default="[]")  # JSON list
    text_sha256: Mapped[str] = mapped_column(String(64))
    text_length: Mapped[int] = mapped_column(Integer)
    rulebook_version: Mapped[str] = mapped_column(String(64))

    @property
    def rule_id_list(self) -> list[str]:
        return json.loads(self.rule_ids)


_AUDIT_TABLE = cast(Table, AuditRecord.__table__)


class SqlAuditSink:
    def __init__(self, session_factory: sessionmaker[Session]):
        self.session_factory = session_factory

    def record(self, result: CheckResult, *, advisor_id: str | None = None, channel: str | None = None,
               customer_id: str | None = None, source: str = "check", original_text: str | None = None
               ) -> AuditRecord:
        """Store the verdict; the hash is of `original_text` when given, else of the checked output."""
        record = AuditRecord(**_entry(result, advisor_id=advisor_id, channel=channel, customer_id=customer_id,
                                      source=source, original_text=original_text))
        with transaction(self.session_factory) as session:
            session.add(record)
        return record

    def record_many(self, entries: list[dict]) -> None:
        """Store prepared entries (see `AuditBatch`) in one transaction, as a Core executemany of the
        table: the ORM's bulk insert would sort and convert every row for nothing (no objects come back)."""
        if entries:
            with transaction(self.session_factory) as session:
                session.execute(insert(_AUDIT_TABLE), entries)

    def batch(self, size: int = 1000, *, background: bool = False) -> AuditBatch:
        return AuditBatch(self, size, background=background)


class AuditBatch:
    """`with sink.batch() as batch: batch.add(result, ...)` — flushed every `size` entries and on exit.

    With `background`, each flushed batch is written by one writer thread (`audit_writer.py`) while
    the caller goes on; on exit the rest is handed over and everything is written before it returns.
    """

    def __init__(self, sink: SqlAuditSink, size: int, *, background: bool = False):
        self.sink = sink
        self.size = max(1, size)
        self.pending: list[dict] = []
        self.written = 0  # entries flushed (handed to the writer, with `background`)
        self._writer = BackgroundWriter(sink.record_many) if background else None

    def add(self, result: CheckResult, **context) -> None:
        if self._writer is not None:
            self._writer.check()  # a failed write stops the run at once
        self.pending.append(_entry(result, **context))
        if len(self.pending) >= self.size:
            self.flush()

    def flush(self) -> None:
        entries, self.pending = self.pending, []
        if not entries:
            return
        if self._writer is not None:
            self._writer.put(entries)
        else:
            self.sink.record_many(entries)
        self.written += len(entries)

    def __enter__(self) -> AuditBatch:
        return self

    def __exit__(self, *exc_info) -> None:
        try:
            self.flush()
        finally:
            if self._writer is not None:
                self._writer.close()


def _entry(result: CheckResult, *, advisor_id: str | None = None, channel: str | None = None,
           customer_id: str | None = None, source: str = "check", original_text: str | None = None) -> dict:
    hashed = original_text if original_text is not None else result.text
    return {
        "created_at": utc_now(),
        "advisor_id": advisor_id,
        "customer_id": customer_id,
        "channel": channel,
        "source": source,
        "verdict": result.verdict,
        "rule_ids": json.dumps(result.rule_ids, ensure_ascii=False),
        "text_sha256": hashlib.sha256(hashed.encode("utf-8")).hexdigest(),
        "text_length": len(hashed),
        "rulebook_version": result.rulebook_version,
    }
