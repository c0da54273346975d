"""The outcome store: one row per recorded reaction, and the contacts they add up to.

A contact is one script or campaign row that reached one customer; several outcomes (sent, then
replied, then purchased) belong to the same contact. Reports and the bandit count contacts.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, sessionmaker

from rm_copilot.db import transaction
from rm_copilot.marketing.models import Outcome


@dataclass
class Contact:
    key: str
    advisor_id: str
    customer_id: str
    campaign_id: str | None
    variant: int | None
    scenario: str | None
    channel: str | None
    segment: str | None
    product_id: str | None
    kinds: set[str] = field(default_factory=set)

    def converted(self, conversion_kinds: Iterable[str]) -> bool:
        return bool(self.kinds & set(conversion_kinds))


def contact_key(row: Outcome) -> str:
    if row.script_id:
        return f"script|{row.script_id}"
    if row.campaign_id:
        return f"campaign|{row.campaign_id}|{row.customer_id}|{row.variant}"
    return f"direct|{row.customer_id}|{row.scenario}|{row.variant}|{row.product_id}"


class OutcomeStore:
    def __init__(self, session_factory: sessionmaker[Session]):
        self._factory = session_factory

    def add(self, **columns: object) -> int:
        with transaction(self._factory) as session:
            row = Outcome(**columns)
            session.add(row)
            session.flush()
            return row.id

    def add_many(self, rows: Iterable[dict[str, object]]) -> int:
        rows = list(rows)
        with transaction(self._factory) as session:
            session.add_all(Outcome(**row) for row in rows)
        return len(rows)

    def contacts(self, *, advisor_id: str | None = None, campaign_id: str | None = None,
                 scenario: str | None = None, segment: str | None = None) -> list[Contact]:
        stmt = select(Outcome).order_by(Outcome.id)
        for column, value in ((Outcome.advisor_id, advisor_id), (Outcome.campaign_id, campaign_id),
                              (Outcome.scenario, scenario), (Outcome.segment, segment)):
            if value is not None:
                stmt = stmt.where(column == value)
        found: dict[str, Contact] = {}
        with self._factory() as session:
            for row in session.scalars(stmt):
                key = contact_key(row)
                contact = found.get(key)
                if contact is None:
                    contact = found[key] = Contact(
                        key, row.advisor_id, row.customer_id, row.campaign_id, row.variant, row.scenario,
                        row.channel, row.segment, row.product_id,
                    )
                contact.kinds.add(row.kind)
                contact.product_id = contact.product_id or row.product_id
        return list(found.values())

    def variant_counts(self, *, scenario: str, segment: str, conversion_kinds: Iterable[str]) -> dict[int, tuple[int, int]]:
        """(contacts, conversions) per variant in one scenario × segment, aggregated in SQL (the bandit's hot path)."""
        converted = func.max(case((Outcome.kind.in_(list(conversion_kinds)), 1), else_=0))
        per_contact = (
            select(Outcome.variant, converted.label("converted"))
            .where(Outcome.scenario == scenario, Outcome.segment == segment, Outcome.variant.is_not(None))
            .group_by(Outcome.script_id, Outcome.campaign_id, Outcome.customer_id, Outcome.variant, Outcome.product_id)
            .subquery()
        )
        stmt = select(per_contact.c.variant, func.count(), func.sum(per_contact.c.converted)).group_by(per_contact.c.variant)
        with self._factory() as session:
            return {variant: (n, int(s or 0)) for variant, n, s in session.execute(stmt)}
