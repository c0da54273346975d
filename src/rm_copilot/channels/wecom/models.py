"""ORM tables of the WeCom channel: received messages (a retry after a restart is answered only once)
and 企业群发 requests with their recipients."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String
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


class WeComMassMessage(Base):
    """One 企业群发 request (a script or a campaign): one or more WeCom tasks the advisor confirms."""

    __tablename__ = "wecom_mass_messages"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    advisor_id: Mapped[str] = mapped_column(String(16), index=True)
    sender: Mapped[str] = mapped_column(String(64))
    campaign_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    script_id: Mapped[str | None] = mapped_column(String(24), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WeComMassRecipient(Base):
    """One customer of a 群发 request: in a WeCom task (msgid) or excluded, with the reason."""

    __tablename__ = "wecom_mass_recipients"
    __table_args__ = (Index("ix_wecom_mass_recipients_customer_created", "customer_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    mass_id: Mapped[str] = mapped_column(String(16), index=True)
    msgid: Mapped[str | None] = mapped_column(String(64), nullable=True)
    customer_id: Mapped[str] = mapped_column(String(64))
    external_userid: Mapped[str | None] = mapped_column(String(64), nullable=True)
    variant: Mapped[int | None] = mapped_column(Integer, nullable=True)
    product_id: Mapped[str | None] = mapped_column(String(16), nullable=True)
    status: Mapped[str] = mapped_column(String(16))  # pending, sent, failed, excluded
    reason: Mapped[str | None] = mapped_column(String(128), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
