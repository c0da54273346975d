"""`eval compliance`: dataset formats, counting rules, the CLI's JSON shape and exit codes."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from rm_copilot.cli import app
from rm_copilot.compliance.audit import AuditRecord, SqlAuditSink
from rm_copilot.compliance.evaluation import LabelledLine, caught, evaluate, load_dataset, masked
from rm_copilot.compliance.models import CheckResult, Finding
from rm_copilot.db import create_schema, make_engine, make_session_factory
from rm_copilot.errors import BadInput
from rm_copilot.services import get_services

runner = CliRunner()


@pytest.fixture
def rules_only(monkeypatch):
    """The CLI contract on the rules-only gate; the meaning layer has its own tests."""
    from rm_copilot.config import get_settings

    monkeypatch.setenv("RM_COPILOT_COMPLIANCE_SEMANTIC", "false")
    get_settings.cache_clear()


JSON_KEYS = {"recall", "false_alarm_rate", "pii_masked", "by_category", "n"}


def _finding(category: str, severity: str, start: int = 0, end: int = 1) -> Finding:
    return Finding(f"{category}.x", category, severity, start, end, "", "m", "s")


class ScriptedCheck:
    """A hand-written fake engine: each text's result is given up front."""

    def __init__(self, results: dict[str, CheckResult]):
        self.results = results
        self.seen: list[tuple[str, str | None]] = []

    def __call__(self, text: str, product_type: str | None) -> CheckResult:
        self.seen.append((text, product_type))
        return self.results[text]


def test_counts_recall_false_alarms_and_masking_per_rule():
    lines = [
        LabelledLine("bad", "guarantee", "b1"), LabelledLine("bad", "guarantee", "b2"),
        LabelledLine("bad", "pressure", "b3"), LabelledLine("bad", "pressure", "b4"),
        LabelledLine("good", "general", "g1"), LabelledLine("good", "general", "g2"),
        LabelledLine("pii", "pii", "电话13812345678"),
    ]
    check = ScriptedCheck({
        "b1": CheckResult("block", "b1", [_finding("guarantee", "block")]),
        "b2": CheckResult("pass", "b2", [_finding("guarantee", "warn")]),  # review band of its own family
        "b3": CheckResult("pass", "b3", [_finding("guarantee", "warn")]),  # a warn of another family
        "b4": CheckResult("rewrite", "b4", [_finding("absolute", "rewrite")]),
        "g1": CheckResult("pass", "g1", [_finding("guarantee", "warn")]),   # a warn is no false alarm
        "g2": CheckResult("rewrite", "g2x", [_finding("absolute", "rewrite")]),
        "电话13812345678": CheckResult("rewrite", "电话138****5678", [_finding("pii", "rewrite", 2, 13)]),
    })
    results = evaluate(check, lines)
    assert set(results) == JSON_KEYS
    assert results["recall"] == 0.75 and results["false_alarm_rate"] == 0.5 and results["pii_masked"] == 1.0
    assert results["by_category"] == {"guarantee": {"n": 2, "recall": 1.0}, "pressure": {"n": 2, "recall": 0.5}}
    assert results["n"] == {"bad": 4, "good": 2, "pii": 1}


@pytest.mark.parametrize(("text", "result", "expected"), [
    ("电话13812345678", CheckResult("rewrite", "电话138****5678", [_finding("pii", "rewrite", 2, 13)]), True),
    ("电话86-138-1234-5678", CheckResult("rewrite", "电话86-138****5678", [_finding("pii", "rewrite", 5, 18)]), True),
    ("卡号6222021234567890128和电话13812345678",
     CheckResult("rewrite", "卡号6222 **** **** 0128和电话13812345678", [_finding("pii", "rewrite", 2, 21)]), False),
    ("电话13812345678", CheckResult("pass", "电话13812345678", []), False),
    ("周建国先生来了", CheckResult("rewrite", "周**先生来了", [_finding("pii", "rewrite", 0, 3)]), True),
    ("周建国先生来了", CheckResult("pass", "周建国先生来了", []), False),
])
def test_a_pii_line_is_masked_only_when_every_long_number_is_covered(text, result, expected):
    assert masked(text, result) is expected


def test_caught_counts_block_rewrite_and_only_same_family_warns():
    line = LabelledLine("bad", "misleading", "x")
    assert caught(line, CheckResult("block", "x", [_finding("pii", "block")]))
    assert caught(line, CheckResult("pass", "x", [_finding("misleading", "warn")]))
    assert not caught(line, CheckResult("pass", "x", [_finding("guarantee", "warn")]))


def test_loads_the_design_tsv_and_the_regression_corpus(tmp_path):
    design = tmp_path / "set.tsv"
    design.write_text("label\tcategory\ttext\n# a comment\nbad\tguarantee\t保本\n\ngood\tgeneral\t您好\npii\tpii\t电话13812345678\n",
                      encoding="utf-8")
    assert [(line.label, line.category, line.text) for line in load_dataset(design)] == [
        ("bad", "guarantee", "保本"), ("good", "general", "您好"), ("pii", "pii", "电话13812345678")]
    corpus = tmp_path / "corpus.tsv"
    corpus.write_text("expected\tcategory\tproduct_type\tsentence\tcomment\nblock\tguarantee\t\t保本\t\n"
                      "pass\tgeneral\twealth\t您好\t\nrewrite\tpii\t\t电话13812345678\t\n", encoding="utf-8")
    assert [(line.label, line.product_type) for line in load_dataset(corpus)] == [
        ("bad", None), ("good", "wealth"), ("pii", None)]


@pytest.mark.parametrize(("content", "message"), [
    ("maybe\tguarantee\t保本\n", "未知标签"),
    ("bad\tguarantee\n", "三列"),
    ("# only a comment\n", "没有任何标注行"),
])
def test_malformed_dataset_is_bad_input_naming_the_problem(tmp_path, content, message):
    path = tmp_path / "bad.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BadInput, match=message):
        load_dataset(path)


def test_cli_json_shape_and_exit_0(tmp_path, rules_only):
    path = tmp_path / "set.tsv"
    path.write_text("bad\tguarantee\t这款理财保本保息\ngood\tgeneral\t本产品不保本，可能损失本金。\n"
                    "pii\tpii\t客户电话13812345678\n", encoding="utf-8")
    result = runner.invoke(app, ["eval", "compliance", "--dataset", str(path), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert set(payload) == JSON_KEYS
    assert payload["n"] == {"bad": 1, "good": 1, "pii": 1}
    assert payload["by_category"] == {"guarantee": {"n": 1, "recall": 1.0}}
    assert (payload["recall"], payload["false_alarm_rate"], payload["pii_masked"]) == (1.0, 0.0, 1.0)
    with get_services().session_factory() as session:  # evaluation leaves no audit trail
        assert session.scalar(select(func.count()).select_from(AuditRecord)) == 0


def test_cli_table_output(tmp_path, rules_only):
    path = tmp_path / "set.tsv"
    path.write_text("bad\tguarantee\t这款理财保本保息\n", encoding="utf-8")
    result = runner.invoke(app, ["eval", "compliance", "--dataset", str(path)])
    assert result.exit_code == 0
    assert "召回率" in result.stdout and "误报率" in result.stdout and "100.0%" in result.stdout


@pytest.mark.parametrize("content", [None, b"\xff\xfe\x00bad", "maybe\tx\ty\n"])
def test_cli_bad_dataset_exits_2_with_a_chinese_message(tmp_path, content, rules_only):
    path = tmp_path / "set.tsv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    result = runner.invoke(app, ["eval", "compliance", "--dataset", str(path), "--json"])
    assert result.exit_code == 2
    assert result.stderr.startswith("错误：") and "Traceback" not in result.output


def test_audit_batch_keeps_entries_already_added_when_the_run_fails(tmp_path):
    db = make_engine(f"sqlite:///{tmp_path / 'audit.db'}")
    create_schema(db)
    factory = make_session_factory(db)
    sink = SqlAuditSink(factory)
    result = CheckResult("pass", "您好", [], "v1")
    with pytest.raises(RuntimeError):
        with sink.batch(size=2) as batch:
            for _ in range(3):
                batch.add(result, source="cli", original_text="您好")
            raise RuntimeError("crash after three lines")
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(AuditRecord)) == 3
