import json
from pathlib import Path

import pytest

from rm_copilot.errors import BadInput
from rm_copilot.knowledge.chunker import Chunk
from rm_copilot.knowledge.evaluation import EvalQuestion, evaluate, load_dataset
from rm_copilot.knowledge.retriever import Hit


def _hit(doc_id: str, product_id: str | None = None) -> Hit:
    chunk = Chunk(f"{doc_id}#0", doc_id, product_id, "faq", doc_id, "", "text", "h", {})
    return Hit(chunk, 1.0, {})


class ScriptedRetriever:
    """Returns a fixed ranking per (question, mode)."""

    def __init__(self, answers: dict[tuple[str, str], list[Hit]]):
        self.answers = answers

    def search(self, query: str, *, k: int = 5, mode: str = "hybrid") -> list[Hit]:
        return self.answers.get((query, mode), [])[:k]


def test_recall_and_mrr_per_mode():
    dataset = [
        EvalQuestion("q1", frozenset({"WM001"})),
        EvalQuestion("q2", frozenset({"faq/a"})),
    ]
    retriever = ScriptedRetriever({
        ("q1", "hybrid"): [_hit("products/wealth/WM001", "WM001")],  # rank 1 by product id
        ("q2", "hybrid"): [_hit("faq/b"), _hit("faq/a")],  # rank 2 by doc id
        ("q1", "dense"): [_hit("faq/x")] * 5 + [_hit("products/wealth/WM001", "WM001")],  # rank 6: outside k
    })
    result = evaluate(retriever, dataset, k=5)
    assert result["hybrid"] == {"recall@1": 0.5, "recall@5": 1.0, "mrr": 0.75, "n": 2}
    assert result["dense"] == {"recall@1": 0.0, "recall@5": 0.0, "mrr": 0.0, "n": 2}
    assert set(result) == {"hybrid", "dense", "bm25"}


def test_recall_at_k_key_follows_k():
    dataset = [EvalQuestion("q", frozenset({"faq/a"}))]
    result = evaluate(ScriptedRetriever({("q", "bm25"): [_hit("faq/a")]}), dataset, k=3)
    assert result["bm25"]["recall@3"] == 1.0


@pytest.mark.parametrize(
    "content, message",
    [
        ('{"question": "大存起购", "relevant": "DP002"}\n', "第 1 行"),  # relevant not a list
        ('\n{"question": "", "relevant": ["DP002"]}\n', "第 2 行"),  # empty question
        ("not json\n", "第 1 行"),
        ("\n\n", "为空"),
    ],
)
def test_bad_dataset_lines_are_named(tmp_path: Path, content, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BadInput, match=message):
        load_dataset(path)


def test_shipped_dataset_is_large_and_well_formed():
    from rm_copilot.config import PROJECT_ROOT

    questions = load_dataset(PROJECT_ROOT / "knowledge_base" / "eval" / "questions.jsonl")
    assert len(questions) >= 160
    assert len({q.question for q in questions}) == len(questions)
    rows = (PROJECT_ROOT / "knowledge_base" / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    assert all(json.loads(row)["relevant"] for row in rows if row.strip())
