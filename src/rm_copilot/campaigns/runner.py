"""Run a campaign: stream the selected customers through a bounded worker pool into the JSONL file.

The builtin composer is CPU-bound Python, so it runs in worker processes (one per core), a batch of
customers per task. The LLM backend is I/O-bound, so it runs in threads sharing this graph: the
customers are loaded in bulk here and each one is its own task, on twice as many threads as the
model may serve at once (`llm_max_concurrency`, enforced by the generator). So while one thread
checks its reply and writes nothing but Python work, another already holds the freed model slot,
and no call waits behind another customer of its batch. Either way at most a fixed number of
customers is in flight, so memory does not grow with the segment.
"""
from __future__ import annotations

import json
import logging
import multiprocessing
import os
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any

from rm_copilot.campaigns.fingerprint import run_fingerprint
from rm_copilot.campaigns.output import OutputLock, RowWriter, prepare_output, storage_error, write_summary
from rm_copilot.campaigns.ports import CampaignSettings, Services
from rm_copilot.campaigns.rows import build_batch, customer_rows, plan_batch
from rm_copilot.campaigns.segment import Segment, parse_segment
from rm_copilot.campaigns.selection import Shard, candidate_ids, read_customer_ids
from rm_copilot.errors import CampaignError
from rm_copilot.vocabulary import CHANNELS, SCENARIOS

BATCH_SIZE = 16


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
    advisor_id: str | None = None  # an advisor's job covers only that advisor's customers (in SQL)

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
    """Customers scanned out of the candidates (what the ETA is based on) and rows written."""

    total_customers: int | None = None
    customers_done: int = 0
    rows_written: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    @property
    def rows_per_second(self) -> float:
        return self.rows_written / self.elapsed if self.elapsed > 0 else 0.0


ProgressCallback = Callable[[Progress], None]

_worker_services: Services | None = None


def _init_worker(graph: type, settings_type: type, settings_data: dict[str, Any], log_level: str) -> None:
    """In a worker process: the same graph (the composition root's class) over the same settings."""
    global _worker_services
    from rm_copilot.logging_setup import configure_logging

    configure_logging(log_level)
    _worker_services = graph(settings_type(**settings_data))


def _work(
    batch: list[str], already_done: list[str], spec_data: dict[str, Any], services: Services | None = None
) -> list[tuple[str, list[dict[str, Any]] | None]]:
    services = services or _worker_services
    assert services is not None, "worker graph not initialised"
    segment = _segment(spec_data.get("segment"))
    return build_batch(services, batch, spec_data, segment=segment, already_done=frozenset(already_done))


@lru_cache(maxsize=8)
def _segment(expression: str | None) -> Segment | None:
    return parse_segment(expression) if expression else None


def default_workers(settings: CampaignSettings) -> int:
    if settings.llm_backend == "builtin":
        return max(1, os.cpu_count() or 1)
    # Threads beyond the model's slots do the per-row Python work while every slot stays busy.
    return max(1, 2 * settings.llm_max_concurrency)


def campaign_fingerprint(services: Services) -> dict[str, str]:
    """The rulebook, templates, backend and model this process would make rows with."""
    settings = services.settings
    return run_fingerprint(
        rulebook_dir=settings.knowledge_base / "compliance", prompts_dir=settings.prompts_dir,
        backend=settings.llm_backend, model=settings.llm_model,
    )


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
    try:
        with OutputLock(out):
            return _run_locked(services, spec, out, resume=resume, workers=workers, on_progress=on_progress)
    except OSError as error:
        raise storage_error(error, out) from None


def _run_locked(
    services: Services,
    spec: CampaignSpec,
    out: Path,
    *,
    resume: bool,
    workers: int | None,
    on_progress: ProgressCallback | None,
) -> dict[str, Any]:
    product = services.catalog.get(spec.product_id)
    ids = read_customer_ids(Path(spec.customers_file)) if spec.customers_file else None
    ids = list(spec.customer_ids) if spec.customer_ids else ids
    shard = Shard.parse(spec.shard)
    segment = _segment(spec.segment)
    # The store applies the advisor scope and the segment's column atoms; when those decide the
    # whole segment, the candidates are the customers, so --limit cuts them (and the total) here.
    decided = segment is None or segment.exact

    def candidates() -> Iterator[str]:
        found = candidate_ids(services.customers, customer_ids=ids, shard=shard, advisor_id=spec.advisor_id,
                              segment=segment)
        return islice(found, spec.limit) if decided and spec.limit is not None else found

    workers = workers or default_workers(services.settings)
    executor, results = _submitter(services, workers)  # workers start while the candidates are counted
    with executor:
        progress = Progress(total_customers=sum(1 for _ in candidates()))
        state = prepare_output(out, spec.parameters(), resume=resume, fingerprint=campaign_fingerprint(services))
        complete = {cid for cid, _ in state.done if all((cid, v) in state.done for v in range(spec.variants))}
        # Workers evaluate only what SQL could not decide.
        spec_data = {**spec.parameters(), "product_id": product.id, "segment": None if decided else spec.segment}
        matched = 0
        if on_progress:
            on_progress(progress)  # the total is known before the first row
        with RowWriter(out) as writer:
            for done in results(candidates(), complete, spec_data):
                for _customer_id, rows in done:
                    progress.customers_done += 1
                    if rows is None:
                        continue
                    matched += 1
                    if spec.limit is not None and matched > spec.limit:
                        break
                    fresh = [r for r in rows if (r["customer_id"], r["variant"]) not in state.done]
                    writer.write_all(fresh)
                    progress.rows_written += len(fresh)
                if on_progress:
                    on_progress(progress)
                if spec.limit is not None and matched >= spec.limit:
                    break
        if progress.customers_done != progress.total_customers:
            # A segment finished in Python under --limit stops before its SQL superset is scanned.
            progress.total_customers = progress.customers_done
            if on_progress:
                on_progress(progress)
    summary = _summary(spec, out, progress)
    write_summary(out, summary)
    return summary


def _ready() -> bool:
    """A no-op task: one per worker makes the pool spawn its processes at once."""
    return True


Results = Callable[[Iterator[str], set[str], dict[str, Any]], Iterator[list[tuple[str, list[dict[str, Any]] | None]]]]


def _submitter(services: Services, workers: int) -> tuple[Executor, Results]:
    """Processes for the CPU-bound builtin composer; threads sharing this graph for an LLM server."""
    if services.settings.llm_backend == "builtin" and workers > 1:
        executor: Executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(type(services), type(services.settings), services.settings.model_dump(mode="json"),
                      logging.getLevelName(logging.getLogger().level)),
        )
        for _ in range(workers):
            executor.submit(_ready)

        def submit(batch: list[str], done: list[str], spec_data: dict[str, Any]) -> Future:
            return executor.submit(_work, batch, done, spec_data)

        return executor, lambda ids, complete, spec_data: _ordered_map(submit, ids, complete, spec_data,
                                                                       in_flight=workers * 4)
    threads = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="campaign-row")
    return threads, lambda ids, complete, spec_data: _per_customer(services, threads, ids, complete, spec_data,
                                                                   in_flight=workers * 2)


def _per_customer(
    services: Services,
    executor: ThreadPoolExecutor,
    ids: Iterator[str],
    complete: set[str],
    spec_data: dict[str, Any],
    *,
    in_flight: int,
) -> Iterator[list[tuple[str, list[dict[str, Any]] | None]]]:
    """Each customer in id order, loaded a batch at a time here and generated as its own task."""
    segment = _segment(spec_data.get("segment"))
    product = services.catalog.get(spec_data["product_id"])
    pending: deque[tuple[str, Any]] = deque()
    running = 0

    def oldest() -> list[tuple[str, list[dict[str, Any]] | None]]:
        nonlocal running
        customer_id, item = pending.popleft()
        if isinstance(item, Future):
            running -= 1
            item = item.result()
        return [(customer_id, item)]

    try:
        for batch in iter(lambda: list(islice(ids, BATCH_SIZE)), []):
            for customer_id, item in plan_batch(services, batch, segment=segment, already_done=complete):
                if item is not None and not isinstance(item, list):
                    item = executor.submit(customer_rows, services, item, product, spec_data)
                    running += 1
                pending.append((customer_id, item))
            while running >= in_flight or (pending and not isinstance(pending[0][1], Future)):
                yield oldest()
        while pending:
            yield oldest()
    finally:  # stopped early (--limit reached, an error): customers not yet started cost no call
        for _customer_id, item in pending:
            if isinstance(item, Future):
                item.cancel()


def _ordered_map(
    submit: Callable[..., Future],
    ids: Iterator[str],
    complete: set[str],
    spec_data: dict[str, Any],
    *,
    in_flight: int,
) -> Iterator[list[tuple[str, list[dict[str, Any]] | None]]]:
    """Batches in id order (so --limit and --resume are deterministic), at most `in_flight` queued."""
    pending: deque[Future] = deque()
    try:
        for batch in iter(lambda: list(islice(ids, BATCH_SIZE)), []):
            pending.append(submit(batch, [cid for cid in batch if cid in complete], spec_data))
            if len(pending) >= in_flight:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:  # stopped early: batches not yet started are dropped
        for future in pending:
            future.cancel()


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
