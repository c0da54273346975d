"""Campaign outputs and jobs under faults: one writer per output, leases instead of guesses (the CLI's
interrupted and full-disk runs are in test_fault_probes.py)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rm_copilot.campaigns.jobs import CampaignJobs
from rm_copilot.campaigns.models import CampaignJob
from rm_copilot.campaigns.runner import CampaignSpec
from rm_copilot.cli import app
from rm_copilot.db import transaction
from rm_copilot.leases import this_owner, utc_now
from rm_copilot.services import Services, get_services

PRODUCT = "WM002"
HOLD_LOCK = """
import sys
from pathlib import Path
from rm_copilot.campaigns.output import OutputLock
with OutputLock(Path(sys.argv[1])):
    print("locked", flush=True)
    sys.stdin.readline()
"""


@pytest.fixture
def lock_holder(tmp_path: Path):
    """Another live process holding the output of `out.jsonl`, until the test ends."""
    out = tmp_path / "out.jsonl"
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(out)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    yield out
    holder.communicate("\n", timeout=30)


@pytest.mark.parametrize("resume", [False, True])
def test_a_second_writer_on_a_live_campaign_output_is_refused(lock_holder: Path, resume: bool):
    out = lock_holder
    out.write_text("", encoding="utf-8")
    args = ["campaign", "--product", PRODUCT, "--segment", "all", "--out", str(out)] + (["--resume"] if resume else [])
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "正由另一个任务写入" in result.output and "进程 " in result.output
    assert out.read_text(encoding="utf-8") == ""


def _job(services: Services, job_id: str, *, owner: str | None, heartbeat_age: timedelta | None,
         product: str = "ZZ999") -> None:
    """A job row as a process left it (an unknown product by default: a resumed job fails at once, cheaply)."""
    with transaction(services.session_factory) as session:
        session.add(CampaignJob(
            id=job_id, advisor_id="A001", product_id=product, segment="all", channel="wecom", variants=1,
            status="running", out_path=str(services.settings.resolved_home / "campaigns" / f"{job_id}.jsonl"),
            owner=owner, heartbeat_at=None if heartbeat_age is None else utc_now() - heartbeat_age,
        ))


def _finished_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def _host() -> str:
    return this_owner().rpartition(":")[0]


def _owners(services: Services) -> dict[str, tuple[str | None, str]]:
    with services.session_factory() as session:
        return {job.id: (job.owner, job.status) for job in session.query(CampaignJob)}


def test_starting_jobs_leaves_a_live_workers_job_alone_and_takes_over_dead_ones():
    services = get_services()
    live_owner, other_owner = f"{_host()}:{os.getppid()}", "elsewhere:12"
    _job(services, "live", owner=live_owner, heartbeat_age=timedelta(seconds=5))
    _job(services, "otherhost", owner=other_owner, heartbeat_age=timedelta(seconds=5))
    _job(services, "deadpid", owner=f"{_host()}:{_finished_pid()}", heartbeat_age=timedelta(seconds=5))
    _job(services, "expired", owner="elsewhere:13", heartbeat_age=timedelta(minutes=10))
    _job(services, "legacy", owner=None, heartbeat_age=None)

    jobs = CampaignJobs(services)
    try:
        jobs.wait(timeout=120)
    finally:
        jobs.close()
    owners = _owners(services)
    assert owners["live"] == (live_owner, "running") and owners["otherhost"] == (other_owner, "running")
    for job_id in ("deadpid", "expired", "legacy"):
        owner, status = owners[job_id]
        assert owner == this_owner() and status == "failed", (job_id, owners[job_id])  # taken over and run here


def test_a_running_job_whose_lease_lapsed_reads_as_interrupted_even_when_nothing_can_be_written():
    services = get_services()
    jobs = CampaignJobs(services)
    jobs.close()
    _job(services, "stuck", owner="elsewhere:99", heartbeat_age=timedelta(minutes=5))  # after the start-up sweep
    status = jobs.status("A001", "stuck")
    assert status["status"] == "interrupted" and "--resume" in status["error"]


@pytest.mark.slow
def test_an_api_job_whose_process_died_is_resumed_from_its_checkpoint_by_the_next_process(
    use_built_services: Services,
):
    services = use_built_services
    ids = tuple(view.id for view in services.customers.list(advisor_id="A001")[:6])
    spec = CampaignSpec(product_id=PRODUCT, customer_ids=ids, variants=2, channel="wecom")
    first = CampaignJobs(services, workers=1)
    job_id = first.start("A001", spec)["id"]
    first.wait(timeout=600)
    first.close()
    out = services.settings.resolved_home / "campaigns" / f"{job_id}.jsonl"
    complete = out.read_bytes().splitlines(keepends=True)
    assert len(complete) == 12
    out.write_bytes(b"".join(complete[:3]) + complete[3][:10])  # killed mid-write, after three rows
    with transaction(services.session_factory) as session:
        job = session.get(CampaignJob, job_id)
        job.status, job.owner, job.heartbeat_at = "running", f"{_host()}:{_finished_pid()}", utc_now()

    second = CampaignJobs(services, workers=1)
    try:
        second.wait(timeout=600)
        status = second.status("A001", job_id)
    finally:
        second.close()
    assert status["status"] == "done", status
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    keys = [(row["customer_id"], row["variant"]) for row in rows]
    assert len(keys) == len(set(keys)) == 12
    assert sorted(keys) == sorted((json.loads(line)["customer_id"], json.loads(line)["variant"]) for line in complete)
