"""Bulk upsert of validated customer records inside the caller's transaction.

Core-level INSERT/UPDATE with executemany keeps 10,000-customer loads to seconds; an existing
customer's tags, holdings and events are replaced by the record's.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from rm_copilot.customers.models import Customer, CustomerEvent, CustomerTag, Holding
from rm_copilot.customers.records import CustomerRecord

T = TypeVar("T")
CHUNK = 500


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def upsert_customers(
    session: Session, records: Sequence[CustomerRecord], *, now: datetime, today: date
) -> tuple[int, int]:
    """Write records; returns (created, updated)."""
    ids = [record.id for record in records]
    existing: set[str] = set()
    for chunk in chunked(ids, CHUNK):
        existing.update(session.scalars(select(Customer.id).where(Customer.id.in_(chunk))))
    for chunk in chunked(sorted(existing), CHUNK):
        for child in (CustomerTag, Holding, CustomerEvent):
            session.execute(delete(child).where(child.customer_id.in_(chunk)))

    columns = [record.customer_columns(now) for record in records]
    new_rows = [row for row in columns if row["id"] not in existing]
    old_rows = [row for row in columns if row["id"] in existing]
    if new_rows:
        session.execute(insert(Customer), new_rows)
    if old_rows:
        session.execute(update(Customer), old_rows)

    tags: list[dict[str, Any]] = []
    holdings: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for record in records:
        tags.extend({"customer_id": record.id, **tag} for tag in record.all_tags(now, today))
        holdings.extend({"customer_id": record.id, **h.model_dump()} for h in record.holdings)
        events.extend(
            {"customer_id": record.id, "kind": e.kind, "event_date": e.date, "detail": e.detail}
            for e in record.events
        )
    for model, rows in ((CustomerTag, tags), (Holding, holdings), (CustomerEvent, events)):
        for batch in chunked(rows, CHUNK * 10):
            session.execute(insert(model), batch)
    return len(new_rows), len(old_rows)
