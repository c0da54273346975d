"""Question answering: topic and follow-ups, routing, retrieval, a grounded plan with numbered citations.

Each route gets what answers it: facts, lists and yes/no questions the chunks of the products (or
topics) asked about; comparisons each product's own chunks side by side; recommendations suitable
products ranked for the customer or for the need described; out-of-scope questions an honest refusal
with no chunk at all (so no cited sentence can suggest the bank deals in what was asked).
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rm_copilot.assistant import routing
from rm_copilot.assistant.citations import CitationNumbering
from rm_copilot.assistant.facts import chunk_dict, facts_chunk_id, product_facts
from rm_copilot.assistant.followup import Resolved, replay_topic, resolve
from rm_copilot.assistant.mentions import ProductMatcher
from rm_copilot.assistant.needs import describe_customer, rank_for_need
from rm_copilot.assistant.reasons import fit_reasons
from rm_copilot.assistant.recommend import recommend, suitability_issue
from rm_copilot.errors import NotFound
from rm_copilot.generation.request import ComposeRequest
from rm_copilot.knowledge.products import Product, ProductCatalog

HISTORY_TURNS = 6
RECOMMENDATIONS = 3
LISTED = 10
SIDE_FLOOR = 0.5
SIDES = 3  # "A、B、C这三个…分别多少": every product asked about
SHARED_WEIGHT = 0.5
_TYPE_WORDS = {"理财": "wealth", "基金": "fund", "保险": "insurance", "存款": "deposit", "存单": "deposit",
               "贷款": "loan", "信用卡": "card"}
_GENERIC_OBJECTS = ("产品", "东西", "什么", "啥", "哪", "组合", "险", "贷", "卡", "存", "定投", "配置", "资产")
_BANK_NAME = re.compile(r"([\u4e00-\u9fff]{2})银行")
_DETERMINER = re.compile(r"[的其他别各这那哪每同多家某本我你贵该此]")  # "别的银行", "其他银行": any bank, not a named one


@dataclass
class AnswerPlan:
    request: ComposeRequest
    chunks: list[dict[str, Any]]
    focus: Product | None
    sources: str
    route: str = "fact"

    def numbering(self) -> CitationNumbering:
        return CitationNumbering(self.chunks)


class AnswerPlanner:
    def __init__(self, retriever: Any, catalog: ProductCatalog, *, k: int = 4, elderly_age: int = 65,
                 chunk_lookup: Any = None, lexicon: Any = None,
                 chunk_texts: Callable[[], list[str]] | None = None):
        self.retriever = retriever
        self.catalog = catalog
        self.k = k
        self.elderly_age = elderly_age
        self.chunk_lookup = chunk_lookup
        self.matcher = ProductMatcher(catalog)
        self._lexicon = lexicon
        self._chunk_texts = chunk_texts
        self._vocabulary: routing.DomainVocabulary | None = None

    def plan(self, question: str, *, history: Sequence[Any] = (), brief: dict[str, Any] | None = None,
             variant: int = 0) -> AnswerPlan:
        topic = replay_topic(history, self.matcher)
        resolved = resolve(question, topic, self.matcher)
        query, products = resolved.question, resolved.products
        by_name = self.matcher.find(question, tags=False) if len(products) >= 2 and not resolved.followup else []
        if (len(products) >= 2 and (routing.asks_to_compare(query) or routing.joins_two(question, by_name))) \
                or self._two_sides(resolved):
            return self._comparison_plan(resolved, brief, variant)
        if brief is not None and not products and routing.asks_about_customer(query) \
                and not routing.asks_for_products(query):
            request = ComposeRequest(task="answer", intent="profile", question=query, profile=brief, variant=variant)
            return AnswerPlan(request, [], None, "\n".join([query, json.dumps(brief, ensure_ascii=False)]), "profile")
        if routing.forecasts_prices(query) or self._other_institution(query):
            return self._refusal(query, variant)  # no document forecasts a price; none may seem to
        if not resolved.followup and (listed := self._catalog_listing(query)):
            return self._listing_plan(query, listed, brief, variant)
        described = not resolved.followup and routing.describes_need(query)
        if described:  # a need in words ("个人养老金账户", "500万") names no product unless by its full name
            named = self.catalog.find_mentions(query)
        else:
            named = [p for p in products if p in self.matcher.find(query, tags=False)] if products else []
        if not named and not resolved.followup and (routing.asks_for_products(query) or described):
            if (not described and self._out_of_scope(query)) or not self._sells(routing.wanted_head(query)):
                return self._refusal(query, variant)
            return self._recommendation_plan(query, brief, variant)
        if not products and not resolved.followup and self._out_of_scope(query):
            return self._refusal(query, variant)
        hits = self._retrieve(query, products)  # one search per product asked about, or one in all
        return self._fact_plan(query, products, hits, brief, variant, history)

    @staticmethod
    def _refusal(query: str, variant: int) -> AnswerPlan:
        request = ComposeRequest(task="answer", intent="refuse", question=query, variant=variant)
        return AnswerPlan(request, [], None, query, "refuse")

    # --- facts, lists, yes/no ------------------------------------------------------------------

    def _fact_plan(self, query: str, products: list[Product], hits: list[Any], brief: dict[str, Any] | None,
                   variant: int, history: Sequence[Any]) -> AnswerPlan:
        chunks = [chunk_dict(n, hit.chunk, self._product_name(hit.chunk.product_id))
                  for n, hit in enumerate(hits, start=1)]
        focus = products[0] if products else None
        if focus is None and chunks and chunks[0]["product_id"]:
            focus = self._product(chunks[0]["product_id"])
        product = None
        if focus is not None and products:
            issue = suitability_issue(focus, brief, self.elderly_age) if brief is not None else None
            product = product_facts(focus, suitable=issue is None, suitability_issue=issue)
        form = routing.question_form(query)
        request = ComposeRequest(
            task="answer", intent="question", form=form, question=query, chunks=chunks, profile=brief,
            product=product, variant=variant, subjects=[p.name for p in products],
            history=[{"role": m.role, "content": m.content} for m in list(history)[-HISTORY_TURNS:]],
        )
        sources = "\n".join([query, *(c["text"] for c in chunks), json.dumps(product or {}, ensure_ascii=False),
                             json.dumps(brief or {}, ensure_ascii=False)])
        return AnswerPlan(request, chunks, focus, sources, form)

    def _retrieve(self, query: str, products: list[Product]) -> list[Any]:
        if not products:
            return self.retriever.search(query, k=self.k)
        per_product = max(2, self.k // len(products)) if len(products) > 1 else self.k
        hits, seen = [], set()
        for product in products:
            for hit in self.retriever.search(query, k=per_product, product_ids=[product.id]):
                if hit.chunk.chunk_id not in seen:
                    seen.add(hit.chunk.chunk_id)
                    hits.append(hit)
        for hit in self.retriever.search(query, k=2):
            if hit.chunk.chunk_id not in seen and not hit.chunk.product_id:
                seen.add(hit.chunk.chunk_id)
                hits.append(hit)
        return hits or self.retriever.search(query, k=self.k)

    def _out_of_scope(self, query: str) -> bool:
        """Words the documents never use, or a thing to buy that the catalogue lacks (no search needed)."""
        vocabulary = self._domain_vocabulary()
        if (wanted := routing.asks_to_buy_here(query)) is not None:
            if not self.matcher.find(wanted) and not any(word in wanted for word in _TYPE_WORDS):
                return True
            unknown = [w for w in self._precise(wanted) if len(w) >= 2 and self._dictionary_word(w)]
            if vocabulary is not None and vocabulary.unknown_share(unknown) > 0:
                return True  # "宠物医疗险": a word no document uses makes it a thing the bank does not sell
        if vocabulary is None:
            return False
        share = vocabulary.unknown_share([w for w in self._precise(routing.subject_text(query))
                                          if len(w) >= 2 and self._dictionary_word(w)])
        return routing.is_out_of_scope(share, asks_for_products=routing.asks_for_products(query))

    def _other_institution(self, query: str) -> bool:
        """A bank the documents never name ("某某银行的利率"): its products and figures are not ours to state."""
        if "银行" not in query or (vocabulary := self._domain_vocabulary()) is None:
            return False
        return any(not vocabulary.uses(m.group(0)) and self._dictionary_word(m.group(1))
                   for m in _BANK_NAME.finditer(query) if not _DETERMINER.search(m.group(1)))

    def _sells(self, head: str | None) -> bool:
        """Whether the thing asked for is a kind of product the catalogue has (股票 is not; 理财, 产品 are)."""
        if head is None or any(word in head for word in (*_TYPE_WORDS, *_GENERIC_OBJECTS)):
            return True
        return bool(self.matcher.find(head, tags=False))

    def _dictionary_word(self, word: str) -> bool:
        """A word of the segmenter's dictionary (天气, 涨停), not a segment it guessed ("想放点", "挂点")."""
        frequency = getattr(self.lexicon, "frequency", None)
        return frequency is None or word.isascii() or frequency(word) > 0

    def _precise(self, text: str) -> list[str]:
        """The lexicon's words without the sub-words its search mode adds (each word once)."""
        words = list(dict.fromkeys(w for w in self.lexicon.words(text) if routing.is_content(w)))
        return [w for w in words if not any(w != other and w in other for other in words)]

    # --- catalogue listings ("有哪些结构性存款在卖", "基金里哪些是R5的") ---------------------------

    def _catalog_listing(self, query: str) -> list[Product]:
        """The catalogue's products of the kind a 哪些 question enumerates, when it enumerates a kind of product.

        The kind is a product type (基金) or a tag two or more products share (结构性存款), said right after
        哪些 or before it with nothing else asked ("信用卡有哪些？"); a risk level (是R5的) narrows it.
        """
        listed = routing.listed_kind(query)
        if listed is None:
            return []
        before, what = listed
        level = routing.RISK_LEVEL.search(what)
        kinds = [(word, lambda p, t=kind: p.type == t) for word, kind in _TYPE_WORDS.items() if word in query]
        tags = {tag for p in self.catalog.all() for tag in p.tags_match if len(tag) >= 3 and tag in query}
        kinds += [(tag, lambda p, t=tag: t in p.tags_match) for tag in tags
                  if sum(tag in p.tags_match for p in self.catalog.all()) >= 2]
        if not kinds:
            return []
        word, belongs = max(kinds, key=lambda kind: len(kind[0]))  # the most specific kind named
        if not (level or what.startswith(word) or routing.sells_now(what) or (not what and before.endswith(word))):
            return []  # "大额存单有哪些期限": an aspect of the products, not a list of them
        products = [p for p in self.catalog.all() if p.status == "on_sale" and belongs(p)
                    and (level is None or p.risk_rank == int(level.group(1)))]
        return sorted(products, key=lambda p: (p.risk_rank, p.id))[:LISTED] if len(products) >= 2 or level else []

    def _listing_plan(self, query: str, products: list[Product], brief: dict[str, Any] | None,
                      variant: int) -> AnswerPlan:
        chunks = [self._facts_chunk(n, product) for n, product in enumerate(products, start=1)]
        request = ComposeRequest(task="answer", intent="question", form="list", question=query, chunks=chunks,
                                 profile=brief, variant=variant, subjects=[p.name for p in products])
        sources = "\n".join([query, *(c["text"] for c in chunks)])
        return AnswerPlan(request, chunks, None, sources, "list")

    # --- comparisons ---------------------------------------------------------------------------

    def _two_sides(self, resolved: Resolved) -> bool:
        return routing.asks_to_compare(resolved.question) and len(self._side_products(resolved)) >= 2

    def _side_products(self, resolved: Resolved) -> list[Product]:
        """Each side of "A和B" gets its own product; a side may lean on words the other side has
        ("一年期和三年期大额存单": 大额存单 is said once for both)."""
        if len(resolved.products) >= 2:
            return resolved.products[:SIDES]
        whole = {m.product.id: m.score for m in self.matcher.scores(resolved.question)}
        sides = [self.matcher.scores(part) for part in routing.split_sides(resolved.question)]
        chosen: dict[int, Product] = {}
        for index, ranked in sorted(enumerate(sides), key=lambda item: -(item[1][0].score if item[1] else 0)):
            taken = {p.id for p in chosen.values()}
            if ranked and ranked[0].product.id in taken:
                continue  # "重疾险保哪些病，轻症各多少种": a side best named by a product chosen is its aspect
            options = [(m.score + SHARED_WEIGHT * whole.get(m.product.id, 0.0), m.product) for m in ranked
                       if m.product.id not in taken and m.score >= SIDE_FLOOR]
            if options:
                chosen[index] = max(options, key=lambda option: option[0])[1]
        return [chosen[i] for i in sorted(chosen)][:SIDES]

    def _comparison_plan(self, resolved: Resolved, brief: dict[str, Any] | None, variant: int) -> AnswerPlan:
        products = self._side_products(resolved)
        query = resolved.question
        chunks: list[dict[str, Any]] = []
        seen: set[str] = set()
        for product in products:
            for hit in self.retriever.search(query, k=3, product_ids=[product.id]):
                if hit.chunk.chunk_id not in seen:
                    seen.add(hit.chunk.chunk_id)
                    chunks.append(chunk_dict(len(chunks) + 1, hit.chunk, product.name))
            facts = self._facts_chunk(len(chunks) + 1, product)
            if facts["chunk_id"] not in seen:
                seen.add(facts["chunk_id"])
                chunks.append(facts)
        request = ComposeRequest(task="answer", intent="compare", form="fact", question=query, chunks=chunks,
                                 profile=brief, variant=variant, subjects=[p.name for p in products])
        sources = "\n".join([query, *(c["text"] for c in chunks), json.dumps(brief or {}, ensure_ascii=False)])
        return AnswerPlan(request, chunks, products[0] if products else None, sources, "compare")

    # --- recommendations -----------------------------------------------------------------------

    def _recommendation_plan(self, query: str, brief: dict[str, Any] | None, variant: int) -> AnswerPlan:
        described = describe_customer(query)
        if brief is None:
            profile = {**described.brief(), "described": described.describe()}
            ranked = [p for p, _ in rank_for_need(query, described, self.catalog, self.retriever,
                                                  elderly_age=self.elderly_age, limit=RECOMMENDATIONS)]
        else:
            profile = brief
            ranked = self._for_customer(query, brief)
        chunks, items = [], []
        for n, product in enumerate(ranked, start=1):
            chunks.append(self._facts_chunk(n, product))
            items.append({"n": n, "product_id": product.id, "name": product.name, "type_label": product.type_label,
                          "risk_level": product.risk_level,
                          "reasons": fit_reasons(product, profile, query, self.catalog)})
        request = ComposeRequest(task="answer", intent="recommend", question=query, chunks=chunks, profile=profile,
                                 variant=variant, recommendations=items)
        sources = "\n".join([query, *(c["text"] for c in chunks), json.dumps(items, ensure_ascii=False),
                             json.dumps(profile, ensure_ascii=False)])
        return AnswerPlan(request, chunks, None, sources, "recommend")

    def _for_customer(self, query: str, brief: dict[str, Any]) -> list[Product]:
        """"What suits this customer?": suitable products from the tags, or for the need the question names."""
        types = {t for word, t in _TYPE_WORDS.items() if word in query}
        described = describe_customer(query)
        if described.types or _describes_need(query):
            level = brief.get("risk_level") if not brief.get("risk_assessment_stale") else None
            customer = type(described)(level, brief.get("age"), described.types, described.avoids_risk)
            held = {h["product_id"] for h in brief.get("holdings", [])}
            ranked = [p for p, _ in rank_for_need(query, customer, self.catalog, self.retriever,
                                                  elderly_age=self.elderly_age, limit=10) if p.id not in held]
            if ranked:
                return ranked[:RECOMMENDATIONS]
        ranked = [r.product for r in recommend(brief, self.catalog, limit=50, elderly_age=self.elderly_age)
                  if not types or r.product.type in types]
        return ranked[:RECOMMENDATIONS]

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

    # --- helpers -------------------------------------------------------------------------------

    @property
    def lexicon(self) -> Any:
        if self._lexicon is None:
            from rm_copilot.knowledge.tokenizer import get_lexicon

            self._lexicon = getattr(self.retriever, "lexicon", None) or get_lexicon()
        return self._lexicon

    def _domain_vocabulary(self) -> routing.DomainVocabulary | None:
        if self._vocabulary is None and self._chunk_texts is not None:
            self._vocabulary = routing.DomainVocabulary(self._chunk_texts())
        return self._vocabulary

    def _product(self, product_id: str | None) -> Product | None:
        try:
            return self.catalog.get(product_id) if product_id else None
        except NotFound:
            return None

    def _product_name(self, product_id: str | None) -> str | None:
        product = self._product(product_id)
        return product.name if product else None


def _describes_need(query: str) -> bool:
    return len(query) >= 12
