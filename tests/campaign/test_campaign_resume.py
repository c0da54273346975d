"""Resuming a campaign: refused when what makes the rows changed since the run began (CLI exit 2,
API 409), the API's resume route for an interrupted or failed job, and progress totals that count
only the job's own customers."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from campaign_api import api_client, auth, finished
from rm_copilot.campaigns.fingerprint import run_fingerprint
from rm_copilot.campaigns.models import CampaignJob
from rm_copilot.campaigns.output import meta_path
from rm_copilot.campaigns.runner import CampaignSpec, Progress, run_campaign
from rm_copilot.cli import app
from rm_copilot.config import PROJECT_ROOT
from rm_copilot.db import transaction
from rm_copilot.services import Services

pytestmark = pytest.mark.slow
PRODUCT = "DP003"  # R1: suitable for most of the demo book, so rows are written


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _keys(rows: list[dict]) -> list[tuple[str, int]]:
    return [(row["customer_id"], row["variant"]) for row in rows]


def _began_with(out: Path, **changes: str) -> None:
    """Rewrite the recorded fingerprint as if the run had begun under another rulebook or model."""
    meta = json.loads(meta_path(out).read_text(encoding="utf-8"))
    meta["fingerprint"].update(changes)
    meta_path(out).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")


def _cut_to(out: Path, lines: int) -> None:
    kept = out.read_text(encoding="utf-8").splitlines(keepends=True)[:lines]
    out.write_text("".join(kept), encoding="utf-8")


# the fingerprint ----------------------------------------------------------------------------


def test_the_fingerprint_changes_with_the_rulebook_version_the_templates_and_the_model(tmp_path: Path) -> None:
    rulebook, prompts = tmp_path / "compliance", tmp_path / "prompts"
    shutil.copytree(PROJECT_ROOT / "knowledge_base" / "compliance", rulebook)
    shutil.copytree(PROJECT_ROOT / "prompts", prompts)

    def fingerprint(backend: str = "builtin", model: str | None = None) -> dict[str, str]:
        return run_fingerprint(rulebook_dir=rulebook, prompts_dir=prompts, backend=backend, model=model)

    before = fingerprint()
    assert fingerprint() == before
    assert fingerprint(model="qwen2.5-7b-instruct") == before  # the builtin composer has no model
    assert fingerprint("openai", "qwen2.5-7b-instruct")["model"] == "qwen2.5-7b-instruct"
    assert fingerprint("openai", "a") != fingerprint("openai", "b")

    template = next(prompts.rglob("*.j2"))
    template.write_text(template.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert fingerprint()["prompts_digest"] != before["prompts_digest"]

    meta = rulebook / "rulebook.yaml"
    text = meta.read_text(encoding="utf-8")
    version = before["rulebook_version"]
    meta.write_text(text.replace(f"version: {version}", "version: 2099.1", 1)
                    if f"version: {version}" in text else text.replace(f'version: "{version}"', 'version: "2099.1"', 1),
                    encoding="utf-8")
    assert fingerprint()["rulebook_version"] == "2099.1"


# the CLI ------------------------------------------------------------------------------------


def test_cli_resume_is_refused_when_the_rulebook_changed_since_the_run_began(use_built_services, tmp_path: Path):
    out = tmp_path / "dp003.jsonl"
    args = ["campaign", "--product", PRODUCT, "--segment", "all", "--limit", "4", "--out", str(out)]
    assert CliRunner().invoke(app, args).exit_code == 0
    _cut_to(out, 2)
    before = out.read_text(encoding="utf-8")
    _began_with(out, rulebook_version="2020.1")

    result = CliRunner().invoke(app, [*args, "--resume"])
    assert result.exit_code == 2, result.output
    assert "--resume 被拒绝" in result.output and "规则库版本" in result.output and "2020.1" in result.output
    assert "Traceback" not in result.output
    assert out.read_text(encoding="utf-8") == before  # nothing appended under the new rulebook


def test_cli_resume_is_refused_when_the_model_changed(use_built_services, tmp_path: Path):
    out = tmp_path / "dp003.jsonl"
    args = ["campaign", "--product", PRODUCT, "--segment", "all", "--limit", "3", "--out", str(out)]
    assert CliRunner().invoke(app, args).exit_code == 0
    _cut_to(out, 1)
    _began_with(out, backend="openai", model="qwen2.5-72b-instruct")

    result = CliRunner().invoke(app, [*args, "--resume"])
    assert result.exit_code == 2 and "模型" in result.output and "qwen2.5-72b-instruct" in result.output


def test_cli_resume_with_the_same_rulebook_and_templates_completes_the_file(use_built_services, tmp_path: Path):
    out = tmp_path / "dp003.jsonl"
    args = ["campaign", "--product", PRODUCT, "--segment", "all", "--limit", "4", "--variants", "2", "--out", str(out)]
    assert CliRunner().invoke(app, args).exit_code == 0
    complete = sorted(_keys(_rows(out)))
    _cut_to(out, 3)

    result = CliRunner().invoke(app, [*args, "--resume"])
    assert result.exit_code == 0, result.output
    keys = _keys(_rows(out))
    assert sorted(keys) == complete and len(keys) == len(set(keys)) == 8


# progress totals ----------------------------------------------------------------------------


def _totals(services: Services, spec: CampaignSpec, out: Path) -> list[int | None]:
    seen: list[int | None] = []

    def record(progress: Progress) -> None:
        seen.append(progress.total_customers)

    run_campaign(services, spec, out, workers=1, on_progress=record)
    return seen


def test_an_advisors_job_counts_only_that_advisors_customers(built_services: Services, tmp_path: Path) -> None:
    own = built_services.customers.count(advisor_id="A001")
    assert own < built_services.customers.count()
    spec = CampaignSpec(product_id=PRODUCT, segment="tier:大众 or tier:财富 or tier:私行", advisor_id="A001")
    totals = _totals(built_services, spec, tmp_path / "a001.jsonl")
    assert totals[0] == own and set(totals) == {own}
    assert {row["customer_id"] for row in _rows(tmp_path / "a001.jsonl")} <= {
        view.id for view in built_services.customers.list(advisor_id="A001")}


def test_the_total_respects_limit_and_the_segment_pushed_into_sql(built_services: Services, tmp_path: Path) -> None:
    assert _totals(built_services, CampaignSpec(product_id=PRODUCT, segment="all", advisor_id="A001", limit=5),
                   tmp_path / "limited.jsonl")[0] == 5
    elderly = sum(1 for view in built_services.customers.iter_views(advisor_id="A002") if view.age >= 60)
    totals = _totals(built_services, CampaignSpec(product_id=PRODUCT, segment="age>=60", advisor_id="A002"),
                     tmp_path / "elderly.jsonl")
    assert totals[0] == elderly
    assert len({row["customer_id"] for row in _rows(tmp_path / "elderly.jsonl")}) == elderly


# the API ------------------------------------------------------------------------------------


@pytest.fixture
def client(use_built_services: Services) -> TestClient:
    return api_client(use_built_services)


def _failed_halfway(services: Services, job_id: str, lines: int) -> Path:
    """The job as a disk-full failure leaves it: status failed, the first `lines` rows written."""
    with transaction(services.session_factory) as session:
        job = session.get(CampaignJob, job_id)
        job.status, job.error = "failed", "无法写入：磁盘空间不足"
        out = Path(job.out_path)
    _cut_to(out, lines)
    return out


def test_api_resume_continues_a_failed_job_with_one_row_per_customer_and_variant(client, use_built_services):
    headers = auth(use_built_services, "A001")
    started = client.post("/api/v1/campaigns", headers=headers,
                          json={"product_id": PRODUCT, "segment": "all", "variants": 2, "limit": 5})
    job_id = started.json()["id"]
    done = finished(client, headers, job_id)
    assert done["status"] == "done" and done["total_customers"] == 5
    assert done["segment"] == "all"  # the advisor's own expression, not a rewritten one
    complete = sorted(_keys(_rows(_failed_halfway(use_built_services, job_id, 3))))

    resumed = client.post(f"/api/v1/campaigns/{job_id}/resume", headers=headers)
    assert resumed.status_code == 202, resumed.text
    status = finished(client, headers, job_id)
    assert status["status"] == "done" and status["error"] is None
    rows = [json.loads(line) for line in client.get(f"/api/v1/campaigns/{job_id}/results", headers=headers).text.splitlines()]
    keys = _keys(rows)
    assert len(keys) == len(set(keys)) == 10 and len(complete) == 3
    own = {view.id for view in use_built_services.customers.list(advisor_id="A001")}
    assert {row["customer_id"] for row in rows} <= own


def test_api_resume_is_refused_with_409_when_the_rulebook_changed(client, use_built_services):
    headers = auth(use_built_services, "A001")
    job_id = client.post("/api/v1/campaigns", headers=headers,
                         json={"product_id": PRODUCT, "segment": "all", "limit": 3}).json()["id"]
    finished(client, headers, job_id)
    out = _failed_halfway(use_built_services, job_id, 1)
    _began_with(out, rulebook_version="2020.1")

    response = client.post(f"/api/v1/campaigns/{job_id}/resume", headers=headers)
    assert response.status_code == 409
    assert "规则库版本" in response.json()["detail"] and "2020.1" in response.json()["detail"]
    assert client.get(f"/api/v1/campaigns/{job_id}", headers=headers).json()["status"] == "failed"
    assert len(_rows(out)) == 1


def test_api_resume_of_a_finished_job_is_409_and_of_another_advisors_job_404(client, use_built_services):
    owner = auth(use_built_services, "A001")
    job_id = client.post("/api/v1/campaigns", headers=owner,
                         json={"product_id": PRODUCT, "segment": "all", "limit": 1}).json()["id"]
    finished(client, owner, job_id)

    again = client.post(f"/api/v1/campaigns/{job_id}/resume", headers=owner)
    assert again.status_code == 409 and "已完成" in again.json()["detail"]
    other = client.post(f"/api/v1/campaigns/{job_id}/resume", headers=auth(use_built_services, "A002"))
    assert other.status_code == 404
    assert client.post("/api/v1/campaigns/nope/resume", headers=owner).status_code == 404
    assert client.post(f"/api/v1/campaigns/{job_id}/resume").status_code == 401
