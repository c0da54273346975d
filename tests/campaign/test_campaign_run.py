"""Campaign runs end to end on the demo book: rows, skips, the final gate, kill -9 and resume."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rm_copilot.campaigns.rows import NO_CONSENT, customer_brief, skip_reason
from rm_copilot.campaigns.runner import CampaignSpec, run_campaign
from rm_copilot.cli import app
from rm_copilot.errors import CampaignError
from rm_copilot.services import Services

pytestmark = pytest.mark.slow
PRODUCT = "WM002"


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _keys(rows: list[dict]) -> list[tuple[str, int]]:
    return [(row["customer_id"], row["variant"]) for row in rows]


@pytest.fixture(scope="module")
def clean_run(built_services: Services, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("campaign") / "clean.jsonl"
    spec = CampaignSpec(product_id=PRODUCT, segment="all", channel="wecom", variants=2, limit=60)
    summary = run_campaign(built_services, spec, out, workers=1)
    return out, summary


def test_clean_run_writes_one_line_per_customer_and_variant(clean_run: tuple[Path, dict]) -> None:
    out, summary = clean_run
    keys = _keys(_rows(out))
    assert len(keys) == len(set(keys)) == 120
    assert summary["rows"] == 120 and summary["customers"] == 60
    assert json.loads(out.with_name(out.name + ".summary.json").read_text()) == summary


def test_every_written_text_passes_the_compliance_check(built_services: Services, clean_run: tuple[Path, dict]) -> None:
    out, _ = clean_run
    product = built_services.catalog.get(PRODUCT)
    written = [row for row in _rows(out) if row["text"] is not None]
    assert written, "the demo book should have customers suitable for the product"
    for row in written:
        context = built_services.customers.compliance_context(row["customer_id"])
        result = built_services.compliance.check(row["text"], product_type=product.type, channel="wecom", customer=context)
        assert result.verdict == "pass", (row["customer_id"], [f.rule_id for f in result.findings])


def test_skipped_rows_carry_a_reason_and_no_text(built_services: Services, clean_run: tuple[Path, dict]) -> None:
    out, summary = clean_run
    product = built_services.catalog.get(PRODUCT)
    for row in _rows(out):
        bundle = built_services.customers.bundles([row["customer_id"]])[0]
        expected = skip_reason(built_services, bundle, customer_brief(built_services, bundle), product)
        if expected is not None:
            assert row["skipped_reason"] == expected and row["text"] is None and row["verdict"] is None
        else:
            assert row["text"] is not None and row["verdict"] in ("pass", "rewrite"), row
    assert sum(summary["by_skip_reason"].values()) == sum(1 for r in _rows(out) if r["skipped_reason"])


def test_variants_of_one_customer_differ(clean_run: tuple[Path, dict]) -> None:
    out, _ = clean_run
    by_customer: dict[str, set[str]] = {}
    for row in _rows(out):
        if row["text"]:
            by_customer.setdefault(row["customer_id"], set()).add(row["text"])
    assert any(len(texts) == 2 for texts in by_customer.values())


def test_skip_reasons_follow_consent_and_suitability(built_services: Services, clean_run: tuple[Path, dict]) -> None:
    _, summary = clean_run
    reasons = summary["by_skip_reason"]
    assert reasons.get(NO_CONSENT, 0) > 0, "the demo book has customers without marketing consent"
    assert any("风险" in reason for reason in reasons), "and customers below the product's risk level"
    assert not any("失败" in reason for reason in reasons), reasons


def test_rerun_without_resume_refuses_to_overwrite(built_services: Services, clean_run: tuple[Path, dict]) -> None:
    out, _ = clean_run
    before = out.read_bytes()
    with pytest.raises(CampaignError, match="--resume"):
        run_campaign(built_services, CampaignSpec(product_id=PRODUCT, segment="all", variants=2, limit=60), out)
    assert out.read_bytes() == before


def test_shards_partition_the_segment(built_services: Services, tmp_path: Path) -> None:
    keys: list[tuple[str, int]] = []
    for index in (1, 2, 3):
        out = tmp_path / f"shard{index}.jsonl"
        spec = CampaignSpec(product_id=PRODUCT, segment="age>=60", shard=f"{index}/3")
        run_campaign(built_services, spec, out, workers=1)
        keys += _keys(_rows(out))
    whole = tmp_path / "whole.jsonl"
    run_campaign(built_services, CampaignSpec(product_id=PRODUCT, segment="age>=60"), whole, workers=1)
    assert sorted(keys) == sorted(_keys(_rows(whole)))


def test_cli_bad_segment_exits_2_naming_the_position(use_built_services: Services, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["campaign", "--product", PRODUCT, "--segment", "age>=abc", "--out", str(tmp_path / "x.jsonl")]
    )
    assert result.exit_code == 2
    assert "第 6 个字符" in result.output
    assert not (tmp_path / "x.jsonl").exists()


def _line_count(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def test_killed_runs_resume_to_exactly_the_clean_key_set(
    built_services: Services, clean_run: tuple[Path, dict], tmp_path: Path
) -> None:
    clean_out, _ = clean_run
    out = tmp_path / "killed.jsonl"
    env = {**os.environ, "RM_COPILOT_HOME": str(built_services.settings.resolved_home)}
    command = [
        sys.executable, "-c", "from rm_copilot.cli import main; main()", "campaign", "--product", PRODUCT,
        "--segment", "all", "--variants", "2", "--limit", "60", "--channel", "wecom", "--workers", "1",
        "--out", str(out),
    ]
    rng = random.Random(7)
    kills = 0
    for attempt in range(4):
        args = command + (["--resume"] if attempt else [])
        process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        target = _line_count(out) + rng.randint(3, 30)
        deadline = time.monotonic() + 120
        while process.poll() is None and _line_count(out) < target and time.monotonic() < deadline:
            time.sleep(0.01)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait(timeout=30)
    final = subprocess.run(command + ["--resume"], env=env, capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr
    assert kills >= 2, "the test must actually interrupt runs"
    rows = _rows(out)  # every line parses: no torn line survived
    assert len(_keys(rows)) == len(set(_keys(rows)))
    assert sorted(_keys(rows)) == sorted(_keys(_rows(clean_out)))
