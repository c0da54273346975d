"""Customer store throughput: generate and import 10,000 customers; bulk import vs a naive baseline.

The baseline writes each customer with its tags, holdings and events through the ORM and commits
per customer (what a straightforward loop would do); the bulk path is `CustomerRepository.upsert`
(one transaction, executemany). Both run here, in the same process, on SQLite files.

    .venv/bin/python benchmarks/customers_bench.py [--count 10000]
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import date
from pathlib import Path

from rm_copilot.clock import naive_utc_now
from rm_copilot.config import PROJECT_ROOT
from rm_copilot.customers.generator import generate_customers
from rm_copilot.customers.models import Customer, CustomerEvent, CustomerTag, Holding
from rm_copilot.customers.records import CustomerRecord
from rm_copilot.customers.repository import CustomerRepository
from rm_copilot.db import Base, make_engine, make_session_factory
from rm_copilot.knowledge.products import ProductCatalog

BASELINE_COUNT = 500


def _repository(path: Path) -> CustomerRepository:
    engine = make_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    repo = CustomerRepository(make_session_factory(engine), demo_dir=PROJECT_ROOT / "knowledge_base" / "demo")
    repo.ensure_demo_advisors()
    return repo


def _naive_write(factory, records: list[CustomerRecord]) -> None:
    now, today = naive_utc_now(), date.today()
    for record in records:
        with factory() as session, session.begin():
            customer = Customer(**record.customer_columns(now))
            customer.tags = [CustomerTag(**tag) for tag in record.all_tags(now, today)]
            customer.holdings = [Holding(**h.model_dump()) for h in record.holdings]
            customer.events = [CustomerEvent(kind=e.kind, event_date=e.date, detail=e.detail) for e in record.events]
            session.add(customer)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    count = parser.parse_args().count
    catalog = ProductCatalog.from_directory(PROJECT_ROOT / "knowledge_base")
    advisors = [f"A00{i}" for i in range(1, 9)]
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        started = time.perf_counter()
        rows = generate_customers(count, 7, catalog, advisors)
        generate_s = time.perf_counter() - started

        source = tmp_path / "customers.jsonl"
        source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        repo = _repository(tmp_path / "bulk.db")
        started = time.perf_counter()
        report = repo.import_file(source)
        import_s = time.perf_counter() - started

        started = time.perf_counter()
        streamed = sum(1 for _ in repo.iter_views(batch=500))
        stream_s = time.perf_counter() - started

        baseline_records = [CustomerRecord.model_validate(r) for r in rows[:BASELINE_COUNT]]
        naive = _repository(tmp_path / "naive.db")
        started = time.perf_counter()
        _naive_write(naive._factory, baseline_records)
        naive_s = time.perf_counter() - started
        bulk = _repository(tmp_path / "bulk-small.db")
        started = time.perf_counter()
        bulk.upsert(baseline_records)
        bulk_s = time.perf_counter() - started

    print(f"generate {count} customers: {generate_s:.2f} s ({count / generate_s:,.0f}/s)")
    rate = report.total / import_s
    print(f"import {report.total} customers from JSONL (validate + write): {import_s:.2f} s ({rate:,.0f}/s)")
    print(f"stream {streamed} masked views (iter_views): {stream_s:.2f} s ({streamed / stream_s:,.0f}/s)")
    print(f"write {BASELINE_COUNT}: naive per-customer ORM commits {naive_s:.2f} s, bulk upsert {bulk_s:.2f} s "
          f"→ bulk is {naive_s / bulk_s:.1f}× faster")


if __name__ == "__main__":
    main()
