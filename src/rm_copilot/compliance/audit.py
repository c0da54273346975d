"""Audit trail: every verdict is recorded with a hash of the text, never the raw text."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from rm_copilot.compliance.models import CheckResult
from rm_copilot.db import Base, transaction


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class AuditRecord(Base):
    __tablename__ = "compliance_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_utcnow, index=True)
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


class SqlAuditSink:
    def __init__(self, session_factory: sessionmaker[Session]):
        self.session_factory = session_factory

    def record(self, result: CheckResult, *, advisor_id: str | None = None, channel: str | None = None,
               customer_id: str | None = None, source: str = "check", original_text: str | None = None
               ) -> AuditRecord:
        """Store the verdict; the hash is of `original_text` when given, else of the checked output."""
        hashed = original_text if original_text is not None else result.text
        record = AuditRecord(
            created_at=_utcnow(),
            advisor_id=advisor_id,
            customer_id=customer_id,
            channel=channel,
            source=source,
            verdict=result.verdict,
            rule_ids=json.dumps(result.rule_ids, ensure_ascii=False),
            text_sha256=hashlib.sha256(hashed.encode("utf-8")).hexdigest(),
            text_length=len(hashed),
            rulebook_version=result.rulebook_version,
        )
        with transaction(self.session_factory) as session:
            session.add(record)
        return record
