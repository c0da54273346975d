"""Bulk loading of customer views: customers as ORM rows, their children as plain rows.

Skipping ORM identity bookkeeping for tags, holdings and events is what keeps listing and
streaming 10,000+ customers (campaigns) cheap.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from rm_copilot.compliance.models import CustomerContext
from rm_copilot.customers import views
from rm_copilot.customers.models import Customer, CustomerEvent, CustomerTag, Holding
from rm_copilot.customers.tags import age_on
from rm_copilot.customers.views import CustomerProfile, CustomerView
from rm_copilot.customers.writer import chunked

CHILD_CHUNK = 500


@dataclass(frozen=True)
class CustomerBundle:
    """Everything a batch job needs about one customer, read in the same few queries."""

    view: CustomerView
    profile: CustomerProfile
    context: CustomerContext


def load_views(session: Session, stmt: Select, today: date) -> list[CustomerView]:
    """Views for the customers `stmt` selects, in its order."""
    return [views.customer_view(c, today, kids) for c, kids in _with_children(session, stmt)]


def load_bundles(session: Session, stmt: Select, today: date) -> list[CustomerBundle]:
    """View, prompt profile and compliance context for the customers `stmt` selects."""
    return [
        CustomerBundle(
            views.customer_view(c, today, kids),
            views.customer_profile(c, today, kids),
            CustomerContext(
                customer_id=c.id, full_name=c.full_name, age=age_on(c.birth_date, today), risk_level=c.risk_level
            ),
        )
        for c, kids in _with_children(session, stmt)
    ]


def _with_children(session: Session, stmt: Select) -> list[tuple[Customer, tuple[list, list, list]]]:
    customers = list(session.scalars(stmt))
    children: dict[str, tuple[list, list, list]] = {c.id: ([], [], []) for c in customers}
    for chunk in chunked(children, CHILD_CHUNK):
        for position, query in enumerate(_child_queries(chunk)):
            for row in session.execute(query):
                children[row.customer_id][position].append(row)
    return [(c, children[c.id]) for c in customers]


def _child_queries(ids: list[str]) -> tuple[Select, Select, Select]:
    tags = (
        select(CustomerTag.customer_id, CustomerTag.layer, CustomerTag.key, CustomerTag.value,
               CustomerTag.source, CustomerTag.updated_at)
        .where(CustomerTag.customer_id.in_(ids))
        .order_by(CustomerTag.layer, CustomerTag.key, CustomerTag.id)
    )
    holdings = (
        select(Holding.customer_id, Holding.product_id, Holding.product_name, Holding.amount_band,
               Holding.start_date, Holding.maturity_date)
        .where(Holding.customer_id.in_(ids))
        .order_by(Holding.id)
    )
    events = (
        select(CustomerEvent.customer_id, CustomerEvent.kind, CustomerEvent.event_date, CustomerEvent.detail)
        .where(CustomerEvent.customer_id.in_(ids))
        .order_by(CustomerEvent.event_date, CustomerEvent.id)
    )
    return tags, holdings, events
