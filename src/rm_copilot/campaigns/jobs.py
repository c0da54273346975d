"""Campaign jobs started over HTTP: queued, run one at a time in the background, progress in the DB.

A job is leased to the process running it (owner "host:pid" and a heartbeat). When that process
dies, a live one takes the job over and resumes it from its output file, which is its checkpoint.

An advisor's job only ever covers that advisor's own customers: the store applies the advisor
scope in SQL (so the job reads, and counts, only that book), and an id list is checked against
the advisor's book before the job is accepted. An interrupted or failed job can be resumed by its
advisor; the resume is refused (409) when the rulebook, templates or model changed since it began.
"""
from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from rm_copilot.campaigns.models import CampaignJob
from rm_copilot.campaigns.output import check_resumable, read_meta
from rm_copilot.campaigns.ports import Services
from rm_copilot.campaigns.runner import CampaignSpec, Progress, campaign_fingerprint, run_campaign
from rm_copilot.clock import as_utc, utc_now
from rm_copilot.db import transaction
from rm_copilot.errors import CampaignConflict, CampaignError, NotFound
from rm_copilot.leases import abandoned, this_owner

log = logging.getLogger("rm_copilot.campaign")
PROGRESS_EVERY_SECONDS = 1.0
HEARTBEAT_SECONDS = 10.0
LEASE = timedelta(seconds=60)
INTERRUPTED = "任务所在进程已退出，将由其他进程从断点续跑；也可调用 POST /api/v1/campaigns/{id}/resume 或用 CLI --resume 续跑"
ORPHANED = ("任务中断：未能保存任务状态（数据库曾不可写），将自动从断点续跑；"
            "也可调用 POST /api/v1/campaigns/{id}/resume 或用 CLI --resume 续跑")
ACTIVE = ("queued", "running")
RESUMABLE = ("failed", "interrupted")
# Jobs this process is running or has queued. A job owned by this process but not held here lost
# its runner without saving how it ended (a store that turned read-only): it is not renewed, reads
# as interrupted, and is resumed like a dead process's job once the store takes writes again.
_HELD: set[str] = set()
_HELD_LOCK = threading.Lock()


class CampaignJobs:
    def __init__(self, services: Services, *, workers: int | None = None):
        self._services = services
        self._workers = workers
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="campaign")
        self._directory = services.settings.resolved_home / "campaigns"
        self._owner = this_owner()
        self._ran: set[str] = set()  # jobs this instance ran: it alone resumes those it orphaned
        self._resume_abandoned()
        self._stopped = threading.Event()
        threading.Thread(target=self._keep_leases, name="campaign-lease", daemon=True).start()

    def start(self, advisor_id: str, spec: CampaignSpec) -> dict[str, Any]:
        spec = self._scoped_to_advisor(advisor_id, spec)
        spec.validate()
        self._services.catalog.get(spec.product_id)
        job_id = uuid.uuid4().hex[:16]
        self._directory.mkdir(parents=True, exist_ok=True)
        job = CampaignJob(
            id=job_id, advisor_id=advisor_id, product_id=spec.product_id, segment=spec.segment,
            customer_ids=list(spec.customer_ids) if spec.customer_ids else None, channel=spec.channel,
            variants=spec.variants, limit=spec.limit, status="queued",
            out_path=str(self._directory / f"{job_id}.jsonl"), owner=self._owner, heartbeat_at=utc_now(),
        )
        _hold(job_id)
        try:
            with transaction(self._services.session_factory) as session:
                session.add(job)
        except BaseException:
            _release(job_id)
            raise
        self._executor.submit(self._run, job_id, spec)
        return self.status(advisor_id, job_id)

    def status(self, advisor_id: str, job_id: str) -> dict[str, Any]:
        job = self._own_job(advisor_id, job_id)
        # A job whose process died, or whose runner could not save its failure, never reads as running.
        lost = self._lost(job)
        message = ORPHANED if lost and job.owner == self._owner else INTERRUPTED
        return {
            "id": job.id, "status": "interrupted" if lost else job.status, "product_id": job.product_id,
            "segment": job.segment, "channel": job.channel, "variants": job.variants, "total_customers": job.total,
            "processed_customers": job.processed, "summary": job.summary,
            "error": message.format(id=job.id) if lost else job.error,
            "created_at": _utc(job.created_at), "updated_at": _utc(job.updated_at),
        }

    def resume(self, advisor_id: str, job_id: str) -> dict[str, Any]:
        """Continue an interrupted or failed job of this advisor from its output file."""
        job = self._own_job(advisor_id, job_id)
        state = "interrupted" if self._lost(job) else job.status
        if state not in RESUMABLE:
            raise CampaignConflict({"done": "任务已完成，无需续跑", "queued": "任务已在排队，无需续跑",
                                    "running": "任务正在运行，无需续跑"}.get(state, f"任务状态为 {state}，不能续跑"))
        spec = self._spec_of(job)
        # Refused here, before the job is touched, when the file would mix rulebooks or models.
        check_resumable(Path(job.out_path), spec.parameters(), campaign_fingerprint(self._services))
        _hold(job_id)
        if not self._take_over(job_id, job.owner, job.heartbeat_at, status=job.status):
            _release(job_id)
            raise CampaignConflict("任务刚被其他进程接管续跑，请稍后查看进度")
        self._update(job_id, error=None)
        self._executor.submit(self._run, job_id, spec, True)
        return self.status(advisor_id, job_id)

    def result_lines(self, advisor_id: str, job_id: str) -> Iterator[bytes]:
        job = self._own_job(advisor_id, job_id)
        path = Path(job.out_path)
        if not path.exists():
            return iter(())
        return _lines(path)

    def wait(self, timeout: float | None = None) -> None:
        """Block until queued jobs finished (tests and graceful shutdown)."""
        self._executor.submit(lambda: None).result(timeout=timeout)

    def _run(self, job_id: str, spec: CampaignSpec, resume: bool = False) -> None:
        try:
            self._run_held(job_id, spec, resume)
        finally:
            _release(job_id)  # however it ended; unsaved, the lease stops being renewed

    def _run_held(self, job_id: str, spec: CampaignSpec, resume: bool) -> None:
        self._ran.add(job_id)
        self._update(job_id, status="running", owner=self._owner, heartbeat_at=utc_now())
        last = 0.0

        def report(progress: Progress) -> None:
            nonlocal last
            if time.monotonic() - last >= PROGRESS_EVERY_SECONDS:
                last = time.monotonic()
                self._update(job_id, total=progress.total_customers, processed=progress.customers_done)

        try:
            job = self._job(job_id)
            summary = run_campaign(
                self._services, spec, Path(job.out_path), resume=resume, workers=self._workers, on_progress=report
            )
        except Exception as error:  # noqa: BLE001 - a failed job is reported on the job, not lost
            log.exception("campaign %s failed", job_id)
            self._update(job_id, status="failed", error=str(error) if isinstance(error, CampaignError) else "任务执行失败")
            return
        self._update(job_id, status="done", summary=summary, processed=summary["customers"], total=summary["customers"])

    def _scoped_to_advisor(self, advisor_id: str, spec: CampaignSpec) -> CampaignSpec:
        """The scope is a column of the query, not text in the segment, so no expression can escape it."""
        for customer_id in spec.customer_ids or ():
            self._services.customers.get(customer_id, advisor_id=advisor_id)  # another advisor's id → 404
        return replace(spec, advisor_id=advisor_id)

    def _own_job(self, advisor_id: str, job_id: str) -> CampaignJob:
        job = self._job(job_id)
        if job.advisor_id != advisor_id:
            raise NotFound("未找到该活动任务")
        return job

    def _job(self, job_id: str) -> CampaignJob:
        with self._services.session_factory() as session:
            job = session.get(CampaignJob, job_id)
        if job is None:
            raise NotFound("未找到该活动任务")
        return job

    def _update(self, job_id: str, **values: Any) -> None:
        with transaction(self._services.session_factory) as session:
            job = session.get(CampaignJob, job_id)
            for name, value in values.items():
                setattr(job, name, value)

    def close(self) -> None:
        self._stopped.set()

    def _keep_leases(self) -> None:
        while not self._stopped.wait(HEARTBEAT_SECONDS):
            try:
                with _HELD_LOCK:
                    held = list(_HELD)
                with transaction(self._services.session_factory) as session:
                    session.query(CampaignJob).filter(
                        CampaignJob.owner == self._owner, CampaignJob.status.in_(ACTIVE), CampaignJob.id.in_(held)
                    ).update({CampaignJob.heartbeat_at: utc_now()}, synchronize_session=False)
                self._resume_abandoned()
            except SQLAlchemyError as error:
                log.warning("campaign lease renewal failed: %s", type(error).__name__)

    def _resume_abandoned(self) -> None:
        """Jobs of dead processes (or with an expired lease) continue here; another live worker's job is left alone."""
        with self._services.session_factory() as session:
            lost = [(job.id, job.owner, job.heartbeat_at)
                    for job in session.query(CampaignJob).filter(CampaignJob.status.in_(ACTIVE))
                    if self._lost(job) and (job.owner != self._owner or job.id in self._ran)]
        for job_id, owner, heartbeat_at in lost:
            _hold(job_id)
            if not self._take_over(job_id, owner, heartbeat_at):
                _release(job_id)
                continue  # another process took it first
            log.warning("campaign %s resumed from its checkpoint after its process stopped", job_id)
            self._executor.submit(self._run, job_id, self._spec_of(self._job(job_id)), True)

    def _lost(self, job: CampaignJob) -> bool:
        if job.status not in ACTIVE:
            return False
        if job.owner == self._owner:
            with _HELD_LOCK:
                return job.id not in _HELD
        return abandoned(job.owner, job.heartbeat_at, LEASE)

    def _take_over(self, job_id: str, owner: str | None, heartbeat_at: datetime | None,
                   status: str | None = None) -> bool:
        """Compare-and-set on the lease, so of two processes taking one job over, one wins."""
        with transaction(self._services.session_factory) as session:
            changed = session.query(CampaignJob).filter(
                CampaignJob.id == job_id,
                CampaignJob.status.in_(ACTIVE) if status is None else CampaignJob.status == status,
                CampaignJob.owner.is_(None) if owner is None else CampaignJob.owner == owner,
                CampaignJob.heartbeat_at.is_(None) if heartbeat_at is None else CampaignJob.heartbeat_at == heartbeat_at,
            ).update({CampaignJob.owner: self._owner, CampaignJob.heartbeat_at: utc_now(),
                      CampaignJob.status: "queued"}, synchronize_session=False)
        return changed == 1

    @staticmethod
    def _spec_of(job: CampaignJob) -> CampaignSpec:
        """The parameters recorded beside the output (what --resume checks), else those on the job row."""
        meta = read_meta(Path(job.out_path))
        if meta is not None:
            recorded, _fingerprint = meta
            ids = recorded.get("customer_ids")
            return CampaignSpec(**{**recorded, "customer_ids": tuple(ids) if ids else None})
        return CampaignSpec(product_id=job.product_id, channel=job.channel, variants=job.variants,
                            segment=job.segment, customer_ids=tuple(job.customer_ids) if job.customer_ids else None,
                            limit=job.limit, advisor_id=job.advisor_id)


def _hold(job_id: str) -> None:
    with _HELD_LOCK:
        _HELD.add(job_id)


def _release(job_id: str) -> None:
    with _HELD_LOCK:
        _HELD.discard(job_id)


def _utc(moment: datetime) -> str:
    """SQLite hands back naive datetimes; they were written in UTC."""
    return as_utc(moment).isoformat()


def _lines(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        yield from handle
