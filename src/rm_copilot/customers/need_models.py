"""ORM table of inferred need tags: computed from behaviour, kept apart from entered tags."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rm_copilot.clock import naive_utc_now
from rm_copilot.db import Base


class InferredNeed(Base):
    __tablename__ = "inferred_needs"
    __table_args__ = (UniqueConstraint("customer_id", "key", name="uq_inferred_need"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    confidence: Mapped[float] = mapped_column(Float)
    evidence: Mapped[list] = mapped_column(JSON)  # short Chinese phrases naming the signals
    model_version: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=naive_utc_now)
