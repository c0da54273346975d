"""`rm-copilot eval answers`: items, judging, the per-kind summary and the command line."""
from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from rm_copilot.assistant.evaluation import AnswerItem, evaluate_answers, judge, load_answer_items, summarize
from rm_copilot.cli import app
from rm_copilot.errors import BadInput


def item(**fields) -> AnswerItem:
    base = {"id": "x", "turns": ("问题？",), "must_contain": (("50万",),), "kind": "fact"}
    return AnswerItem(**{**base, **fields})


@pytest.mark.parametrize("answer, correct", [
    ("存款保险最高赔付50万元[1]。", True),
    ("存款保险最高赔付 50 万元。", True),
    ("存款保险最高赔付20万元。", False),
])
def test_a_required_fact_must_appear(answer, correct):
    assert judge(item(), answer, []).correct is correct


def test_one_alternative_per_fact_and_no_forbidden_string():
    wanted = item(must_contain=(("5万", "50000"), ("T+1",)), must_not_contain=("保本",))
    assert judge(wanted, "起存50000元，T+1到账", []).correct
    assert not judge(wanted, "起存50000元，T+1到账，保本", []).correct
    assert judge(wanted, "起存5万元", []).missing == [("T+1",)]


def test_cited_fact_rate_counts_facts_found_in_a_cited_chunk():
    results = [judge(item(must_contain=(("50万",), ("存款保险",))), "存款保险赔付50万", ["赔付上限50万元"])]
    assert summarize(results)["cited_fact_rate"] == 0.5


def test_each_item_runs_its_turns_in_one_fresh_session():
    calls = []

    class Copilot:
        def chat(self, advisor_id, message, customer_id=None, session_id=None):
            calls.append((message, customer_id, session_id))
            return SimpleNamespace(session_id=f"s{len(calls)}", answer=f"答{message}", citations=[])

    items = [item(id="a", turns=("一？", "二？"), must_contain=(("答二",),), kind="followup", customer_id="C1"),
             item(id="b", turns=("三？",), must_contain=(("答四",),), kind="fact")]
    summary = evaluate_answers(Copilot(), items, lambda chunk_id: "")
    assert calls == [("一？", "C1", None), ("二？", "C1", "s1"), ("三？", None, None)]
    assert summary["by_kind"] == {"fact": {"n": 1, "accuracy": 0.0}, "followup": {"n": 1, "accuracy": 1.0}}
    assert summary["accuracy"] == 0.5 and summary["n"] == 2


@pytest.mark.parametrize("line", ['{"turns": []}', '{"turns": ["问？"], "must_contain": [[]]}', "不是JSON"])
def test_a_malformed_line_is_a_clear_error(tmp_path, line):
    path = tmp_path / "bad.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(BadInput, match="第 1 行"):
        load_answer_items(path)


def test_the_command_rejects_a_missing_dataset_in_chinese(tmp_path):
    result = CliRunner().invoke(app, ["eval", "answers", "--dataset", str(tmp_path / "none.jsonl")])
    assert result.exit_code == 2 and "评测集文件不存在" in result.output


@pytest.mark.slow
def test_the_command_prints_the_summary_as_json(use_built_services, tmp_path):
    path = tmp_path / "answers.jsonl"
    rows = [{"id": "f1", "turns": ["七天通知存款起存金额是多少？"], "must_contain": [["5万", "50000"]], "kind": "fact"},
            {"id": "o1", "turns": ["这届世界杯谁会夺冠？"], "must_contain": [["没有找到"]], "kind": "out_of_scope"}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "answers", "--dataset", str(path), "--json"])
    summary = json.loads(result.output)
    assert result.exit_code == 0 and summary["n"] == 2
    assert set(summary) == {"accuracy", "by_kind", "cited_fact_rate", "n"} and summary["accuracy"] == 1.0
