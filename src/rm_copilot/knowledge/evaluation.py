"""Retrieval evaluation: recall@1, recall@k and MRR for each retrieval mode over a JSONL dataset."""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from rm_copilot.errors import BadInput
from rm_copilot.knowledge.retriever import MODES, Hit, Mode


class Searcher(Protocol):
    def search(self, query: str, *, k: int = 5, mode: Mode = "hybrid") -> list[Hit]: ...


@dataclass(frozen=True)
class EvalQuestion:
    question: str
    relevant: frozenset[str]


def load_dataset(path: Path) -> list[EvalQuestion]:
    path = Path(path)
    if not path.is_file():
        raise BadInput(f"评测集文件不存在：{path}")
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            question, relevant = str(row["question"]).strip(), row["relevant"]
            if not question or not isinstance(relevant, list) or not relevant:
                raise ValueError
        except (ValueError, KeyError, TypeError):
            raise BadInput(f"评测集第 {number} 行格式错误：需要 {{\"question\": …, \"relevant\": [...]}}") from None
        questions.append(EvalQuestion(question, frozenset(map(str, relevant))))
    if not questions:
        raise BadInput(f"评测集为空：{path}")
    return questions


def is_relevant(hit: Hit, relevant: frozenset[str]) -> bool:
    return hit.chunk.doc_id in relevant or (hit.chunk.product_id is not None and hit.chunk.product_id in relevant)


def first_relevant_rank(hits: list[Hit], relevant: frozenset[str]) -> int | None:
    for rank, hit in enumerate(hits, start=1):
        if is_relevant(hit, relevant):
            return rank
    return None


def evaluate_mode(retriever: Searcher, dataset: Iterable[EvalQuestion], *, k: int, mode: Mode) -> dict[str, float]:
    ranks = [first_relevant_rank(retriever.search(q.question, k=k, mode=mode), q.relevant) for q in dataset]
    n = len(ranks)
    at_1 = sum(1 for r in ranks if r == 1)
    at_k = sum(1 for r in ranks if r is not None and r <= k)
    mrr = sum(1.0 / r for r in ranks if r is not None)
    return {"recall@1": round(at_1 / n, 4), f"recall@{k}": round(at_k / n, 4), "mrr": round(mrr / n, 4), "n": n}


def evaluate(retriever: Searcher, dataset: list[EvalQuestion] | Path, k: int = 5,
             modes: tuple[Mode, ...] = MODES) -> dict[str, dict[str, float]]:
    """`{"hybrid": {"recall@1", "recall@k", "mrr", "n"}, "dense": …, "bm25": …}` as in DESIGN.md.

    `dataset` is a list of questions or the path of a JSONL file.
    """
    if isinstance(dataset, (str, Path)):
        dataset = load_dataset(Path(dataset))
    if k < 1:
        raise BadInput("k 必须是正整数")
    return {mode: evaluate_mode(retriever, dataset, k=k, mode=mode) for mode in modes}


def misses(retriever: Searcher, dataset: list[EvalQuestion], *, k: int, mode: Mode) -> list[tuple[EvalQuestion, list[Hit]]]:
    """Questions without a relevant hit in the top k, with what came back instead (for tuning)."""
    result = []
    for question in dataset:
        hits = retriever.search(question.question, k=k, mode=mode)
        if first_relevant_rank(hits, question.relevant) is None:
            result.append((question, hits))
    return result
