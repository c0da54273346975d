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

from rm_copilot.clock import naive_utc_now
from rm_copilot.compliance.pii import redact_pii
from rm_copilot.customers.models import Customer, CustomerEvent, CustomerTag, Holding
from rm_copilot.customers.need_inference import TRACE_KINDS, Inference, NeedScorer, Signals
from rm_copilot.customers.need_models import InferredNeed
from rm_copilot.customers.tags import age_on
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
                signals = self._signals(session, chunk)
                names = {cid: name for cid, name in session.execute(
                    select(Customer.id, Customer.full_name).where(Customer.id.in_(chunk)))}
                rows = [
                    {"customer_id": customer_id, "key": found.key, "confidence": round(found.confidence, 4),
                     # Evidence quotes imported free text (life events): stored and shown masked.
                     "evidence": [redact_pii(item, names=(names.get(customer_id) or "",)) for item in found.evidence[:6]],
                     "model_version": self.scorer.model.version, "updated_at": naive_utc_now()}
                    for customer_id, signal in signals.items() for found in self.scorer.infer(signal)
                ]
                session.execute(delete(InferredNeed).where(InferredNeed.customer_id.in_(chunk)))
                if rows:
                    session.execute(insert(InferredNeed), rows)
                stored += len(rows)
        return stored

    def _signals(self, session: Session, ids: list[str]) -> dict[str, Signals]:
        """Plain-row reads of what inference needs (no views: a 10,000-customer import stays quick)."""
        today = self._today()
        births = {cid: birth for cid, birth in session.execute(
            select(Customer.id, Customer.birth_date).where(Customer.id.in_(ids)))}
        traces: dict[str, list[tuple[str, str]]] = {cid: [] for cid in births}
        aum: dict[str, str] = {}
        for cid, key, value in session.execute(
                select(CustomerTag.customer_id, CustomerTag.key, CustomerTag.value)
                .where(CustomerTag.customer_id.in_(ids), CustomerTag.layer == "behavior")
                .order_by(CustomerTag.customer_id, CustomerTag.id)):
            if key in TRACE_KINDS:
                traces[cid].append((key, value))
            elif key == "aum_band":
                aum[cid] = value
        held: dict[str, list[str]] = {}
        for cid, product_id in session.execute(select(Holding.customer_id, Holding.product_id)
                                               .where(Holding.customer_id.in_(ids))):
            held.setdefault(cid, []).append(product_id)
        events: dict[str, list[str]] = {}
        for cid, detail in session.execute(select(CustomerEvent.customer_id, CustomerEvent.detail)
                                           .where(CustomerEvent.customer_id.in_(ids), CustomerEvent.kind == "life_event")):
            events.setdefault(cid, []).append(detail or "")
        return {
            cid: Signals(traces=tuple(traces[cid]), life_events=tuple(events.get(cid, ())),
                         held_needs=self.scorer.held_needs(held.get(cid, ())),
                         age=age_on(birth, today) if birth else None, aum_band=aum.get(cid))
            for cid, birth in births.items()
        }

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
