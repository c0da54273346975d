"""Campaign jobs started through the API: parameters, progress and where the rows are."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from rm_copilot.clock import utc_now
from rm_copilot.db import Base


class CampaignJob(Base):
    __tablename__ = "campaign_jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    advisor_id: Mapped[str] = mapped_column(String(16), index=True)
    product_id: Mapped[str] = mapped_column(String(16))
    segment: Mapped[str | None] = mapped_column(Text, nullable=True)
    customer_ids: Mapped[list | None] = mapped_column(JSON, nullable=True)
    channel: Mapped[str] = mapped_column(String(16))
    variants: Mapped[int] = mapped_column(Integer, default=1)
    limit: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    processed: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    out_path: Mapped[str] = mapped_column(Text)
    # The process running the job ("host:pid") and when it last said so: a lease, not a guess.
    owner: Mapped[str | None] = mapped_column(String(96), nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now, onupdate=utc_now)
