"""Faults a bank's IT team probes for, met only through the public surface (HTTP routes, the CLI,
settings): a store that vanished or turned read-only, a misbehaving LLM, a chat limit shared by
processes, two writers on one campaign output, a live job seen from a second server, a full disk."""
from __future__ import annotations

import errno
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from fake_openai import DRIP_LIMIT, MisbehavingOpenAI
from live_server import BIN, LiveServer
from rm_copilot.channels.api import create_app
from rm_copilot.cli import app
from rm_copilot.config import PROJECT_ROOT, Settings
from rm_copilot.services import Services

pytestmark = pytest.mark.slow
KNOWLEDGE_BASE = PROJECT_ROOT / "knowledge_base"
PRODUCT = "DP003"  # R1: suitable for most of the demo book, so rows are written
QUESTION = "存款保险的保障额度是多少？"


def _services(home: Path, **settings) -> Services:
    return Services(Settings(home=home, environment="test", knowledge_base=KNOWLEDGE_BASE, **settings))


def _client(services: Services) -> TestClient:
    return TestClient(create_app(services, prepare_on_startup=False), raise_server_exceptions=False)


def _auth(services: Services, advisor_id: str = "A001") -> dict[str, str]:
    return {"Authorization": f"Bearer {services.customers.issue_token(advisor_id)}"}


def _copy_of_the_built_store(built_services: Services, home: Path) -> Path:
    """The built home's SQLite store (schema, advisors, demo customers) copied into `home`."""
    home.mkdir(parents=True, exist_ok=True)
    target = home / "rm_copilot.db"
    source = sqlite3.connect(built_services.settings.resolved_database_url.removeprefix("sqlite:///"))
    copy = sqlite3.connect(target)
    with copy:
        source.backup(copy)
    source.close()
    copy.close()
    return target


def _keys(lines: list[str]) -> list[tuple[str, int]]:
    return [(row["customer_id"], row["variant"]) for row in map(json.loads, lines)]


# the store ----------------------------------------------------------------------------------


def test_a_store_deleted_while_serving_fails_health_and_is_never_written_into(built_services, tmp_path):
    database = _copy_of_the_built_store(built_services, tmp_path / "home")
    services = _services(tmp_path / "home")
    client, headers = _client(services), _auth(services)
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/customers", headers=headers).status_code == 200
    database.unlink()

    health = client.get("/healthz")
    assert health.status_code == 503 and "删除" in health.text
    refused = client.get("/api/v1/customers", headers=headers)
    assert refused.status_code == 503
    assert "删除" in refused.json()["detail"] and refused.headers["X-Request-ID"] in refused.json()["detail"]
    assert not database.exists()


def test_a_read_only_store_fails_health_and_a_write_is_a_chinese_503_not_a_bare_500(built_services, tmp_path):
    database = _copy_of_the_built_store(built_services, tmp_path / "home")
    headers = _auth(_services(tmp_path / "home"))
    services = _services(tmp_path / "home", database_url=f"sqlite:///file:{database}?mode=ro&uri=true")
    client = _client(services)

    health = client.get("/healthz")
    assert health.status_code == 503 and "只读" in health.text
    response = client.post("/api/v1/compliance/check", headers=headers, json={"text": "本产品历史业绩良好。"})
    assert response.status_code == 503, response.text
    detail = response.json()["detail"]
    assert "只读" in detail and response.headers["X-Request-ID"] in detail


# a misbehaving LLM --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def llm() -> Iterator[MisbehavingOpenAI]:
    with MisbehavingOpenAI("reply") as server:
        yield server


@pytest.fixture(scope="module")
def llm_services(built_services: Services, llm: MisbehavingOpenAI) -> Services:
    """The built home served with an OpenAI-compatible backend: 1 s deadline, two retries allowed."""
    return _services(built_services.settings.resolved_home, llm_backend="openai", llm_base_url=llm.base_url,
                     llm_model="fake", llm_timeout=1.0, llm_max_retries=2, llm_max_concurrency=1)


def _behave(llm: MisbehavingOpenAI, mode: str, reply: str = "") -> None:
    llm.mode, llm.reply, llm.dripped = mode, reply, 0
    llm.requests.clear()


@pytest.mark.parametrize("reply", ["", "  \n "])
def test_an_empty_llm_reply_falls_back_to_the_builtin_answer_on_chat_scripts_and_campaigns(
    llm, llm_services, built_services, reply
):
    _behave(llm, "reply", reply)
    client, headers = _client(llm_services), _auth(llm_services)
    chat = client.post("/api/v1/chat", headers=headers, json={"message": QUESTION})
    assert chat.status_code == 200, chat.text
    assert "50万" in chat.json()["answer"]
    customer = built_services.customers.list(advisor_id="A001", limit=1)[0].id
    scripts = client.post("/api/v1/scripts", headers=headers, json={"customer_id": customer, "variants": 1})
    assert scripts.status_code == 200, scripts.text
    assert scripts.json()["scripts"] and all(s["text"].strip() for s in scripts.json()["scripts"])

    job = client.post("/api/v1/campaigns", headers=headers, json={"product_id": PRODUCT, "segment": "all", "limit": 2})
    assert job.status_code == 202, job.text
    client.app.state.campaign_jobs.wait(timeout=300)
    status = client.get(f"/api/v1/campaigns/{job.json()['id']}", headers=headers).json()
    assert status["status"] == "done" and status["summary"]["rows"] == 2, status
    assert llm.requests, "the LLM was asked"


def test_an_empty_llm_reply_reaches_the_wecom_advisor_as_the_builtin_answer(use_built_services, tmp_path):
    sys.path.insert(0, str(Path(__file__).parents[1] / "wecom"))  # the WeCom fakes live beside the WeCom tests
    from fake_wecom_api import FakeWeComApi
    from wecom_fakes import AES_KEY, AGENT_ID, CORP_ID, SECRET, TOKEN, WeChatPyClient, text_message_xml

    wecom = {"TOKEN": TOKEN, "AES_KEY": AES_KEY, "CORP_ID": CORP_ID, "AGENT_ID": AGENT_ID, "SECRET": SECRET}
    api = FakeWeComApi(corp_id=CORP_ID, secret=SECRET).start()
    with MisbehavingOpenAI("reply", "") as empty:
        server = LiveServer(use_built_services.settings.resolved_home, extra_env={
            **{f"RM_COPILOT_WECOM_{name}": value for name, value in wecom.items()},
            "RM_COPILOT_WECOM_API_BASE": api.base_url, "RM_COPILOT_LLM_BACKEND": "openai",
            "RM_COPILOT_LLM_BASE_URL": empty.base_url, "RM_COPILOT_LLM_MODEL": "fake"})
        server.log_path = tmp_path / "serve.log"
        try:
            server.start()
            params, body = WeChatPyClient().encrypted_post(
                text_message_xml(from_user="zhangwei", content=QUESTION, msg_id="7300000000001301"))
            callback = httpx.post(f"{server.base_url}/wecom/callback", params=params, content=body, timeout=60)
            assert (callback.status_code, callback.text) == (200, "")
            sends = api.wait_for("message/send", 1, timeout=180)
        finally:
            server.stop()
            api.stop()
    texts = [call.body.get("text", {}).get("content", "") for call in sends]
    assert empty.requests, "the LLM was asked"
    assert texts and not any("待检查的文本为空" in text for text in texts), texts
    assert "50万" in "".join(texts), texts  # the grounded builtin answer


def test_a_drip_feeding_llm_cannot_hold_a_chat_past_its_deadline(llm, llm_services):
    _behave(llm, "drip")
    response = _client(llm_services).post("/api/v1/chat", headers=_auth(llm_services), json={"message": QUESTION})
    assert response.status_code == 200, response.text
    assert "50万" in response.json()["answer"]  # the builtin answer, after one deadline
    assert llm.dripped < DRIP_LIMIT // 3
    assert len(llm.requests) == 1  # the deadline was spent: no retry starts after it


def test_a_silent_llm_costs_one_deadline_not_one_timeout_per_attempt(llm, llm_services):
    _behave(llm, "hang")
    response = _client(llm_services).post("/api/v1/chat", headers=_auth(llm_services), json={"message": QUESTION})
    assert response.status_code == 200, response.text
    assert len(llm.requests) == 1


# limits shared by processes -----------------------------------------------------------------


def test_the_chat_limit_is_one_limit_for_two_processes_on_one_store(built_services):
    limit = 3
    home = built_services.settings.resolved_home
    first, second = (_client(_services(home, chat_rate_limit_per_minute=limit)) for _ in range(2))  # two engines
    headers = _auth(built_services, "A002")
    for _ in range(3):  # a fixed window: a round that straddles a minute boundary is run again
        window = int(time.time() // 60)
        codes = [client.post("/api/v1/chat", headers=headers, json={"message": QUESTION}).status_code
                 for client in (first, second) * limit]
        if int(time.time() // 60) == window:
            break
        time.sleep((int(time.time() // 60) + 1) * 60 - time.time() + 0.5)
    assert codes.count(429) == limit and 429 not in codes[:limit], codes


# one writer per campaign output -------------------------------------------------------------


@pytest.fixture
def held_llm() -> Iterator[MisbehavingOpenAI]:
    """An LLM that keeps every campaign row waiting until the test ends: its writer stays alive."""
    with MisbehavingOpenAI("hang", hold_s=600) as server:
        yield server


@pytest.mark.parametrize("resume", [False, True])
def test_a_second_run_on_the_output_of_a_live_cli_campaign_is_refused(
    use_built_services, held_llm, tmp_path: Path, resume: bool
):
    out = tmp_path / "live.jsonl"
    args = ["campaign", "--product", PRODUCT, "--segment", "all", "--limit", "3", "--workers", "1", "--out", str(out)]
    env = {**os.environ, "RM_COPILOT_HOME": str(use_built_services.settings.resolved_home),
           "RM_COPILOT_LLM_BACKEND": "openai", "RM_COPILOT_LLM_BASE_URL": held_llm.base_url,
           "RM_COPILOT_LLM_TIMEOUT": "600", "RM_COPILOT_LLM_MAX_RETRIES": "0"}
    writer = subprocess.Popen([str(BIN / "rm-copilot"), *args], cwd=PROJECT_ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert held_llm.asked.wait(300), "the first campaign never asked the LLM"
        second = CliRunner().invoke(app, [*args, "--resume"] if resume else args)
        assert writer.poll() is None, "the first campaign is still writing"
    finally:
        held_llm.release.set()
        try:
            writer.wait(timeout=300)
        except subprocess.TimeoutExpired:
            writer.kill()
            writer.wait()
    assert second.exit_code == 2, second.output
    assert "正由另一个任务写入" in second.output
    keys = _keys(out.read_text("utf-8").splitlines()) if out.exists() else []
    assert len(keys) == len(set(keys)) <= 3  # the first run's rows only, none twice


def test_a_second_server_leaves_a_live_api_job_running_and_refuses_to_resume_it(
    use_built_services, held_llm, tmp_path: Path
):
    home = use_built_services.settings.resolved_home
    first = _client(_services(home, llm_backend="openai", llm_base_url=held_llm.base_url, llm_timeout=600,
                              llm_max_retries=0, llm_max_concurrency=1))
    headers = _auth(use_built_services)
    job_id = first.post("/api/v1/campaigns", headers=headers,
                        json={"product_id": PRODUCT, "segment": "all", "limit": 2}).json()["id"]
    second = LiveServer(home)
    second.log_path = tmp_path / "second-serve.log"
    try:
        assert held_llm.asked.wait(300), "the job never asked the LLM"
        second.start()
        seen = httpx.get(f"{second.base_url}/api/v1/campaigns/{job_id}", headers=headers, timeout=60)
        resumed = httpx.post(f"{second.base_url}/api/v1/campaigns/{job_id}/resume", headers=headers, timeout=60)
    finally:
        held_llm.release.set()
        first.app.state.campaign_jobs.wait(timeout=300)
        second.stop()
    assert seen.status_code == 200 and seen.json()["status"] == "running", seen.text
    assert resumed.status_code == 409, resumed.text
    status = first.get(f"/api/v1/campaigns/{job_id}", headers=headers).json()
    rows = first.get(f"/api/v1/campaigns/{job_id}/results", headers=headers).text.splitlines()
    assert status["status"] == "done" and len(_keys(rows)) == len(set(_keys(rows))) == 2, status


def _immutable(paths: list[Path], on: bool) -> None:
    """chattr ±i: writes fail even through descriptors the server already holds (chmod would not stop root)."""
    subprocess.run(["chattr", "+i" if on else "-i", *map(str, paths)], check=True)


def test_a_job_that_cannot_save_its_failure_on_a_read_only_store_never_reads_running(
    use_built_services, held_llm
):
    if os.geteuid() != 0:
        pytest.skip("making the store read-only under a live server needs chattr (root)")
    home = use_built_services.settings.resolved_home
    client = _client(_services(home, llm_backend="openai", llm_base_url=held_llm.base_url, llm_timeout=600,
                               llm_max_retries=0, llm_max_concurrency=1))
    headers = _auth(use_built_services)
    job_id = client.post("/api/v1/campaigns", headers=headers,
                         json={"product_id": PRODUCT, "segment": "all", "limit": 2}).json()["id"]
    database = Path(use_built_services.settings.resolved_database_url.removeprefix("sqlite:///"))
    store = [path for path in (database, database.with_name(database.name + "-wal")) if path.exists()]
    assert held_llm.asked.wait(300), "the job never asked the LLM"
    _immutable(store, True)  # the store turns read-only while the job runs
    try:
        held_llm.release.set()  # the job moves on, cannot write its progress, then cannot save "failed"
        client.app.state.campaign_jobs.wait(timeout=300)
        while_read_only = client.get(f"/api/v1/campaigns/{job_id}", headers=headers)
    finally:
        _immutable(store, False)
    if while_read_only.status_code == 503:  # the store refused as read-only, in Chinese
        assert "只读" in while_read_only.json()["detail"], while_read_only.text
    else:
        assert while_read_only.status_code == 200, while_read_only.text
        frozen = while_read_only.json()
        assert frozen["status"] in ("interrupted", "failed"), frozen
        assert re.search(r"[\u4e00-\u9fff]", frozen["error"] or ""), frozen

    for _ in range(120):  # writable again: the job is resumed from its checkpoint, not shown running forever
        status = client.get(f"/api/v1/campaigns/{job_id}", headers=headers).json()
        if status["status"] in ("done", "failed"):
            break
        time.sleep(1)  # polling interval; the status decides
    rows = client.get(f"/api/v1/campaigns/{job_id}/results", headers=headers).text.splitlines()
    assert status["status"] == "done", status
    assert len(_keys(rows)) == len(set(_keys(rows))) == 2


def test_a_jobs_progress_counts_only_the_advisors_customers(use_built_services, monkeypatch):
    client, headers = _client(use_built_services), _auth(use_built_services)
    own = use_built_services.customers.count(advisor_id="A001")
    assert own < use_built_services.customers.count()
    with monkeypatch.context() as patch:
        patch.setattr(os, "write", FullDisk(rows=2))  # the job stops early: its progress is what it last showed
        job = client.post("/api/v1/campaigns", headers=headers, json={"product_id": PRODUCT, "segment": "all"})
        assert job.status_code == 202, job.text
        client.app.state.campaign_jobs.wait(timeout=300)
    status = client.get(f"/api/v1/campaigns/{job.json()['id']}", headers=headers).json()
    assert status["status"] == "failed", status
    assert status["total_customers"] == own, status
    assert status["processed_customers"] <= own


# the CLI campaign under faults --------------------------------------------------------------


def test_an_interrupted_cli_campaign_says_how_to_resume(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("rm_copilot.channels.cli.campaign.run_campaign", interrupted)
    result = CliRunner().invoke(app, ["campaign", "--product", "WM002", "--segment", "all",
                                      "--out", str(tmp_path / "x.jsonl")])
    assert result.exit_code == 130
    assert "--resume" in result.output


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


def test_a_full_disk_during_a_cli_campaign_is_a_chinese_error_and_the_resume_is_exact(
    use_built_services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    out = tmp_path / "full.jsonl"
    args = ["campaign", "--product", "WM002", "--segment", "all", "--limit", "12", "--variants", "2",
            "--workers", "1", "--out", str(out)]
    with monkeypatch.context() as patch:
        patch.setattr(os, "write", FullDisk(rows=7))
        failed = CliRunner().invoke(app, args)
    assert failed.exit_code == 2, failed.output
    assert "磁盘空间不足" in failed.output and "--resume" in failed.output
    assert "Traceback" not in failed.output

    resumed = CliRunner().invoke(app, [*args, "--resume"])
    assert resumed.exit_code == 0, resumed.output
    keys = _keys(out.read_text("utf-8").splitlines())
    assert len(keys) == len(set(keys)) == 24


def test_an_api_job_failed_on_a_full_disk_is_resumed_through_the_api(use_built_services, monkeypatch):
    client, headers = _client(use_built_services), _auth(use_built_services)
    with monkeypatch.context() as patch:
        patch.setattr(os, "write", FullDisk(rows=3))
        job_id = client.post("/api/v1/campaigns", headers=headers,
                             json={"product_id": "WM002", "segment": "all", "limit": 4, "variants": 2}).json()["id"]
        client.app.state.campaign_jobs.wait(timeout=300)
    failed = client.get(f"/api/v1/campaigns/{job_id}", headers=headers).json()
    assert failed["status"] == "failed", failed

    resumed = client.post(f"/api/v1/campaigns/{job_id}/resume", headers=headers)
    assert resumed.status_code == 202, resumed.text
    client.app.state.campaign_jobs.wait(timeout=300)
    status = client.get(f"/api/v1/campaigns/{job_id}", headers=headers).json()
    rows = client.get(f"/api/v1/campaigns/{job_id}/results", headers=headers).text.splitlines()
    assert status["status"] == "done", status
    assert len(_keys(rows)) == len(set(_keys(rows))) == 8
