"""The outcome store: one row per recorded reaction, and the contacts they add up to.

A contact is one script or campaign row that reached one customer; several outcomes (sent, then
replied, then purchased) belong to the same contact. Reports and the bandit count contacts.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
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
