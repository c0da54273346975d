"""Question answering: follow-up rewriting, retrieval, a grounded answer with numbered citations."""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import re

from rm_copilot.assistant.citations import CitationNumbering
from rm_copilot.assistant.facts import chunk_dict, facts_chunk_id, product_facts
from rm_copilot.assistant.followup import resolve_followup
from rm_copilot.assistant.recommend import recommend, suitability_issue
from rm_copilot.errors import NotFound
from rm_copilot.generation.request import ComposeRequest
from rm_copilot.knowledge.products import Product, ProductCatalog

HISTORY_TURNS = 6
RECOMMENDATIONS = 3
_ASKS_FOR_PRODUCTS = re.compile(r"适合|推荐|配置|买什么|选什么|买点什么|有什么.{0,4}(产品|理财|基金|存款|保险)")
_ASKS_ABOUT_CUSTOMER = re.compile(r"(这位|该|此)客户|客户(的)?(情况|画像|标签|需求)|什么时候到期|哪天生日|持有(哪些|什么)")
_TYPE_WORDS = {"理财": "wealth", "基金": "fund", "保险": "insurance", "存款": "deposit", "存单": "deposit",
               "贷款": "loan", "信用卡": "card"}


@dataclass
class AnswerPlan:
    request: ComposeRequest
    chunks: list[dict[str, Any]]
    focus: Product | None
    sources: str

    def numbering(self) -> CitationNumbering:
        return CitationNumbering(self.chunks)


class AnswerPlanner:
    def __init__(self, retriever: Any, catalog: ProductCatalog, *, k: int = 4, elderly_age: int = 65,
                 chunk_lookup: Any = None):
        self.retriever = retriever
        self.catalog = catalog
        self.k = k
        self.elderly_age = elderly_age
        self.chunk_lookup = chunk_lookup

    def plan(self, question: str, *, history: Sequence[Any] = (), brief: dict[str, Any] | None = None,
             variant: int = 0) -> AnswerPlan:
        query, focus = resolve_followup(question.strip(), history, self.catalog)
        if brief is not None and focus is None and _ASKS_FOR_PRODUCTS.search(query):
            return self._recommendation_plan(query, brief, variant)
        if brief is not None and focus is None and _ASKS_ABOUT_CUSTOMER.search(query):
            request = ComposeRequest(task="answer", intent="profile", question=query, profile=brief, variant=variant)
            return AnswerPlan(request, [], None, "\n".join([query, json.dumps(brief, ensure_ascii=False)]))
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

    def _recommendation_plan(self, query: str, brief: dict[str, Any], variant: int) -> AnswerPlan:
        """"What suits this customer?": suitable products ranked from the tags, each citing its facts."""
        types = {t for word, t in _TYPE_WORDS.items() if word in query}
        ranked = [r for r in recommend(brief, self.catalog, limit=50, elderly_age=self.elderly_age)
                  if not types or r.product.type in types][:RECOMMENDATIONS]
        chunks, items = [], []
        for n, rec in enumerate(ranked, start=1):
            chunks.append(self._facts_chunk(n, rec.product))
            items.append({"n": n, "product_id": rec.product.id, "name": rec.product.name,
                          "type_label": rec.product.type_label, "risk_level": rec.product.risk_level,
                          "reasons": [reason.replace("您的", "客户的") for reason in rec.reasons]})
        request = ComposeRequest(task="answer", intent="recommend", question=query, chunks=chunks, profile=brief,
                                 variant=variant, recommendations=items)
        sources = "\n".join([query, *(c["text"] for c in chunks), json.dumps(items, ensure_ascii=False),
                             json.dumps(brief, ensure_ascii=False)])
        return AnswerPlan(request, chunks, None, sources)

    def _facts_chunk(self, n: int, product: Product) -> dict[str, Any]:
        chunk_id = facts_chunk_id(product)
        if self.chunk_lookup is not None:
            try:
                return chunk_dict(n, self.chunk_lookup(chunk_id), product.name)
            except NotFound:
                pass
        facts = "；".join(f"{k}：{v}" for k, v in product_facts(product).items() if v and isinstance(v, str))
        return {"n": n, "chunk_id": chunk_id, "source": product.doc_id, "title": product.name, "heading": "产品要素",
                "product_id": product.id, "product_name": product.name, "text": f"{product.name}\n{facts}"}

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
