"""Question answering: follow-up rewriting, retrieval, a grounded answer with numbered citations."""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rm_copilot.assistant.citations import CitationNumbering
from rm_copilot.assistant.facts import chunk_dict, product_facts
from rm_copilot.assistant.followup import resolve_followup
from rm_copilot.assistant.recommend import suitability_issue
from rm_copilot.errors import NotFound
from rm_copilot.generation.request import ComposeRequest
from rm_copilot.knowledge.products import Product, ProductCatalog

HISTORY_TURNS = 6


@dataclass
class AnswerPlan:
    request: ComposeRequest
    chunks: list[dict[str, Any]]
    focus: Product | None
    sources: str

    def numbering(self) -> CitationNumbering:
        return CitationNumbering(self.chunks)


class AnswerPlanner:
    def __init__(self, retriever: Any, catalog: ProductCatalog, *, k: int = 4, elderly_age: int = 65):
        self.retriever = retriever
        self.catalog = catalog
        self.k = k
        self.elderly_age = elderly_age

    def plan(self, question: str, *, history: Sequence[Any] = (), brief: dict[str, Any] | None = None,
             variant: int = 0) -> AnswerPlan:
        query, focus = resolve_followup(question.strip(), history, self.catalog)
        hits = self._retrieve(query, focus)
        chunks = [chunk_dict(n, hit.chunk, self._product_name(hit.chunk.product_id))
                  for n, hit in enumerate(hits, start=1)]
        if focus is None and chunks and chunks[0]["product_id"]:
            focus = self.catalog.get(chunks[0]["product_id"])
        product = None
        if focus is not None:
            product = product_facts(focus, suitable=brief is None or suitability_issue(focus, brief, self.elderly_age) is None)
        request = ComposeRequest(
            task="answer", question=query, chunks=chunks, profile=brief, product=product, variant=variant,
            history=[{"role": m.role, "content": m.content} for m in list(history)[-HISTORY_TURNS:]],
        )
        sources = "\n".join([query, *(c["text"] for c in chunks),
                             json.dumps(product or {}, ensure_ascii=False),
                             json.dumps(brief or {}, ensure_ascii=False)])
        return AnswerPlan(request, chunks, focus, sources)

    def _retrieve(self, query: str, focus: Product | None) -> list[Any]:
        if focus is not None:
            hits = self.retriever.search(query, k=self.k, product_ids=[focus.id])
            if hits:
                return hits
        return self.retriever.search(query, k=self.k)

    def _product_name(self, product_id: str | None) -> str | None:
        if not product_id:
            return None
        try:
            return self.catalog.get(product_id).name
        except NotFound:
            return None
