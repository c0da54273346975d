"""The vector side of the knowledge base: chunks in a Chroma collection, synced by content hash."""
from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable
from urllib.parse import urlparse

from rm_copilot.errors import BadInput, NotFound
from rm_copilot.knowledge.chunker import Chunk, chunk_document
from rm_copilot.knowledge.documents import KnowledgeDoc

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from langchain_core.embeddings import Embeddings

    from rm_copilot.config import Settings

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
    """Chunks stored in Chroma with their embeddings; an in-memory copy serves the lexical side.

    The client comes in from outside: PersistentClient, HttpClient or (in tests) EphemeralClient.
    Embeddings are computed here (LangChain `Embeddings`: documents and queries embedded
    differently, as e5 expects) and handed to Chroma, which never embeds anything itself.
    """

    def __init__(self, client: "ClientAPI", embeddings: "Embeddings", *, collection_name: str = "knowledge"):
        self._client = client
        self.embeddings = embeddings
        self._collection_name = collection_name
        self._lock = threading.RLock()
        self._collection = self._open_collection()
        self._chunks: dict[str, Chunk] | None = None
        self.version = 0
        self.embedded_chunks = 0

    @classmethod
    def from_settings(cls, settings: "Settings") -> "KnowledgeIndex":
        from rm_copilot.knowledge.embedding_cache import CachedEmbeddings, EmbeddingCache
        from rm_copilot.knowledge.embeddings import make_embeddings

        inner = make_embeddings(
            settings.embedding_model, batch_size=settings.embedding_batch_size, num_threads=settings.embedding_threads,
        )
        embeddings = CachedEmbeddings(inner, EmbeddingCache(settings.resolved_embedding_cache_dir))
        return cls(make_chroma_client(settings), embeddings, collection_name=collection_name_for(embeddings.model_id))

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
            self._chunks = dict(sorted(wanted.items(), key=lambda item: _chunk_order(item[0])))
            if added or updated or removed:
                self.version += 1
        unchanged = len(wanted) - len(added) - len(updated)
        return SyncReport(len(added), len(updated), len(removed), unchanged)

    def clear(self) -> None:
        with self._lock:
            self._client.delete_collection(self._collection_name)
            self._collection = self._open_collection()
            self._chunks = {}
            self.version += 1

    def _upsert(self, chunks: list[Chunk], progress: Progress | None = None) -> None:
        import numpy as np

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
        return {cid: (meta or {}).get("content_hash", "") for cid, meta in zip(result["ids"], result["metadatas"])}

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
                result = self._collection.get(include=["documents", "metadatas"])
                rows = zip(result["ids"], result["documents"], result["metadatas"])
                loaded = {cid: _chunk_from_row(cid, text, meta or {}) for cid, text, meta in rows}
                self._chunks = dict(sorted(loaded.items(), key=lambda item: _chunk_order(item[0])))
            return self._chunks

    def query(self, text: str, *, n: int, where: dict[str, Any] | None = None) -> list[tuple[str, float]]:
        """Nearest chunks as (chunk_id, cosine similarity), best first."""
        total = len(self)
        if total == 0 or n <= 0:
            return []
        import numpy as np

        embedding = np.asarray([self.embeddings.embed_query(text)], dtype=np.float32)
        result = self._collection.query(
            query_embeddings=embedding,
            n_results=min(n, total),
            where=where or None,
            include=["distances"],
        )
        return [(cid, 1.0 - float(dist)) for cid, dist in zip(result["ids"][0], result["distances"][0])]


def collection_name_for(model_id: str) -> str:
    """Each embedding model gets its own collection: vectors of two models never mix."""
    return "knowledge_" + hashlib.sha1(model_id.encode("utf-8")).hexdigest()[:10]


def make_chroma_client(settings: "Settings") -> "ClientAPI":
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        host, port, ssl = chroma_endpoint(settings.chroma_url)
        return chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=chroma_settings)
    settings.chroma_path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)


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
