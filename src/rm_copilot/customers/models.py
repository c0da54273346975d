"""ORM models for advisors and their customers (portable types: SQLite and PostgreSQL).

Only the repository touches these; everything outside it reads the masked views in views.py.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rm_copilot.clock import naive_utc_now
from rm_copilot.db import Base


class Advisor(Base):
    __tablename__ = "advisors"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    wecom_userid: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)

    customers: Mapped[list[Customer]] = relationship(back_populates="advisor")


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    advisor_id: Mapped[str] = mapped_column(ForeignKey("advisors.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(64))
    id_number: Mapped[str] = mapped_column(String(18))
    phone: Mapped[str] = mapped_column(String(20))
    card_number: Mapped[str | None] = mapped_column(String(19))
    gender: Mapped[str] = mapped_column(String(2))
    birth_date: Mapped[date] = mapped_column(Date)
    city: Mapped[str] = mapped_column(String(32))
    occupation: Mapped[str] = mapped_column(String(64))
    tier: Mapped[str] = mapped_column(String(8))
    risk_level: Mapped[str | None] = mapped_column(String(2))
    risk_assessed_at: Mapped[date | None] = mapped_column(Date)
    marketing_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    # The customer as a WeCom external contact (企业微信外部联系人), for 企业群发; nullable, added later.
    external_userid: Mapped[str | None] = mapped_column(String(64), nullable=True)
    note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=naive_utc_now, onupdate=naive_utc_now)

    advisor: Mapped[Advisor] = relationship(back_populates="customers")
    tags: Mapped[list[CustomerTag]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", passive_deletes=True,
        order_by="[CustomerTag.layer, CustomerTag.key, CustomerTag.id]",
    )
    holdings: Mapped[list[Holding]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", passive_deletes=True,
        order_by="Holding.id",
    )
    events: Mapped[list[CustomerEvent]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", passive_deletes=True,
        order_by="[CustomerEvent.event_date, CustomerEvent.id]",
    )


class CustomerTag(Base):
    __tablename__ = "customer_tags"
    __table_args__ = (
        UniqueConstraint("customer_id", "layer", "key", "value", name="uq_customer_tag"),
        Index("ix_customer_tags_layer_key_value", "layer", "key", "value"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    layer: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(String(128))
    source: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=naive_utc_now)

    customer: Mapped[Customer] = relationship(back_populates="tags")


class Holding(Base):
    __tablename__ = "customer_holdings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[str] = mapped_column(String(16), index=True)
    product_name: Mapped[str] = mapped_column(String(128), default="")
    amount_band: Mapped[str] = mapped_column(String(32))
    start_date: Mapped[date | None] = mapped_column(Date)
    maturity_date: Mapped[date | None] = mapped_column(Date)

    customer: Mapped[Customer] = relationship(back_populates="holdings")


class CustomerEvent(Base):
    __tablename__ = "customer_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    event_date: Mapped[date] = mapped_column(Date, index=True)
    detail: Mapped[str] = mapped_column(String(256), default="")

    customer: Mapped[Customer] = relationship(back_populates="events")
