"""Fixtures for knowledge tests: a small fixture knowledge base, a deterministic fake embedding
function and an in-memory Chroma client, so unit tests never load the real model."""
from __future__ import annotations

import hashlib
import shutil
import uuid
from pathlib import Path

import chromadb
import numpy as np
import pytest
from chromadb.config import Settings as ChromaSettings
from langchain_core.embeddings import Embeddings

from rm_copilot.knowledge.documents import load_documents
from rm_copilot.knowledge.index import KnowledgeIndex
from rm_copilot.knowledge.retriever import HybridRetriever
from rm_copilot.knowledge.tokenizer import DEFAULT_LEXICON_DIR, get_lexicon

FIXTURE_KB = Path(__file__).parent / "fixtures" / "kb"
DIMENSIONS = 64


class FakeEmbeddings(Embeddings):
    """Hashes character bigrams into a small normalised vector; records every document it embeds
    (queries are recorded apart, so reuse tests count only indexing work)."""

    def __init__(self, model_id: str = "fake-bigram-hash") -> None:
        self.model_id = model_id
        self.embedded: list[str] = []
        self.queries: list[str] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.embedded.extend(texts)
        return [self._vector(text).tolist() for text in texts]

    def embed_query(self, text: str) -> list[float]:
        self.queries.append(text)
        return self._vector(text).tolist()

    @staticmethod
    def _vector(text: str) -> np.ndarray:
        vector = np.zeros(DIMENSIONS, dtype=np.float32)
        for i in range(len(text) - 1):
            digest = hashlib.md5(text[i : i + 2].encode("utf-8")).digest()
            vector[digest[0] % DIMENSIONS] += 1.0
        norm = np.linalg.norm(vector)
        return vector / norm if norm else vector + 1.0 / np.sqrt(DIMENSIONS)


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    """A writable copy of the fixture knowledge base."""
    target = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, target)
    return target


@pytest.fixture
def fake_embeddings() -> FakeEmbeddings:
    return FakeEmbeddings()


@pytest.fixture
def make_fake_embeddings():
    """Fresh fakes, e.g. standing for a second process or another model id."""
    return FakeEmbeddings


@pytest.fixture
def chroma_client():
    return chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False, allow_reset=True))


@pytest.fixture
def knowledge_index(chroma_client, fake_embeddings) -> KnowledgeIndex:
    return KnowledgeIndex(chroma_client, fake_embeddings, collection_name=f"test_{uuid.uuid4().hex[:8]}")


@pytest.fixture
def synced_index(knowledge_index: KnowledgeIndex, kb_dir: Path) -> KnowledgeIndex:
    knowledge_index.sync(load_documents(kb_dir))
    return knowledge_index


@pytest.fixture
def retriever(synced_index: KnowledgeIndex) -> HybridRetriever:
    return HybridRetriever.from_index(synced_index, lexicon=get_lexicon(DEFAULT_LEXICON_DIR))
