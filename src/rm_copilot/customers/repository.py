"""The customer and advisor store. The only code that reads the ORM; it hands out masked views."""
from __future__ import annotations

import builtins
import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, and_, false, func, not_, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from rm_copilot.clock import naive_utc_now
from rm_copilot.compliance.pii import mask_name, redact_pii
from rm_copilot.customers import criteria, views
from rm_copilot.customers.importer import ImportReport, read_records
from rm_copilot.customers.loading import CustomerBundle, load_bundles, load_views
from rm_copilot.customers.models import Advisor, Customer, CustomerEvent, CustomerTag
from rm_copilot.customers.records import CustomerRecord
from rm_copilot.customers.tags import age_on
from rm_copilot.customers.views import AdvisorView, CustomerProfile, CustomerView, UpcomingEvent
from rm_copilot.customers.writer import chunked, upsert_customers
from rm_copilot.db import transaction
from rm_copilot.errors import BadInput, NotFound

if TYPE_CHECKING:
    from rm_copilot.compliance import CustomerContext

logger = logging.getLogger(__name__)
_EAGER = (selectinload(Customer.tags), selectinload(Customer.holdings), selectinload(Customer.events))

def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class CustomerRepository:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        *,
        demo_dir: Path | None = None,
        clock: Callable[[], date] = date.today,
        after_upsert: Callable[[list[str]], object] | None = None,
    ):
        self._factory = session_factory
        self._demo_dir = demo_dir
        self._today = clock
        self._after_upsert = after_upsert  # e.g. refresh the inferred needs of the written customers

    # customers ------------------------------------------------------------------------------

    def get(self, customer_id: str, *, advisor_id: str | None = None) -> CustomerView:
        """One customer; another advisor's customer is NotFound, exactly like a missing one."""
        with self._factory() as session:
            return views.customer_view(self._customer(session, customer_id, advisor_id), self._today())

    def ensure_visible(self, customer_id: str, *, advisor_id: str) -> None:
        """NotFound, exactly as `get`, unless the customer exists and is this advisor's: one indexed
        read of the id, for a route that only checks ownership before the answer reads the customer."""
        with self._factory() as session:
            found = session.scalar(select(Customer.id).where(Customer.id == customer_id,
                                                             Customer.advisor_id == advisor_id))
        if found is None:
            raise NotFound(f"没有找到客户 {redact_pii(customer_id)}")

    def list(
        self,
        *,
        advisor_id: str | None = None,
        search: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[CustomerView]:
        stmt = select(Customer).order_by(Customer.id).offset(offset).limit(limit)
        if advisor_id is not None:
            stmt = stmt.where(Customer.advisor_id == advisor_id)
        if search and search.strip():
            term = search.strip()
            stmt = stmt.where(or_(
                Customer.id == term,
                Customer.full_name.contains(term, autoescape=True),
                Customer.city.contains(term, autoescape=True),
                Customer.occupation.contains(term, autoescape=True),
                Customer.tags.any(CustomerTag.value.contains(term, autoescape=True)),
            ))
        with self._factory() as session:
            return load_views(session, stmt, self._today())

    def count(self, *, advisor_id: str | None = None, where: criteria.Criterion | None = None) -> int:
        stmt = select(func.count()).select_from(Customer)
        if advisor_id is not None:
            stmt = stmt.where(Customer.advisor_id == advisor_id)
        if where is not None:
            stmt = stmt.where(self._clause(where))
        with self._factory() as session:
            return session.scalar(stmt) or 0

    def iter_ids(
        self, *, advisor_id: str | None = None, batch: int = 500, where: criteria.Criterion | None = None
    ) -> Iterator[str]:
        """Customer ids in order (of one advisor, matching `where`), fetched `batch` at a time (keyset pagination)."""
        last: str | None = None
        condition = None if where is None else self._clause(where)
        while True:
            stmt = select(Customer.id).order_by(Customer.id).limit(batch)
            if advisor_id is not None:
                stmt = stmt.where(Customer.advisor_id == advisor_id)
            if condition is not None:
                stmt = stmt.where(condition)
            if last is not None:
                stmt = stmt.where(Customer.id > last)
            with self._factory() as session:
                ids = list(session.scalars(stmt))
            yield from ids
            if len(ids) < batch:
                return
            last = ids[-1]

    def iter_views(
        self, ids: Iterable[str] | None = None, batch: int = 500, *, advisor_id: str | None = None
    ) -> Iterator[CustomerView]:
        """Views for `ids` (in their order; unknown ids are skipped) or for every customer."""
        source = self.iter_ids(advisor_id=advisor_id, batch=batch) if ids is None else ids
        for chunk in chunked(source, batch):
            stmt = select(Customer).where(Customer.id.in_(chunk))
            if advisor_id is not None:
                stmt = stmt.where(Customer.advisor_id == advisor_id)
            with self._factory() as session:
                found = {view.id: view for view in load_views(session, stmt, self._today())}
            yield from (found[cid] for cid in chunk if cid in found)

    def filter_ids(
        self, ids: Iterable[str], *, advisor_id: str | None = None, where: criteria.Criterion | None = None,
        batch: int = 500,
    ) -> Iterator[str]:
        """Those of `ids` (in their order) that exist, belong to `advisor_id` and match `where`."""
        condition = None if where is None else self._clause(where)
        for chunk in chunked(ids, batch):
            stmt = select(Customer.id).where(Customer.id.in_(chunk))
            if advisor_id is not None:
                stmt = stmt.where(Customer.advisor_id == advisor_id)
            if condition is not None:
                stmt = stmt.where(condition)
            with self._factory() as session:
                found = set(session.scalars(stmt))
            yield from (customer_id for customer_id in chunk if customer_id in found)

    def _clause(self, where: criteria.Criterion) -> ColumnElement[bool]:
        """The SQL form of a criteria tree, on this store's today (as the views' ages are)."""
        if isinstance(where, criteria.Equals):
            return func.coalesce(getattr(Customer, where.column), "") == where.value
        if isinstance(where, criteria.AgeAtLeast):
            latest = criteria.latest_birth_date(self._today(), where.years)
            return false() if latest is None else Customer.birth_date <= latest
        if isinstance(where, criteria.RiskIn):
            if not where.levels:
                return false()
            return and_(Customer.risk_level.is_not(None), Customer.risk_level.in_(sorted(where.levels)))
        if isinstance(where, criteria.Consent):
            return Customer.marketing_consent.is_(True)
        if isinstance(where, criteria.AllOf):
            return and_(true(), *(self._clause(part) for part in where.parts))
        if isinstance(where, criteria.AnyOf):
            return or_(false(), *(self._clause(part) for part in where.parts))
        if isinstance(where, criteria.Not):
            return not_(self._clause(where.part))
        raise TypeError(f"unknown criterion {where!r}")

    def known_ids(self, ids: Iterable[str], batch: int = 500) -> set[str]:
        """Which of `ids` exist (one indexed query per `batch`, no rows loaded)."""
        found: set[str] = set()
        with self._factory() as session:
            for chunk in chunked(ids, batch):
                found.update(session.scalars(select(Customer.id).where(Customer.id.in_(chunk))))
        return found

    def bundles(self, ids: Sequence[str]) -> builtins.list[CustomerBundle]:
        """View, profile and compliance context of each known id, in the given order (batch jobs)."""
        stmt = select(Customer).where(Customer.id.in_(list(ids)))
        with self._factory() as session:
            found = {b.view.id: b for b in load_bundles(session, stmt, self._today())}
        return [found[customer_id] for customer_id in ids if customer_id in found]

    def birth_dates(self, ids: Iterable[str], batch: int = 500) -> dict[str, date]:
        """Birth dates of `ids` for birthday reminders (never handed to a view, a prompt or an answer)."""
        found: dict[str, date] = {}
        with self._factory() as session:
            for chunk in chunked(ids, batch):
                rows = session.execute(select(Customer.id, Customer.birth_date).where(Customer.id.in_(chunk)))
                found.update((customer_id, birth) for customer_id, birth in rows)
        return found

    def profile(self, customer_id: str, *, advisor_id: str | None = None) -> CustomerProfile:
        with self._factory() as session:
            customer = self._customer(session, customer_id, advisor_id)
            return views.customer_profile(customer, self._today())

    def for_answer(self, customer_id: str, *, advisor_id: str | None = None
                   ) -> tuple[CustomerView, CustomerProfile, CustomerContext]:
        """`get`, `profile` and `compliance_context` from one read: an answer about a customer needs
        all three (another advisor's customer is NotFound, as in `get`)."""
        from rm_copilot.compliance import CustomerContext

        with self._factory() as session:
            customer = self._customer(session, customer_id, advisor_id)
            today = self._today()
            context = CustomerContext(customer_id=customer.id, full_name=customer.full_name,
                                      age=age_on(customer.birth_date, today), risk_level=customer.risk_level)
            return views.customer_view(customer, today), views.customer_profile(customer, today), context

    def compliance_context(self, customer_id: str) -> CustomerContext:
        """The only place the full name leaves the repository: the engine needs it to mask it."""
        from rm_copilot.compliance import CustomerContext

        with self._factory() as session:
            customer = self._customer(session, customer_id, None, eager=False)
            return CustomerContext(
                customer_id=customer.id,
                full_name=customer.full_name,
                age=age_on(customer.birth_date, self._today()),
                risk_level=customer.risk_level,
            )

    def upcoming_events(
        self, advisor_id: str | None, within_days: int = 30
    ) -> builtins.list[UpcomingEvent]:
        """Events from a week ago (still timely) to `within_days` ahead, soonest first."""
        today = self._today()
        stmt = (
            select(CustomerEvent, Customer.full_name)
            .join(Customer)
            .where(CustomerEvent.event_date.between(
                today - timedelta(days=views.RECENT_EVENT_DAYS), today + timedelta(days=within_days)
            ))
            .order_by(CustomerEvent.event_date, CustomerEvent.customer_id, CustomerEvent.id)
        )
        if advisor_id is not None:
            stmt = stmt.where(Customer.advisor_id == advisor_id)
        with self._factory() as session:
            return [
                UpcomingEvent(
                    customer_id=event.customer_id,
                    name=mask_name(full_name),
                    event=views.event_view(event, today),
                )
                for event, full_name in session.execute(stmt)
            ]

    def import_file(self, path: Path | str) -> ImportReport:
        """All-or-nothing import of a CSV/JSONL file; ImportRejected names every bad line."""
        path = Path(path)
        records = read_records(path, known_advisors={a.id for a in self.advisors()})
        created, updated = self.upsert([numbered.record for numbered in records])
        return ImportReport(str(path), created, updated)

    def upsert(self, records: Sequence[CustomerRecord]) -> tuple[int, int]:
        """Write validated records in one transaction; returns (created, updated)."""
        with transaction(self._factory) as session:
            counts = upsert_customers(session, records, now=naive_utc_now(), today=self._today())
        if self._after_upsert is not None:
            try:
                self._after_upsert([record.id for record in records])
            except Exception:  # the records are written; a failed refresh must not report a failed import
                logger.exception("after-upsert refresh failed for %d customers", len(records))
        return counts

    def next_customer_number(self) -> int:
        """1 + the largest number in ids of the form C00042 (for appending generated customers)."""
        with self._factory() as session:
            ids = session.scalars(select(Customer.id).where(Customer.id.like("C%"))).all()
        numbers = [int(cid[1:]) for cid in ids if cid[1:].isdigit()]
        return max(numbers, default=0) + 1

    def ensure_demo_data(self, catalog: Any, seed: int, count: int) -> int:
        """Demo advisors and `count` synthetic customers, only into a store without customers."""
        from rm_copilot.customers.generator import generate_customers

        if self.count() > 0:
            return 0
        advisors = self.ensure_demo_advisors()
        rows = generate_customers(count, seed, catalog, advisors, today=self._today())
        records = [CustomerRecord.model_validate(row) for row in rows]
        try:
            created, _ = self.upsert(records)
        except IntegrityError:
            return 0  # another process loaded them at the same moment
        return created

    def ensure_demo_advisors(self) -> builtins.list[AdvisorView]:
        """Add the demo advisors missing from the store; returns every advisor."""
        from rm_copilot.customers.demo import load_demo_advisors

        demo = load_demo_advisors(self._demo_directory())
        try:
            with transaction(self._factory) as session:
                present = set(session.scalars(select(Advisor.id)))
                session.add_all(
                    Advisor(id=a.id, name=a.name, wecom_userid=a.wecom_userid)
                    for a in demo if a.id not in present
                )
        except IntegrityError:
            pass  # another process added them at the same moment
        return self.advisors()

    # advisors -------------------------------------------------------------------------------

    def advisors(self) -> builtins.list[AdvisorView]:
        with self._factory() as session:
            return [views.advisor_view(a) for a in session.scalars(select(Advisor).order_by(Advisor.id))]

    def advisor(self, advisor_id: str) -> AdvisorView:
        with self._factory() as session:
            return views.advisor_view(self._advisor(session, advisor_id))

    def add_advisor(self, advisor_id: str, name: str, wecom_userid: str | None = None) -> AdvisorView:
        with transaction(self._factory) as session:
            if session.get(Advisor, advisor_id) is not None:
                raise BadInput(f"客户经理 {advisor_id} 已存在")
            advisor = Advisor(id=advisor_id, name=name, wecom_userid=wecom_userid)
            session.add(advisor)
            return views.advisor_view(advisor)

    def issue_token(self, advisor_id: str) -> str:
        """A new bearer token (returned once; only its sha256 is stored); the old one stops working."""
        token = secrets.token_urlsafe(32)
        with transaction(self._factory) as session:
            self._advisor(session, advisor_id).token_hash = _token_hash(token)
        return token

    def advisor_for_token(self, token: str | None) -> AdvisorView | None:
        if not token:
            return None
        digest = _token_hash(token)
        columns = (Advisor.id, Advisor.name, Advisor.wecom_userid, Advisor.token_hash)  # every request: no entity
        with self._factory() as session:
            advisor = session.execute(select(*columns).where(Advisor.token_hash == digest)).one_or_none()
        if advisor is None or not hmac.compare_digest(advisor.token_hash or "", digest):
            return None
        return AdvisorView(id=advisor.id, name=advisor.name, wecom_userid=advisor.wecom_userid)

    def bind_wecom(self, advisor_id: str, wecom_userid: str) -> AdvisorView:
        userid = wecom_userid.strip()
        if not userid:
            raise BadInput("企业微信账号不能为空")
        with transaction(self._factory) as session:
            advisor = self._advisor(session, advisor_id)
            holder = session.scalars(select(Advisor).where(Advisor.wecom_userid == userid)).one_or_none()
            if holder is not None and holder.id != advisor.id:
                raise BadInput(f"企业微信账号 {userid} 已绑定客户经理 {holder.id}")
            advisor.wecom_userid = userid
            return views.advisor_view(advisor)

    def advisor_for_wecom(self, wecom_userid: str) -> AdvisorView | None:
        with self._factory() as session:
            advisor = session.scalars(
                select(Advisor).where(Advisor.wecom_userid == wecom_userid)
            ).one_or_none()
            return views.advisor_view(advisor) if advisor else None

    # helpers --------------------------------------------------------------------------------

    def _customer(
        self, session: Session, customer_id: str, advisor_id: str | None, *, eager: bool = True
    ) -> Customer:
        stmt = select(Customer).where(Customer.id == customer_id)
        if eager:
            stmt = stmt.options(*_EAGER)
        if advisor_id is not None:
            stmt = stmt.where(Customer.advisor_id == advisor_id)
        customer = session.scalars(stmt).one_or_none()
        if customer is None:
            raise NotFound(f"没有找到客户 {redact_pii(customer_id)}")
        return customer

    @staticmethod
    def _advisor(session: Session, advisor_id: str) -> Advisor:
        advisor = session.get(Advisor, advisor_id)
        if advisor is None:
            raise NotFound(f"没有找到客户经理 {advisor_id}")
        return advisor

    def _demo_directory(self) -> Path:
        if self._demo_dir is None:
            raise ValueError("this repository was built without demo_dir: it has no demo data to load")
        return self._demo_dir
