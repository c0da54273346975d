"""Inferred need tags in their own table, refreshed from the behaviour layer after each import.

Entered need tags (客户经理录入, 需求问卷, 导入) live in `customer_tags` and win: an inferred need
with the same key is still stored (it is evidence) but callers list it only when no entered tag
has that key.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session, sessionmaker

from rm_copilot.customers.loading import load_views
from rm_copilot.customers.models import Customer, utcnow
from rm_copilot.customers.need_inference import Inference, NeedScorer
from rm_copilot.customers.need_models import InferredNeed
from rm_copilot.customers.writer import chunked
from rm_copilot.db import transaction

BATCH = 500


class InferredNeedStore:
    def __init__(self, session_factory: sessionmaker[Session], scorer: NeedScorer,
                 clock: Callable[[], date] = date.today):
        self._factory = session_factory
        self.scorer = scorer
        self._today = clock

    def refresh(self, ids: Iterable[str] | None = None) -> int:
        """Recompute the inferred needs of `ids` (None: every customer); returns needs stored."""
        if ids is None:
            with self._factory() as session:
                ids = list(session.scalars(select(Customer.id).order_by(Customer.id)))
        stored = 0
        for chunk in chunked(ids, BATCH):
            with transaction(self._factory) as session:
                views = load_views(session, select(Customer).where(Customer.id.in_(chunk)), self._today())
                rows = [
                    {"customer_id": view.id, "key": found.key, "confidence": round(found.confidence, 4),
                     "evidence": found.evidence[:6], "model_version": self.scorer.model.version,
                     "updated_at": utcnow()}
                    for view in views for found in self.scorer.infer(self.scorer.signals_from_view(view))
                ]
                session.execute(delete(InferredNeed).where(InferredNeed.customer_id.in_(chunk)))
                if rows:
                    session.execute(insert(InferredNeed), rows)
                stored += len(rows)
        return stored

    def for_customers(self, ids: Iterable[str]) -> dict[str, list[Inference]]:
        found: dict[str, list[Inference]] = {}
        with self._factory() as session:
            for chunk in chunked(ids, BATCH):
                stmt = (select(InferredNeed).where(InferredNeed.customer_id.in_(chunk))
                        .order_by(InferredNeed.customer_id, InferredNeed.confidence.desc(), InferredNeed.key))
                for row in session.scalars(stmt):
                    found.setdefault(row.customer_id, []).append(
                        Inference(row.key, row.confidence, list(row.evidence or [])))
        return found

    def for_customer(self, customer_id: str) -> list[Inference]:
        return self.for_customers([customer_id]).get(customer_id, [])
