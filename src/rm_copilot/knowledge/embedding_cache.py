"""An on-disk cache of document embeddings keyed by (model id, sha256 of the text).

A new home, a rebuilt index or another process (a test run, a server) reuses vectors already
computed for the same chunk text with the same model. SQLite makes concurrent writers safe.
"""
from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from rm_copilot.knowledge.embeddings import model_id

_SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (
    model TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (model, text_hash)
)
"""


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    def __init__(self, directory: Path):
        self.path = Path(directory) / "embeddings.sqlite3"
        self._lock = threading.Lock()
        self._ready = False

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=60)
        if not self._ready:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute(_SCHEMA)
            connection.commit()
            self._ready = True
        return connection

    def get_many(self, model: str, hashes: list[str]) -> dict[str, np.ndarray]:
        if not hashes or not self.path.exists():
            return {}
        found: dict[str, np.ndarray] = {}
        with self._lock:
            connection = self._connect()
            try:
                for start in range(0, len(hashes), 500):
                    part = hashes[start : start + 500]
                    marks = ",".join("?" * len(part))
                    rows = connection.execute(
                        f"SELECT text_hash, vector FROM vectors WHERE model = ? AND text_hash IN ({marks})",
                        [model, *part],
                    )
                    for key, blob in rows:
                        found[key] = np.frombuffer(blob, dtype=np.float32)
            finally:
                connection.close()
        return found

    def put_many(self, model: str, items: dict[str, np.ndarray]) -> None:
        if not items:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        rows = [(model, key, np.asarray(vector, dtype=np.float32).tobytes()) for key, vector in items.items()]
        with self._lock:
            connection = self._connect()
            try:
                with connection:
                    connection.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)", rows)
            finally:
                connection.close()


class CachedEmbeddings(Embeddings):
    """Documents go through the on-disk cache; queries through a small in-memory one.

    `texts_embedded` counts texts the model really embedded, so tests and `index` can prove reuse.
    """

    RECENT_QUERIES = 64

    def __init__(self, inner: Embeddings, cache: EmbeddingCache | None):
        self.inner = inner
        self.cache = cache
        self.model_id = model_id(inner)
        self.texts_embedded = 0
        self._count_lock = threading.Lock()
        self._recent: OrderedDict[str, list[float]] = OrderedDict()

    def prefer_fast_queries(self) -> bool:
        """The inner model's faster query engine, when it has one (`E5Embeddings.prefer_fast_queries`)."""
        prefer = getattr(self.inner, "prefer_fast_queries", None)
        return bool(prefer()) if prefer is not None else False

    def embed_query(self, text: str) -> list[float]:
        """Recent queries are remembered in memory: one answer searches the same question
        several times (question, rewrite, product filter)."""
        with self._count_lock:
            vector = self._recent.get(text)
            if vector is not None:
                self._recent.move_to_end(text)
                return vector
        vector = self.inner.embed_query(text)
        with self._count_lock:
            self._recent[text] = vector
            while len(self._recent) > self.RECENT_QUERIES:
                self._recent.popitem(last=False)
        return vector

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        texts = list(texts)
        if not texts:
            return []
        hashes = [text_hash(t) for t in texts]
        known = self.cache.get_many(self.model_id, hashes) if self.cache else {}
        missing = [i for i, key in enumerate(hashes) if key not in known]
        if missing:
            fresh = self.inner.embed_documents([texts[i] for i in missing])
            with self._count_lock:
                self.texts_embedded += len(missing)
            computed = {hashes[i]: np.asarray(v, dtype=np.float32) for i, v in zip(missing, fresh, strict=True)}
            if self.cache:
                self.cache.put_many(self.model_id, computed)
            known = {**known, **computed}
        return [known[key].tolist() for key in hashes]
