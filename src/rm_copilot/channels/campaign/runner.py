"""Run a campaign: stream the selected customers through a bounded worker pool into the JSONL file.

The builtin composer is CPU-bound Python, so it runs in worker processes (one per core); the LLM
backend is I/O-bound, so it runs in threads bounded by `llm_max_concurrency`. Either way at most a
fixed number of batches is in flight, so memory does not grow with the segment.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from rm_copilot.channels.campaign.output import RowWriter, prepare_output, write_summary
from rm_copilot.channels.campaign.rows import build_batch
from rm_copilot.channels.campaign.segment import parse_segment
from rm_copilot.channels.campaign.selection import Shard, read_customer_ids, select_customers
from rm_copilot.config import Settings
from rm_copilot.errors import CampaignError
from rm_copilot.services import Services

BATCH_SIZE = 16
CHANNELS = ("tablet", "wecom", "sms")
SCENARIOS = ("product", "maturity", "birthday", "event", "care")


@dataclass(frozen=True)
class CampaignSpec:
    product_id: str
    channel: str = "wecom"
    variants: int = 1
    segment: str | None = None
    customers_file: str | None = None
    customer_ids: tuple[str, ...] | None = None
    limit: int | None = None
    shard: str | None = None
    scenario: str | None = None

    def validate(self) -> None:
        if (self.segment is None) == (self.customers_file is None and self.customer_ids is None):
            raise CampaignError("请在 --segment 与 --customers 之间二选一")
        if self.channel not in CHANNELS:
            raise CampaignError(f"渠道“{self.channel}”无效，可选：{'、'.join(CHANNELS)}")
        if self.scenario is not None and self.scenario not in SCENARIOS:
            raise CampaignError(f"场景“{self.scenario}”无效，可选：{'、'.join(SCENARIOS)}")
        if not 1 <= self.variants <= 5:
            raise CampaignError("--variants 应在 1 到 5 之间")
        if self.limit is not None and self.limit < 1:
            raise CampaignError("--limit 应为正整数")
        Shard.parse(self.shard)
        if self.segment is not None:
            parse_segment(self.segment)

    def parameters(self) -> dict[str, Any]:
        """What must match between a run and its --resume."""
        data = asdict(self)
        data["customer_ids"] = list(self.customer_ids) if self.customer_ids else None
        return data


@dataclass
class Progress:
    total_customers: int | None = None
    customers_done: int = 0
    rows_written: int = 0
    by_verdict: Counter = field(default_factory=Counter)
    by_skip_reason: Counter = field(default_factory=Counter)
    started: float = field(default_factory=time.monotonic)

    def add(self, rows: list[dict[str, Any]]) -> None:
        self.customers_done += 1
        for row in rows:
            self.rows_written += 1
            if row["skipped_reason"]:
                self.by_skip_reason[row["skipped_reason"]] += 1
            if row["verdict"]:
                self.by_verdict[row["verdict"]] += 1

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    @property
    def rows_per_second(self) -> float:
        return self.rows_written / self.elapsed if self.elapsed > 0 else 0.0


ProgressCallback = Callable[[Progress], None]

_worker_services: Services | None = None


def _init_worker(settings_data: dict[str, Any]) -> None:
    global _worker_services
    from rm_copilot.logging_setup import configure_logging

    configure_logging()
    _worker_services = Services(Settings(**settings_data))


def _work(
    batch: list[str], spec_data: dict[str, Any], services: Services | None = None
) -> list[list[dict[str, Any]]]:
    services = services or _worker_services
    assert services is not None, "worker graph not initialised"
    return build_batch(services, batch, spec_data)


def default_workers(settings: Settings) -> int:
    if settings.llm_backend == "builtin":
        return max(1, os.cpu_count() or 1)
    return max(1, settings.llm_max_concurrency)


def run_campaign(
    services: Services,
    spec: CampaignSpec,
    out: Path,
    *,
    resume: bool = False,
    workers: int | None = None,
    on_progress: ProgressCallback | None = None,
) -> dict[str, Any]:
    spec.validate()
    product = services.catalog.get(spec.product_id)
    ids = list(spec.customer_ids) if spec.customer_ids else None
    if spec.customers_file is not None:
        ids = read_customer_ids(Path(spec.customers_file))
    def selection() -> Iterator[Any]:
        return select_customers(
            services.customers,
            segment=parse_segment(spec.segment) if spec.segment else None,
            customer_ids=ids,
            shard=Shard.parse(spec.shard),
            limit=spec.limit,
        )

    progress = Progress(total_customers=sum(1 for _ in selection()))
    state = prepare_output(out, spec.parameters(), resume=resume)
    customers = selection()
    variants = range(spec.variants)
    todo = (c.id for c in customers if any((c.id, v) not in state.done for v in variants))
    spec_data = {**spec.parameters(), "product_id": product.id}
    workers = workers or default_workers(services.settings)
    executor, submit = _submitter(services, workers)
    with RowWriter(out) as writer, executor:
        for results in _bounded_map(submit, todo, spec_data, in_flight=workers * 4):
            for rows in results:
                fresh = [r for r in rows if (r["customer_id"], r["variant"]) not in state.done]
                writer.write_all(fresh)
                progress.add(fresh)
                if on_progress:
                    on_progress(progress)
    summary = _summary(spec, out, progress)
    write_summary(out, summary)
    return summary


def _submitter(services: Services, workers: int) -> tuple[Executor, Callable[..., Future]]:
    """Processes for the CPU-bound builtin composer; threads sharing this graph for an LLM server."""
    if services.settings.llm_backend == "builtin" and workers > 1:
        executor: Executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(services.settings.model_dump(mode="json"),),
        )
        return executor, lambda batch, spec_data: executor.submit(_work, batch, spec_data)
    executor = ThreadPoolExecutor(max_workers=workers)
    return executor, lambda batch, spec_data: executor.submit(_work, batch, spec_data, services)


def _bounded_map(
    submit: Callable[..., Future], ids: Iterator[str], spec_data: dict[str, Any], *, in_flight: int
) -> Iterable[list[list[dict[str, Any]]]]:
    pending: set[Future] = set()
    batches = iter(lambda: list(islice(ids, BATCH_SIZE)), [])
    for batch in batches:
        pending.add(submit(batch, spec_data))
        if len(pending) >= in_flight:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                yield future.result()
    while pending:
        finished, pending = wait(pending, return_when=FIRST_COMPLETED)
        for future in finished:
            yield future.result()


def _summary(spec: CampaignSpec, out: Path, progress: Progress) -> dict[str, Any]:
    """Counts come from the whole file, so a resumed run reports every row once."""
    by_verdict: Counter = Counter()
    by_skip_reason: Counter = Counter()
    customers: set[str] = set()
    rows = 0
    with out.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            rows += 1
            customers.add(row["customer_id"])
            by_verdict[row["verdict"] or "skipped"] += 1
            if row["skipped_reason"]:
                by_skip_reason[row["skipped_reason"]] += 1
    return {
        "output": str(out),
        "product_id": spec.product_id,
        "channel": spec.channel,
        "variants": spec.variants,
        "shard": spec.shard,
        "customers": len(customers),
        "rows": rows,
        "by_verdict": dict(by_verdict),
        "by_skip_reason": dict(by_skip_reason),
        "this_run": {
            "rows_written": progress.rows_written,
            "elapsed_seconds": round(progress.elapsed, 2),
            "rows_per_second": round(progress.rows_per_second, 1),
        },
    }
