"""An extractive answer: the retrieved sentences that best cover the question, with citations.

No generation: every sentence is quoted from the knowledge base and tagged `[n]` with its source.
The assistant package replaces this with grounded composition; the citation shape stays.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from rm_copilot.knowledge.retriever import Hit
from rm_copilot.knowledge.tokenizer import Lexicon

NOT_FOUND = "知识库中没有找到相关内容。"
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
_MIN_SENTENCE = 6
_QUESTION_HEADINGS = frozenset({"问题", "客户问题", "常见问题"})


@dataclass(frozen=True)
class Citation:
    source: str
    title: str
    product_id: str | None
    chunk_id: str

    def to_dict(self) -> dict:
        return {"source": self.source, "title": self.title, "product_id": self.product_id, "chunk_id": self.chunk_id}


@dataclass(frozen=True)
class ExtractiveAnswer:
    text: str
    citations: list[Citation]


def extractive_answer(question: str, hits: list[Hit], lexicon: Lexicon, *, max_sentences: int = 3) -> ExtractiveAnswer:
    if not hits:
        return ExtractiveAnswer(NOT_FOUND, [])
    wanted = _terms(question, lexicon)
    candidates: list[tuple[float, int, int, str]] = []
    for hit_rank, hit in enumerate(hits):
        if hit.chunk.heading in _QUESTION_HEADINGS:
            continue
        body = hit.chunk.text.split("\n", 1)[1] if "\n" in hit.chunk.text else hit.chunk.text
        for position, sentence in enumerate(_sentences(body)):
            overlap = len(wanted & _terms(sentence, lexicon)) / max(1, len(wanted))
            score = overlap + 0.3 / (1 + hit_rank) - 0.01 * position
            candidates.append((score, hit_rank, position, sentence))
    if not candidates:
        return ExtractiveAnswer(NOT_FOUND, [])
    chosen = sorted(candidates, key=lambda c: -c[0])[:max_sentences]
    chosen.sort(key=lambda c: (c[1], c[2]))
    citations: list[Citation] = []
    numbers: dict[str, int] = {}
    parts = []
    for _, hit_rank, _, sentence in chosen:
        chunk = hits[hit_rank].chunk
        if chunk.chunk_id not in numbers:
            citations.append(Citation(chunk.doc_id, chunk.title, chunk.product_id, chunk.chunk_id))
            numbers[chunk.chunk_id] = len(citations)
        parts.append(f"{_with_stop(sentence)}[{numbers[chunk.chunk_id]}]")
    return ExtractiveAnswer("".join(parts), citations)


def _terms(text: str, lexicon: Lexicon) -> set[str]:
    tokens = lexicon.tokens(text)
    return set(tokens.words) | set(tokens.bigrams)


def _sentences(body: str) -> list[str]:
    result = []
    for match in _SENTENCE.finditer(body):
        sentence = re.sub(r"^\s*(?:[-*]|\d+[.、)])\s*", "", match.group(0)).strip()
        sentence = sentence.replace("**", "")
        if len(sentence) >= _MIN_SENTENCE and not sentence.startswith("#") and sentence[-1] not in "？?":
            result.append(sentence)
    return result


def _with_stop(sentence: str) -> str:
    return sentence if sentence[-1] in "。！？!?" else f"{sentence}。"
