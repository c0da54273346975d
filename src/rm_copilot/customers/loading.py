"""Bulk loading of customer views: customers as ORM rows, their children as plain rows.

Skipping ORM identity bookkeeping for tags, holdings and events is what keeps listing and
streaming 10,000+ customers (campaigns) cheap.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from rm_copilot.customers import views
from rm_copilot.customers.models import CustomerEvent, CustomerTag, Holding
from rm_copilot.customers.views import CustomerView
from rm_copilot.customers.writer import chunked

CHILD_CHUNK = 500


def load_views(session: Session, stmt: Select, today: date) -> list[CustomerView]:
    """Views for the customers `stmt` selects, in its order."""
    customers = list(session.scalars(stmt))
    children: dict[str, tuple[list, list, list]] = {c.id: ([], [], []) for c in customers}
    for chunk in chunked(children, CHILD_CHUNK):
        for position, query in enumerate(_child_queries(chunk)):
            for row in session.execute(query):
                children[row.customer_id][position].append(row)
    return [views.customer_view(c, today, children[c.id]) for c in customers]


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
