"""Campaign shards beyond one machine, as deploy/campaign-job.yaml runs them: three `--shard i/3`
processes at once, each with its own home (a pod's), on one PostgreSQL, writing to one shared
directory; concatenated, their files hold exactly one row per (customer, variant)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
import yaml

from rm_copilot.config import PROJECT_ROOT

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
CLI = [sys.executable, "-c", "from rm_copilot.cli import main; main()"]
SHARDS = 3
VARIANTS = 2
CUSTOMERS = 36
PRODUCT = "DP003"


def _env(home: Path, database_url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("RM_COPILOT_")}
    return {**env, "RM_COPILOT_HOME": str(home), "RM_COPILOT_DATABASE_URL": database_url,
            "RM_COPILOT_DEMO_CUSTOMER_COUNT": "0", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


def _shard_command(index: int, shared: Path) -> list[str]:
    """What the Job's container runs, with JOB_COMPLETION_INDEX = index - 1."""
    return CLI + ["campaign", "--product", PRODUCT, "--segment", "all", "--variants", str(VARIANTS),
                  "--workers", "1", "--shard", f"{index}/{SHARDS}", "--resume",
                  "--out", str(shared / f"part-{index}-of-{SHARDS}.jsonl")]


def test_three_shards_at_once_on_one_postgresql_merge_to_one_row_per_customer_and_variant(
    postgres_server, tmp_path: Path
) -> None:
    database_url = postgres_server.create_database()
    loader = _env(tmp_path / "loader-home", database_url)
    subprocess.run(CLI + ["customers", "generate", "--count", str(CUSTOMERS), "--seed", "5"],
                   env=loader, cwd=tmp_path, check=True, capture_output=True)

    shared = tmp_path / "shared"
    processes = [
        subprocess.Popen(_shard_command(index, shared), env=_env(tmp_path / f"pod-{index}", database_url),
                         cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for index in range(1, SHARDS + 1)
    ]
    outputs = [process.communicate(timeout=900) for process in processes]
    for process, (_stdout, stderr) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, stderr[-2000:]
        assert "Traceback" not in stderr

    parts = sorted(shared.glob("part-*.jsonl"))
    assert len(parts) == SHARDS
    merged = [json.loads(line) for part in parts for line in part.read_text(encoding="utf-8").splitlines()]
    keys = [(row["customer_id"], row["variant"]) for row in merged]
    customers = {row["customer_id"] for row in merged}
    assert len(keys) == len(set(keys)) == CUSTOMERS * VARIANTS
    assert len(customers) == CUSTOMERS
    for part in parts:  # each shard wrote only the customers it owns, and said so in its summary
        index = int(part.name.split("-")[1])
        owned = {json.loads(line)["customer_id"] for line in part.read_text(encoding="utf-8").splitlines()}
        assert owned and all(zlib.crc32(cid.encode()) % SHARDS == index - 1 for cid in owned)
        summary = json.loads(part.with_name(part.name + ".summary.json").read_text(encoding="utf-8"))
        assert summary["shard"] == f"{index}/{SHARDS}" and summary["customers"] == len(owned)


def test_the_kubernetes_job_runs_one_shard_per_completion_index() -> None:
    manifest = yaml.safe_load((PROJECT_ROOT / "deploy" / "campaign-job.yaml").read_text(encoding="utf-8"))
    spec = manifest["spec"]
    assert manifest["kind"] == "Job" and spec["completionMode"] == "Indexed"
    assert spec["completions"] == spec["parallelism"]
    container = spec["template"]["spec"]["containers"][0]
    script = " ".join(container["command"] + container.get("args", []))
    assert "--shard $((JOB_COMPLETION_INDEX+1))/" in script and "--resume" in script
    env = {item["name"]: item for item in container["env"]}
    assert "secretKeyRef" in env["RM_COPILOT_DATABASE_URL"]["valueFrom"]
    mounts = {mount["name"] for mount in container["volumeMounts"]}
    volumes = {volume["name"]: volume for volume in spec["template"]["spec"]["volumes"]}
    assert mounts <= set(volumes) and any("persistentVolumeClaim" in volume for volume in volumes.values())
    shards = env["SHARDS"]["value"]
    assert shards == str(spec["completions"]) and "/$SHARDS" in script
