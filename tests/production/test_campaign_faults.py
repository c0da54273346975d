"""Campaign outputs and jobs under faults: one writer per output, leases instead of guesses, full disks."""
from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rm_copilot.channels.campaign import output as campaign_output
from rm_copilot.channels.campaign.jobs import CampaignJobs
from rm_copilot.channels.campaign.models import CampaignJob
from rm_copilot.cli import app
from rm_copilot.db import transaction
from rm_copilot.leases import this_owner, utc_now
from rm_copilot.services import Services, get_services

PRODUCT = "WM002"
HOLD_LOCK = """
import sys
from pathlib import Path
from rm_copilot.channels.campaign.output import OutputLock
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
    assert "正由另一个任务写入" in result.output and f"进程 " in result.output
    assert out.read_text(encoding="utf-8") == ""


def test_an_interrupted_cli_campaign_says_how_to_resume(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("rm_copilot.channels.cli.campaign.run_campaign", interrupted)
    result = CliRunner().invoke(app, ["campaign", "--product", PRODUCT, "--segment", "all",
                                      "--out", str(tmp_path / "x.jsonl")])
    assert result.exit_code == 130
    assert "--resume" in result.output


def _job(services: Services, job_id: str, *, owner: str | None, heartbeat_age: timedelta | None) -> None:
    with transaction(services.session_factory) as session:
        session.add(CampaignJob(
            id=job_id, advisor_id="A001", product_id=PRODUCT, segment="all", channel="wecom", variants=1,
            status="running", out_path=str(services.settings.resolved_home / f"{job_id}.jsonl"), owner=owner,
            heartbeat_at=None if heartbeat_age is None else utc_now() - heartbeat_age,
        ))


def _finished_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def _host() -> str:
    return this_owner().rpartition(":")[0]


def test_starting_jobs_leaves_a_live_workers_job_running_and_takes_back_dead_ones():
    services = get_services()
    _job(services, "live", owner=f"{_host()}:{os.getppid()}", heartbeat_age=timedelta(seconds=5))
    _job(services, "otherhost", owner="elsewhere:12", heartbeat_age=timedelta(seconds=5))
    _job(services, "deadpid", owner=f"{_host()}:{_finished_pid()}", heartbeat_age=timedelta(seconds=5))
    _job(services, "expired", owner="elsewhere:13", heartbeat_age=timedelta(minutes=10))
    _job(services, "legacy", owner=None, heartbeat_age=None)

    jobs = CampaignJobs(services)
    try:
        statuses = {job_id: jobs.status("A001", job_id)["status"]
                    for job_id in ("live", "otherhost", "deadpid", "expired", "legacy")}
    finally:
        jobs.close()
    assert statuses == {"live": "running", "otherhost": "running", "deadpid": "interrupted",
                        "expired": "interrupted", "legacy": "interrupted"}


def test_a_running_job_whose_lease_lapsed_reads_as_interrupted_even_when_nothing_can_be_written():
    services = get_services()
    jobs = CampaignJobs(services)
    jobs.close()
    _job(services, "stuck", owner="elsewhere:99", heartbeat_age=timedelta(minutes=5))  # after the start-up sweep
    status = jobs.status("A001", "stuck")
    assert status["status"] == "interrupted" and "--resume" in status["error"]


class FullDisk:
    """os.write for campaign outputs that fills the disk after `rows` lines (the last one torn)."""

    def __init__(self, rows: int):
        self.rows = rows
        self.real = os.write

    def __call__(self, fd: int, data: bytes) -> int:
        if not os.readlink(f"/proc/self/fd/{fd}").endswith(".jsonl"):
            return self.real(fd, data)
        if self.rows == 0:
            self.real(fd, data[: len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.rows -= 1
        return self.real(fd, data)


@pytest.mark.slow
def test_a_full_disk_during_a_cli_campaign_is_a_chinese_error_and_the_resume_is_exact(
    use_built_services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    out = tmp_path / "full.jsonl"
    args = ["campaign", "--product", PRODUCT, "--segment", "all", "--limit", "12", "--variants", "2",
            "--workers", "1", "--out", str(out)]
    with monkeypatch.context() as patch:
        patch.setattr(campaign_output.os, "write", FullDisk(rows=7))
        failed = CliRunner().invoke(app, args)
    assert failed.exit_code == 2, failed.output
    assert "磁盘空间不足" in failed.output and "--resume" in failed.output
    assert "Traceback" not in failed.output

    resumed = CliRunner().invoke(app, [*args, "--resume"])
    assert resumed.exit_code == 0, resumed.output
    keys = [(row["customer_id"], row["variant"]) for row in map(json.loads, out.read_text("utf-8").splitlines())]
    assert len(keys) == len(set(keys)) == 24
