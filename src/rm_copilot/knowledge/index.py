"""The vector side of the knowledge base: chunks in a Chroma collection, synced by content hash."""
from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import numpy as np

from rm_copilot.errors import BadInput, NotFound
from rm_copilot.knowledge.chunker import Chunk, chunk_document
from rm_copilot.knowledge.documents import KnowledgeDoc
from rm_copilot.knowledge.snapshot import IndexSnapshot, LexicalStore, chunks_fingerprint

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from langchain_core.embeddings import Embeddings

WRITE_BATCH = 256
EMBED_BATCH = 32

Progress = Callable[[int, int], None]
"""Called with (chunks done, chunks to embed) after each embedded batch."""


@dataclass(frozen=True)
class SyncReport:
    added: int
    updated: int
    removed: int
    unchanged: int

    @property
    def embedded(self) -> int:
        return self.added + self.updated


class KnowledgeIndex:
    """Chunks stored in Chroma with their embeddings; an in-memory copy (rows and vectors) serves
    the lexical side and exact nearest-neighbour search.

    The client comes in from outside: PersistentClient, HttpClient or (in tests) EphemeralClient,
    or a function that makes one, called only when Chroma is needed. Embeddings are computed here
    (LangChain `Embeddings`: documents and queries embedded differently, as e5 expects) and handed
    to Chroma, which never embeds anything itself. With a `snapshot`, the rows and vectors are
    saved after each sync and a new process reads them from there without opening Chroma.
    """

    def __init__(self, client: ClientAPI | Callable[[], ClientAPI], embeddings: Embeddings, *,
                 collection_name: str = "knowledge", snapshot: IndexSnapshot | None = None,
                 lexical_store: LexicalStore | None = None):
        self._client_source = client
        self.embeddings = embeddings
        self._collection_name = collection_name
        self.snapshot = snapshot
        self.lexical_store = lexical_store
        self._lock = threading.RLock()
        self._collection_handle = None
        self._chunks: dict[str, Chunk] | None = None
        self._vectors: np.ndarray | None = None
        self._norms: tuple[np.ndarray, np.ndarray] | None = None  # (vectors, their row norms)
        self.version = 0
        self.embedded_chunks = 0
        if not callable(client):
            self._collection  # noqa: B018 - a given client is checked at once, as before

    @property
    def _client(self) -> ClientAPI:
        if callable(self._client_source):
            self._client_source = self._client_source()
        return self._client_source

    @property
    def _collection(self):
        if self._collection_handle is None:
            with self._lock:
                if self._collection_handle is None:
                    self._collection_handle = self._open_collection()
        return self._collection_handle

    def _open_collection(self):
        return self._client.get_or_create_collection(
            self._collection_name,
            embedding_function=None,
            configuration={"hnsw": {"space": "cosine"}},
        )

    # -- writing -----------------------------------------------------------------------------
    def sync(self, docs: Iterable[KnowledgeDoc], *, progress: Progress | None = None) -> SyncReport:
        """Upsert new and changed chunks (by content hash), delete chunks that no longer exist."""
        wanted: dict[str, Chunk] = {}
        for doc in docs:
            for chunk in chunk_document(doc):
                wanted[chunk.chunk_id] = chunk
        with self._lock:
            stored = self._stored_hashes()
            added = [c for cid, c in wanted.items() if cid not in stored]
            updated = [c for cid, c in wanted.items() if cid in stored and stored[cid] != c.content_hash]
            removed = [cid for cid in stored if cid not in wanted]
            self._upsert(added + updated, progress)
            for start in range(0, len(removed), WRITE_BATCH):
                self._collection.delete(ids=removed[start : start + WRITE_BATCH])
            chunks = dict(sorted(wanted.items(), key=lambda item: _chunk_order(item[0])))
            changed = bool(added or updated or removed)
            if changed or self._vectors is None or list(chunks) != list(self._chunks or {}):
                self._chunks, self._vectors = chunks, self._stored_vectors(list(chunks))
                self._save_snapshot()
            elif self.snapshot is not None and self.snapshot.fingerprint() != chunks_fingerprint(chunks.values()):
                self._save_snapshot()
            if changed:
                self.version += 1
        unchanged = len(wanted) - len(added) - len(updated)
        return SyncReport(len(added), len(updated), len(removed), unchanged)

    def clear(self) -> None:
        with self._lock:
            if self.snapshot is not None:
                self.snapshot.delete()  # a crash before the next sync must not leave the old rows
            self._client.delete_collection(self._collection_name)
            self._collection_handle = self._open_collection()
            self._chunks, self._vectors = {}, None
            self.version += 1

    def _upsert(self, chunks: list[Chunk], progress: Progress | None = None) -> None:
        for start in range(0, len(chunks), EMBED_BATCH):
            batch = chunks[start : start + EMBED_BATCH]
            texts = [c.text for c in batch]
            vectors = np.asarray(self.embeddings.embed_documents(texts), dtype=np.float32)
            self.embedded_chunks += len(batch)
            self._collection.upsert(
                ids=[c.chunk_id for c in batch],
                documents=texts,
                embeddings=vectors,
                metadatas=[c.metadata for c in batch],
            )
            if progress is not None:
                progress(start + len(batch), len(chunks))

    def _stored_hashes(self) -> dict[str, str]:
        result = self._collection.get(include=["metadatas"])
        return {cid: (meta or {}).get("content_hash", "") for cid, meta in zip(result["ids"], result["metadatas"], strict=True)}

    def _stored_vectors(self, ids: list[str]) -> np.ndarray | None:
        if not ids:
            return None
        by_id: dict[str, Any] = {}
        for start in range(0, len(ids), WRITE_BATCH * 4):
            result = self._collection.get(ids=ids[start : start + WRITE_BATCH * 4], include=["embeddings"])
            by_id.update(zip(result["ids"], result["embeddings"], strict=True))
        if any(by_id.get(cid) is None for cid in ids):
            return None
        return np.asarray([by_id[cid] for cid in ids], dtype=np.float32)

    def _save_snapshot(self) -> None:
        if self.snapshot is not None and self._chunks and self._vectors is not None:
            self.snapshot.save(list(self._chunks.values()), self._vectors)

    # -- reading -----------------------------------------------------------------------------
    def chunks(self) -> list[Chunk]:
        return list(self._loaded().values())

    def get_chunk(self, chunk_id: str) -> Chunk:
        chunk = self._loaded().get(chunk_id)
        if chunk is None:
            raise NotFound(f"没有找到知识片段 {chunk_id}")
        return chunk

    def __len__(self) -> int:
        return len(self._loaded())

    def _loaded(self) -> dict[str, Chunk]:
        chunks = self._chunks
        if chunks is not None:
            return chunks
        with self._lock:
            if self._chunks is None:
                saved = self.snapshot.load() if self.snapshot is not None else None
                if saved is not None:
                    rows, vectors = saved
                    self._chunks = {r["id"]: _chunk_from_row(r["id"], r["text"], r["meta"]) for r in rows}
                    self._vectors = vectors
                else:
                    result = self._collection.get(include=["documents", "metadatas"])
                    stored = zip(result["ids"], result["documents"], result["metadatas"], strict=True)
                    loaded = {cid: _chunk_from_row(cid, text, meta or {}) for cid, text, meta in stored}
                    self._chunks = dict(sorted(loaded.items(), key=lambda item: _chunk_order(item[0])))
                    self._vectors = self._stored_vectors(list(self._chunks))
                    self._save_snapshot()
            return self._chunks

    def query(self, text: str, *, n: int, where: dict[str, Any] | None = None,
              allowed: Callable[[dict[str, Any]], bool] | None = None) -> list[tuple[str, float]]:
        """Nearest chunks as (chunk_id, cosine similarity), best first.

        Exact search over the in-memory vectors (`allowed` filters by metadata); Chroma's own
        query (with `where`) only when the vectors are not at hand.
        """
        chunks = self._loaded()
        total = len(chunks)
        if total == 0 or n <= 0:
            return []
        query = np.asarray(self.embeddings.embed_query(text), dtype=np.float32)
        vectors = self._vectors
        if vectors is not None and vectors.shape[0] == total:
            ids = list(chunks)
            norms = self._vector_norms(vectors) * (np.linalg.norm(query) or 1.0)
            sims = vectors @ query / np.where(norms > 0, norms, 1.0)
            if allowed is not None:
                mask = np.fromiter((allowed(c.metadata) for c in chunks.values()), dtype=bool, count=total)
                sims = np.where(mask, sims, -np.inf)
            top = np.argsort(-sims, kind="stable")[: min(n, total)]
            return [(ids[i], float(sims[i])) for i in top if np.isfinite(sims[i])]
        result = self._collection.query(
            query_embeddings=query[None, :],
            n_results=min(n, total),
            where=where or None,
            include=["distances"],
        )
        return [(cid, 1.0 - float(dist)) for cid, dist in zip(result["ids"][0], result["distances"][0], strict=True)]

    def _vector_norms(self, vectors: np.ndarray) -> np.ndarray:
        """Row norms of the in-memory vectors, computed once per loaded array (not per query)."""
        cached = self._norms
        if cached is None or cached[0] is not vectors:
            cached = self._norms = (vectors, np.linalg.norm(vectors, axis=1))
        return cached[1]


def collection_name_for(model_id: str) -> str:
    """Each embedding model gets its own collection: vectors of two models never mix."""
    return "knowledge_" + hashlib.sha1(model_id.encode("utf-8")).hexdigest()[:10]


def make_chroma_client(*, url: str | None, path: Path) -> ClientAPI:
    """A Chroma server's client when `url` is given, else an embedded store in `path`."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if url:
        host, port, ssl = chroma_endpoint(url)
        return chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=chroma_settings)
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def chroma_endpoint(chroma_url: str) -> tuple[str, int, bool]:
    """`http://host:port` → (host, port, ssl); Chroma's server listens on 8000 by default."""
    url = urlparse(chroma_url)
    if url.scheme not in ("http", "https") or not url.hostname:
        raise BadInput(f"RM_COPILOT_CHROMA_URL 格式错误：{chroma_url}（应为 http://主机:端口）")
    ssl = url.scheme == "https"
    return url.hostname, url.port or (443 if ssl else 8000), ssl


def _chunk_order(chunk_id: str) -> tuple[str, int]:
    doc_id, _, n = chunk_id.rpartition("#")
    return doc_id, int(n) if n.isdigit() else 0


def _chunk_from_row(chunk_id: str, text: str, meta: dict[str, Any]) -> Chunk:
    return Chunk(
        chunk_id=chunk_id,
        doc_id=str(meta.get("doc_id", chunk_id.rpartition("#")[0])),
        product_id=meta.get("product_id"),
        kind=str(meta.get("kind", "doc")),
        title=str(meta.get("title", "")),
        heading=str(meta.get("heading", "")),
        text=text or "",
        content_hash=str(meta.get("content_hash", "")),
        metadata=dict(meta),
    )
