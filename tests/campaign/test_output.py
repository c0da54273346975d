"""Campaign output: torn tails are cut, completed keys are found, parameters guard a resume."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from rm_copilot.campaigns.output import RowWriter, prepare_output, scan_completed
from rm_copilot.errors import CampaignError

PARAMS = {"product_id": "WM001", "segment": "all", "variants": 1, "channel": "wecom"}


def _row(customer: str, variant: int = 0) -> dict:
    return {"customer_id": customer, "product_id": "WM001", "variant": variant, "text": "您好"}


def test_scan_cuts_a_torn_last_line_and_keeps_complete_ones(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    complete = "".join(json.dumps(_row(c)) + "\n" for c in ("C00001", "C00002"))
    out.write_text(complete + '{"customer_id": "C00003", "vari', encoding="utf-8")

    state = scan_completed(out)

    assert state.done == {("C00001", 0), ("C00002", 0)}
    assert state.truncated_bytes > 0
    assert out.read_text(encoding="utf-8") == complete


def test_scan_stops_at_a_corrupt_line(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text(json.dumps(_row("C00001")) + "\nnot json\n" + json.dumps(_row("C00002")) + "\n")

    assert scan_completed(out).done == {("C00001", 0)}
    assert out.read_text().count("\n") == 1


def test_fresh_run_refuses_to_overwrite_existing_output(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text(json.dumps(_row("C00001")) + "\n")

    with pytest.raises(CampaignError, match="--resume"):
        prepare_output(out, PARAMS, resume=False)
    assert out.read_text().count("\n") == 1


def test_resume_with_other_parameters_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    prepare_output(out, PARAMS, resume=False)
    with RowWriter(out) as writer:
        writer.write(_row("C00001"))

    with pytest.raises(CampaignError, match="product_id"):
        prepare_output(out, {**PARAMS, "product_id": "FD001"}, resume=True)


def test_resume_returns_done_keys_and_appends_after_them(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    prepare_output(out, PARAMS, resume=False)
    with RowWriter(out) as writer:
        writer.write_all([_row("C00001", 0), _row("C00001", 1)])

    state = prepare_output(out, PARAMS, resume=True)
    with RowWriter(out) as writer:
        writer.write(_row("C00002"))

    assert state.done == {("C00001", 0), ("C00001", 1)}
    assert [json.loads(line)["customer_id"] for line in out.read_text().splitlines()] == ["C00001", "C00001", "C00002"]


def test_rows_are_written_as_utf8_chinese(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    with RowWriter(out) as writer:
        writer.write(_row("C00001"))
    assert "您好" in out.read_text(encoding="utf-8")
