"""ORM table of received WeCom messages, so a retry after a restart is still answered only once."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from rm_copilot.db import Base


class WeComInboxEntry(Base):
    __tablename__ = "wecom_inbox"

    # sha256 of the dedupe key: the key may hold a WeCom user id, which need not be stored.
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    msg_type: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="received")
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
