"""BM25 over the chunks with two fields: jieba words (synonym-folded) and character bigrams."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import ahocorasick
import bm25s
import numpy as np

from rm_copilot.knowledge.chunker import Chunk
from rm_copilot.knowledge.product_names import ProductNames
from rm_copilot.knowledge.snapshot import LexicalStore, chunks_fingerprint
from rm_copilot.knowledge.tokenizer import Lexicon, Tokens, normalize

COMMON_WORD_RATIO = 0.3


@dataclass(frozen=True)
class LexicalScores:
    words: np.ndarray
    bigrams: np.ndarray
    informative: list[str]

    def combined(self, bigram_weight: float) -> np.ndarray:
        """Max-normalised sum, so neither field's scale dominates."""
        return _unit(self.words) + bigram_weight * _unit(self.bigrams)


class LexicalIndex:
    """Immutable; rebuilt by the retriever when the knowledge index changes.

    With a `store`, the tokenised corpus and both BM25 indexes are read from disk when they were
    built from the same chunks and lexicon, and saved there when they had to be built.
    """

    def __init__(self, chunks: list[Chunk], lexicon: Lexicon, *, k1: float = 1.2, b: float = 0.75,
                 cache: dict[str, Tokens] | None = None, store: LexicalStore | None = None):
        self.lexicon = lexicon
        self.size = len(chunks)
        self.loaded_from_store = False
        fingerprint = chunks_fingerprint(chunks, lexicon.fingerprint, f"k1={k1};b={b}")
        saved = store.load(fingerprint) if store is not None and chunks else None
        if saved is not None:
            words = _read_words(saved / "words.json")
            self._words = bm25s.BM25.load(str(saved / "words"), show_progress=False)
            self._bigrams = bm25s.BM25.load(str(saved / "bigrams"), show_progress=False)
            self.loaded_from_store = True
        else:
            cache = {} if cache is None else cache
            tokens = []
            for chunk in chunks:
                key = chunk.content_hash or chunk.text
                if key not in cache:
                    cache[key] = lexicon.tokens(chunk.text)
                tokens.append(cache[key])
            words = [t.words for t in tokens]
            self._words = _bm25(words, k1, b)
            self._bigrams = _bm25([t.bigrams for t in tokens], k1, b)
            if store is not None and chunks:
                store.save(fingerprint, lambda staging: self._save(staging, words))
        self._products = _product_automaton(chunks)
        self._word_sets = [frozenset(w) for w in words]
        self._doc_freq: dict[str, int] = {}
        for word_set in self._word_sets:
            for word in word_set:
                self._doc_freq[word] = self._doc_freq.get(word, 0) + 1

    def _save(self, directory: Path, words: list[list[str]]) -> None:
        """Word lists (coverage and document frequencies need them) and both BM25 indexes."""
        (directory / "words.json").write_text(json.dumps(words, ensure_ascii=False), encoding="utf-8")
        self._words.save(str(directory / "words"), show_progress=False)
        self._bigrams.save(str(directory / "bigrams"), show_progress=False)

    def informative(self, words: list[str]) -> list[str]:
        """Query words that are neither stop words nor present in most chunks."""
        limit = max(1, COMMON_WORD_RATIO * self.size)
        return [w for w in dict.fromkeys(words) if self._doc_freq.get(w, 0) <= limit]

    def score(self, query: Tokens) -> LexicalScores:
        informative = self.informative(query.words)
        return LexicalScores(
            words=_scores(self._words, informative, self.size),
            bigrams=_scores(self._bigrams, query.bigrams, self.size),
            informative=informative,
        )


    def coverage(self, informative: list[str], scores: np.ndarray, top: int = 3) -> float:
        """Best share of the query's informative words found together in one of the top chunks."""
        if not informative or not scores.size or float(scores.max()) <= 0:
            return 0.0
        wanted = set(informative)
        best = np.argsort(-scores, kind="stable")[:top]
        return max(len(wanted & self._word_sets[int(i)]) / len(wanted) for i in best if scores[int(i)] > 0)

    def mentioned_products(self, query: str) -> set[str]:
        """Product ids named in the query by id or any of its names (ProductNames over the chunk titles)."""
        if self._products is None:
            return set()
        return {product_id for _, product_id in self._products.iter(normalize(query))}


def _product_automaton(chunks: list[Chunk]) -> ahocorasick.Automaton | None:
    titled = {chunk.product_id: _Titled(chunk.product_id, chunk.title) for chunk in chunks if chunk.product_id}
    names = ProductNames(titled.values())
    automaton = ahocorasick.Automaton()
    for product_id in titled:
        for name in (product_id, *names.of(product_id)):
            key = normalize(name)
            if len(key) >= 3:
                automaton.add_word(key, product_id)
    if len(automaton) == 0:
        return None
    automaton.make_automaton()
    return automaton


@dataclass(frozen=True)
class _Titled:
    """A product as the index knows it: its id and its documents' title (the product name)."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()


def _read_words(path: Path) -> list[list[str]]:
    return json.loads(path.read_text(encoding="utf-8"))


def _bm25(corpus: list[list[str]], k1: float, b: float) -> bm25s.BM25 | None:
    if not corpus:
        return None
    model = bm25s.BM25(k1=k1, b=b)
    model.index([doc or [""] for doc in corpus], show_progress=False)
    return model


def _scores(model: bm25s.BM25 | None, query: list[str], size: int) -> np.ndarray:
    if model is None or not query:
        return np.zeros(size, dtype=np.float32)
    known = [token for token in query if token in model.vocab_dict]
    if not known:
        return np.zeros(size, dtype=np.float32)
    return np.asarray(model.get_scores(known), dtype=np.float32)


def _unit(scores: np.ndarray) -> np.ndarray:
    top = float(scores.max()) if scores.size else 0.0
    return scores / top if top > 0 else scores
