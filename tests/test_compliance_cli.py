"""`rm-copilot check`: JSON contract, exit codes 0/1/2, stdin, --file JSONL, --customer, audit."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from factories import customer_row, write_jsonl
from rm_copilot.cli import app
from rm_copilot.compliance.audit import AuditRecord
from rm_copilot.services import get_services

runner = CliRunner()


def run(*args: str, input: bytes | str | None = None):
    return runner.invoke(app, ["check", *args], input=input)


def test_json_output_follows_design_and_exit_1_on_block():
    result = run("这款理财保本保息", "--json")
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert set(payload) == {"verdict", "text", "findings", "rulebook_version"}
    assert payload["verdict"] == "block"
    finding = payload["findings"][0]
    assert (finding["rule_id"], finding["start"], finding["end"], finding["matched"]) == ("guarantee.principal", 4, 8, "保本保息")


def test_pass_exits_0_and_rewrite_exits_1():
    assert run("本产品不保本", "--json").exit_code == 0
    rewritten = run("预期收益率4%", "--product-type", "wealth", "--json")
    assert rewritten.exit_code == 1
    assert json.loads(rewritten.stdout)["text"] == "业绩比较基准4%。理财非存款、产品有风险、投资须谨慎。"


def test_human_output_is_a_table_of_findings():
    result = run("保本保息")
    assert result.exit_code == 1
    assert "拦截" in result.stdout and "guarantee.principal" in result.stdout


def test_text_from_stdin():
    result = run("-", "--json", input="最低起购金额1万元\n".encode())
    assert result.exit_code == 0
    assert json.loads(result.stdout)["text"] == "最低起购金额1万元"


@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (("-",), b"\xff\xfe\x00bad", "UTF-8"),  # non-UTF-8 stdin
        (("-",), b"  \n", "为空"),  # empty stdin
        (("",), None, "为空"),  # empty argument
        ((), None, "请给出待检查的文本"),  # nothing at all
        (("您好", "--product-type", "stock"), None, "未知的产品类型"),
        (("您好", "--channel", "fax"), None, "未知的渠道"),
        (("--file", "/nonexistent/file.txt"), None, "找不到文件"),
    ],
)
def test_bad_input_exits_2_with_a_chinese_message(args, stdin, message):
    result = run(*args, input=stdin)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_file_mode_checks_each_non_empty_line_in_order(tmp_path):
    path = tmp_path / "scripts.txt"
    path.write_text("本产品不保本\n\n保本保息\n客户手机13812345678\n", encoding="utf-8")
    result = run("--file", str(path), "--json")
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["verdict"] for line in lines] == ["pass", "block", "rewrite"]
    assert lines[2]["text"] == "客户手机138****5678"


def test_file_mode_all_pass_exits_0_and_rejects_non_utf8(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("您好\n最近市场波动较大\n", encoding="utf-8")
    assert run("--file", str(good)).exit_code == 0
    bad = tmp_path / "bad.txt"
    bad.write_bytes("保本".encode("gbk"))
    result = run("--file", str(bad))
    assert result.exit_code == 2 and "UTF-8" in result.stderr


def test_file_from_stdin():
    result = run("--file", "-", "--json", input="您好\n保本保息\n".encode())
    assert result.exit_code == 1
    assert [json.loads(line)["verdict"] for line in result.stdout.splitlines()] == ["pass", "block"]


def test_every_verdict_is_audited_without_raw_text():
    run("保本保息，电话13812345678", "--json")
    with get_services().session_factory() as session:
        records = session.scalars(select(AuditRecord)).all()
    assert [(r.source, r.verdict) for r in records] == [("cli", "block")]
    assert "13812345678" not in records[0].rule_ids


def test_customer_context_masks_the_name_and_checks_suitability(tmp_path):
    repo = get_services().customers
    repo.ensure_demo_advisors()
    repo.import_file(write_jsonl(tmp_path / "c.jsonl", [customer_row(id="C90001", full_name="张建国", risk_level="C2")]))
    result = run("张建国您好，推荐星河全球科技股票(QDII)人民币A", "--customer", "C90001", "--json")
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["verdict"] == "block"
    assert payload["text"].startswith("张**您好")
    assert {f["rule_id"] for f in payload["findings"]} == {"pii.name", "suitability.above_risk_level"}
    assert "张建国" not in result.stdout


def test_unknown_customer_exits_2():
    result = run("您好", "--customer", "C99999")
    assert result.exit_code == 2
    assert "错误" in result.stderr


def test_file_mode_audits_every_line_in_batches_with_hashes_only(tmp_path, monkeypatch):
    import rm_copilot.channels.cli.check as check_command

    monkeypatch.setattr(check_command, "AUDIT_BATCH", 2)  # 5 lines: batches of 2, 2, and 1 on exit
    lines = ["这款理财保本保息", "本产品不保本", "预期收益率4%", "周建国先生您好", "祝您生活愉快"]
    path = tmp_path / "copy.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = run("--file", str(path), "--json")
    assert result.exit_code == 1
    outputs = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["verdict"] for o in outputs] == ["block", "pass", "rewrite", "rewrite", "pass"]
    assert outputs[3]["text"] == "周**先生您好"
    with get_services().session_factory() as session:
        records = session.scalars(select(AuditRecord).order_by(AuditRecord.id)).all()
    assert [r.verdict for r in records] == ["block", "pass", "rewrite", "rewrite", "pass"]
    assert {r.source for r in records} == {"cli"}
    assert all("周建国" not in r.text_sha256 and len(r.text_sha256) == 64 for r in records)


def test_file_mode_failing_half_way_keeps_the_audit_of_the_chunks_checked_before(tmp_path, monkeypatch):
    import rm_copilot.channels.cli.check as check_command

    monkeypatch.setattr(check_command, "AUDIT_BATCH", 2)  # chunks of 2: the third chunk fails
    engine = get_services().gate.engine
    real_check = engine.check

    def failing(text, **options):
        if text == "第五行出错":
            raise RuntimeError("engine failed")
        return real_check(text, **options)

    monkeypatch.setattr(engine, "check", failing)
    path = tmp_path / "copy.txt"
    path.write_text("\n".join(["这款理财保本保息", "本产品不保本", "预期收益率4%", "祝您生活愉快", "第五行出错"]), encoding="utf-8")
    with get_services().session_factory() as session:
        before = len(session.scalars(select(AuditRecord)).all())
    result = run("--file", str(path), "--json")
    assert isinstance(result.exception, RuntimeError)
    assert [json.loads(line)["verdict"] for line in result.stdout.splitlines()] == ["block", "pass", "rewrite", "pass"]
    with get_services().session_factory() as session:
        records = session.scalars(select(AuditRecord).order_by(AuditRecord.id)).all()[before:]
    assert [r.verdict for r in records] == ["block", "pass", "rewrite", "pass"]
