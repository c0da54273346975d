"""Answer-level evaluation: does the last answer of each item state the required facts?

An item (one JSONL line) is `{id, turns: [..], customer_id?, must_contain: [[alt, …], …],
must_not_contain: [..], kind}`. Its turns run in one fresh session; the last answer must contain one
alternative of every inner list and none of `must_not_contain`. `cited_fact_rate` is the share of
required facts found in an answer that also appear in one of the chunks that answer cites.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from rm_copilot.errors import BadInput


class Chat(Protocol):
    def chat(self, advisor_id: str | None, message: str, customer_id: str | None = None,
             session_id: str | None = None) -> Any: ...


@dataclass(frozen=True)
class AnswerItem:
    id: str
    turns: tuple[str, ...]
    must_contain: tuple[tuple[str, ...], ...]
    must_not_contain: tuple[str, ...] = ()
    kind: str = "fact"
    customer_id: str | None = None


@dataclass
class ItemResult:
    item: AnswerItem
    answer: str
    missing: list[tuple[str, ...]] = field(default_factory=list)
    forbidden: list[str] = field(default_factory=list)
    found: int = 0
    cited: int = 0

    @property
    def correct(self) -> bool:
        return not self.missing and not self.forbidden


def load_answer_items(path: Path) -> list[AnswerItem]:
    path = Path(path)
    if not path.is_file():
        raise BadInput(f"评测集文件不存在：{path}")
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            items.append(_parse_item(line, number))
    if not items:
        raise BadInput(f"评测集为空：{path}")
    return items


def _parse_item(line: str, number: int) -> AnswerItem:
    try:
        row = json.loads(line)
        turns = tuple(str(t) for t in row["turns"])
        required = tuple(tuple(str(a) for a in ([alts] if isinstance(alts, str) else alts))
                         for alts in row.get("must_contain", []))
        if not turns or not all(t.strip() for t in turns) or any(not alts for alts in required):
            raise ValueError
        return AnswerItem(
            id=str(row.get("id") or number), turns=turns, must_contain=required,
            must_not_contain=tuple(str(s) for s in row.get("must_not_contain", [])),
            kind=str(row.get("kind") or "fact"), customer_id=row.get("customer_id") or None,
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        raise BadInput(f"评测集第 {number} 行格式错误：需要 {{\"id\", \"turns\": [...], \"must_contain\": [[...]], "
                       f"\"kind\"}}") from None


def judge(item: AnswerItem, answer: str, cited_texts: Iterable[str]) -> ItemResult:
    """Score one final answer against its item (case-insensitive, spaces ignored)."""
    said = _plain(answer)
    sources = [_plain(text) for text in cited_texts]
    result = ItemResult(item, answer)
    for alternatives in item.must_contain:
        hit = next((alt for alt in alternatives if _plain(alt) in said), None)
        if hit is None:
            result.missing.append(alternatives)
            continue
        result.found += 1
        if any(_plain(hit) in source for source in sources):
            result.cited += 1
    result.forbidden = [s for s in item.must_not_contain if _plain(s) in said]
    return result


def run_item(copilot: Chat, item: AnswerItem, chunk_text: Callable[[str], str]) -> ItemResult:
    session_id = None
    answer = None
    for turn in item.turns:
        answer = copilot.chat(None, turn, customer_id=item.customer_id, session_id=session_id)
        session_id = answer.session_id
    assert answer is not None, "an evaluation item has at least one turn"
    cited = [chunk_text(c["chunk_id"]) for c in answer.citations]
    return judge(item, answer.answer, cited)


def evaluate_answers(copilot: Chat, items: list[AnswerItem], chunk_text: Callable[[str], str]) -> dict[str, Any]:
    return summarize([run_item(copilot, item, chunk_text) for item in items])


def summarize(results: list[ItemResult]) -> dict[str, Any]:
    by_kind: dict[str, list[ItemResult]] = {}
    for result in results:
        by_kind.setdefault(result.item.kind, []).append(result)
    found = sum(r.found for r in results)
    return {
        "accuracy": _share(sum(r.correct for r in results), len(results)),
        "by_kind": {kind: {"n": len(rows), "accuracy": _share(sum(r.correct for r in rows), len(rows))}
                    for kind, rows in sorted(by_kind.items())},
        "cited_fact_rate": _share(sum(r.cited for r in results), found),
        "n": len(results),
    }


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _plain(text: str) -> str:
    return "".join(text.split()).lower()
