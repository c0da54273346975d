"""Traps a new user met: the home depends on the folder, generated ids collide, unknown need keys, log noise."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from factories import customer_row, write_jsonl
from rm_copilot.cli import app
from rm_copilot.config import PROJECT_ROOT, Settings


def _invoke(*args: str):
    return CliRunner().invoke(app, list(args))


@pytest.mark.parametrize("folder", ["project root", "elsewhere"])
def test_the_default_home_is_the_checkouts_whatever_the_working_folder(folder, tmp_path, monkeypatch):
    monkeypatch.delenv("RM_COPILOT_HOME", raising=False)
    monkeypatch.chdir(PROJECT_ROOT if folder == "project root" else tmp_path)
    assert Settings().resolved_home == PROJECT_ROOT / ".rm-copilot"


def test_generate_out_numbers_after_the_highest_existing_customer(tmp_path: Path):
    assert _invoke("customers", "generate", "--count", "3", "--seed", "1").exit_code == 0
    out = tmp_path / "more.jsonl"
    result = _invoke("customers", "generate", "--count", "2", "--seed", "2", "--out", str(out))
    assert result.exit_code == 0, result.output
    existing = json.loads(_invoke("customers", "list", "--json").output)
    highest = max(int(row["id"][1:]) for row in existing)
    written = [json.loads(line)["id"] for line in out.read_text("utf-8").splitlines()]
    assert [int(cid[1:]) for cid in written] == [highest + 1, highest + 2]


def test_an_unknown_need_key_is_rejected_naming_the_line(tmp_path: Path):
    rows = [customer_row(id="C90001"),
            customer_row(id="C90002", tags=[{"layer": "need", "key": "educaton", "value": "是"}])]
    result = _invoke("customers", "import", str(write_jsonl(tmp_path / "c.jsonl", rows)))
    assert result.exit_code == 2
    assert "第 2 行" in result.output and "educaton" in result.output
    assert "C90001" not in _invoke("customers", "list", "--json").output  # rejected whole


def test_a_known_need_key_is_accepted(tmp_path: Path):
    rows = [customer_row(id="C90003", tags=[{"layer": "need", "key": "education", "value": "是"}])]
    assert _invoke("customers", "import", str(write_jsonl(tmp_path / "c.jsonl", rows))).exit_code == 0


def test_library_debug_lines_never_reach_the_cli_stderr(tmp_path: Path):
    script = (
        "from rm_copilot.logging_setup import configure_logging\n"
        "configure_logging()\n"
        "from rm_copilot.knowledge.lexical import _bm25\n"
        "_bm25([['存款', '保险'], ['理财']], 1.2, 0.75)\n"
    )
    env = {**os.environ, "RM_COPILOT_HOME": str(tmp_path / "home")}
    env.pop("RM_COPILOT_LOG_LEVEL", None)
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "DEBUG" not in result.stderr and "bm25s" not in result.stderr


@pytest.mark.parametrize("args", [
    ["customers", "list", "--limit", str(10**24)],
    ["customers", "generate", "--count", "1", "--start", str(10**20), "--out", "x.jsonl"],
    ["script", "--customer", "C00001", "--variants", "99"],
    ["eval", "retrieval", "--k", "1000"],
    ["campaign", "--product", "WM002", "--segment", "all", "--limit", str(10**24), "--out", "x.jsonl"],
])
def test_numbers_out_of_range_on_the_cli_exit_2_before_any_work(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = _invoke(*args)
    assert result.exit_code == 2, result.output
    assert not (tmp_path / "x.jsonl").exists()
