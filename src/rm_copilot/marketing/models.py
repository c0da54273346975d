"""ORM tables of the marketing loop: issued scripts, outcomes, dismissed opportunities.

No raw script text and no customer name is stored here: issued scripts keep a sha256 of the text,
outcomes keep a redacted detail.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rm_copilot.clock import naive_utc_now
from rm_copilot.db import Base


class IssuedScript(Base):
    """A script shown to an advisor; outcomes refer to it by `script_id`."""

    __tablename__ = "issued_scripts"

    script_id: Mapped[str] = mapped_column(String(24), primary_key=True)
    advisor_id: Mapped[str] = mapped_column(String(16), index=True)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    product_id: Mapped[str | None] = mapped_column(String(16))
    scenario: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    variant: Mapped[int] = mapped_column(Integer, default=0)
    segment: Mapped[str] = mapped_column(String(32), default="")
    verdict: Mapped[str] = mapped_column(String(16))
    text_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=naive_utc_now)


class Outcome(Base):
    """What happened after a script or campaign row reached a customer."""

    __tablename__ = "marketing_outcomes"
    __table_args__ = (Index("ix_outcomes_scenario_segment", "scenario", "segment"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    advisor_id: Mapped[str] = mapped_column(String(16), index=True)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    script_id: Mapped[str | None] = mapped_column(String(24), index=True)
    campaign_id: Mapped[str | None] = mapped_column(String(32), index=True)
    variant: Mapped[int | None] = mapped_column(Integer)
    scenario: Mapped[str | None] = mapped_column(String(16))
    channel: Mapped[str | None] = mapped_column(String(16))
    segment: Mapped[str | None] = mapped_column(String(32))
    product_id: Mapped[str | None] = mapped_column(String(16))
    verdict: Mapped[str | None] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str | None] = mapped_column(String(256))
    source: Mapped[str] = mapped_column(String(16), default="api")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=naive_utc_now)


class OpportunityDismissal(Base):
    """An advisor's "not now" for one trigger state; a changed trigger has another fingerprint."""

    __tablename__ = "opportunity_dismissals"
    __table_args__ = (UniqueConstraint("advisor_id", "customer_id", "fingerprint", name="uq_dismissal"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    advisor_id: Mapped[str] = mapped_column(String(16), index=True)
    customer_id: Mapped[str] = mapped_column(String(64))
    trigger: Mapped[str] = mapped_column(String(32))
    fingerprint: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=naive_utc_now)

