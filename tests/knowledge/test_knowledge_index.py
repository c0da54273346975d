import uuid
from pathlib import Path

import pytest

from rm_copilot.config import Settings
from rm_copilot.errors import NotFound
from rm_copilot.knowledge.chunker import chunk_document
from rm_copilot.knowledge.documents import load_documents
from rm_copilot.knowledge.index import KnowledgeIndex, SyncReport, chroma_endpoint


def _chunk_count(kb_dir: Path) -> int:
    return sum(len(chunk_document(doc)) for doc in load_documents(kb_dir))


def test_first_sync_embeds_every_chunk(knowledge_index, kb_dir, fake_embeddings):
    report = knowledge_index.sync(load_documents(kb_dir))
    total = _chunk_count(kb_dir)
    assert report == SyncReport(added=total, updated=0, removed=0, unchanged=0)
    assert len(fake_embeddings.embedded) == total
    assert len(knowledge_index.chunks()) == total


def test_second_sync_without_changes_embeds_nothing(synced_index, kb_dir, fake_embeddings):
    fake_embeddings.embedded.clear()
    report = synced_index.sync(load_documents(kb_dir))
    assert report.embedded == 0 and report.removed == 0
    assert fake_embeddings.embedded == []


def test_editing_one_file_re_embeds_only_that_files_changed_chunks(synced_index, kb_dir, fake_embeddings):
    path = kb_dir / "products" / "deposit" / "DP901.md"
    path.write_text(path.read_text(encoding="utf-8").replace("成交时间不确定", "成交时间和价格都不确定"), encoding="utf-8")
    fake_embeddings.embedded.clear()

    report = synced_index.sync(load_documents(kb_dir))

    assert (report.added, report.updated, report.removed) == (0, 1, 0)
    assert len(fake_embeddings.embedded) == 1
    assert "成交时间和价格都不确定" in fake_embeddings.embedded[0]
    assert "价格都不确定" in synced_index.get_chunk("products/deposit/DP901#3").text


def test_deleting_a_file_removes_its_chunks(synced_index, kb_dir, fake_embeddings):
    (kb_dir / "faq" / "insurance" / "cooling-off.md").unlink()
    fake_embeddings.embedded.clear()

    report = synced_index.sync(load_documents(kb_dir))

    assert (report.removed, report.embedded) == (1, 0)
    assert not any(c.doc_id == "faq/insurance/cooling-off" for c in synced_index.chunks())
    with pytest.raises(NotFound):
        synced_index.get_chunk("faq/insurance/cooling-off#0")


def test_a_new_index_on_the_same_store_reads_chunks_back(synced_index, chroma_client, fake_embeddings):
    reopened = KnowledgeIndex(chroma_client, fake_embeddings, collection_name=synced_index._collection_name)
    assert [(c.chunk_id, c.content_hash, c.product_id) for c in reopened.chunks()] == [
        (c.chunk_id, c.content_hash, c.product_id) for c in synced_index.chunks()
    ]


def test_clear_empties_the_index_and_next_sync_adds_everything(synced_index, kb_dir):
    synced_index.clear()
    assert synced_index.chunks() == []
    assert synced_index.sync(load_documents(kb_dir)).added == _chunk_count(kb_dir)


def test_dense_query_returns_similarities_best_first(synced_index):
    results = synced_index.query("大额存单提前支取", n=3)
    assert len(results) == 3
    assert results[0][1] >= results[1][1] >= results[2][1]


@pytest.mark.parametrize(
    "url, expected",
    [
        ("http://chroma.internal:8001", ("chroma.internal", 8001, False)),
        ("https://chroma.example.com", ("chroma.example.com", 443, True)),
        ("http://10.0.0.5", ("10.0.0.5", 8000, False)),
    ],
)
def test_chroma_url_is_parsed_into_host_port_ssl(url, expected):
    assert chroma_endpoint(url) == expected


def test_persistent_client_by_default_under_home(tmp_path, fake_embeddings):
    from rm_copilot.knowledge.index import make_chroma_client

    settings = Settings(home=tmp_path / "home")
    client = make_chroma_client(url=settings.chroma_url, path=settings.chroma_path)
    KnowledgeIndex(client, fake_embeddings, collection_name=f"k_{uuid.uuid4().hex[:6]}")
    assert settings.chroma_path.is_dir()


def test_a_new_process_reads_rows_and_vectors_from_the_snapshot_without_chroma(chroma_client, fake_embeddings, kb_dir, tmp_path):
    from rm_copilot.knowledge.snapshot import IndexSnapshot

    name = f"s_{uuid.uuid4().hex[:6]}"
    first = KnowledgeIndex(chroma_client, fake_embeddings, collection_name=name, snapshot=IndexSnapshot(tmp_path / "snap"))
    first.sync(load_documents(kb_dir))
    opened: list[str] = []

    def client_factory():
        opened.append("chroma")
        return chroma_client

    second = KnowledgeIndex(client_factory, fake_embeddings, collection_name=name, snapshot=IndexSnapshot(tmp_path / "snap"))
    assert [c.chunk_id for c in second.chunks()] == [c.chunk_id for c in first.chunks()]
    assert second.query("大额存单提前支取", n=3) == first.query("大额存单提前支取", n=3)
    assert opened == []


def test_the_snapshot_follows_a_sync_that_changes_the_knowledge_base(chroma_client, fake_embeddings, kb_dir, tmp_path):
    from rm_copilot.knowledge.snapshot import IndexSnapshot

    name = f"s_{uuid.uuid4().hex[:6]}"
    index = KnowledgeIndex(chroma_client, fake_embeddings, collection_name=name, snapshot=IndexSnapshot(tmp_path / "snap"))
    index.sync(load_documents(kb_dir))
    before = IndexSnapshot(tmp_path / "snap").fingerprint()
    (kb_dir / "faq" / "deposit" / "new-topic.md").write_text(
        "---\nid: faq/deposit/new-topic\nkind: faq\ntitle: 新话题\n---\n## 问题\n新话题怎么答？\n", encoding="utf-8")
    index.sync(load_documents(kb_dir))
    reopened = KnowledgeIndex(chroma_client, fake_embeddings, collection_name=name, snapshot=IndexSnapshot(tmp_path / "snap"))
    assert IndexSnapshot(tmp_path / "snap").fingerprint() != before
    assert any(c.doc_id == "faq/deposit/new-topic" for c in reopened.chunks())


def test_filtered_dense_search_keeps_only_allowed_chunks(synced_index):
    hits = synced_index.query("基金", n=10, allowed=lambda meta: meta.get("kind") == "product")
    assert hits and all(synced_index.get_chunk(cid).kind == "product" for cid, _ in hits)


def test_clear_drops_the_snapshot_with_the_collection(chroma_client, fake_embeddings, kb_dir, tmp_path):
    from rm_copilot.knowledge.snapshot import IndexSnapshot

    name = f"s_{uuid.uuid4().hex[:6]}"
    index = KnowledgeIndex(chroma_client, fake_embeddings, collection_name=name, snapshot=IndexSnapshot(tmp_path / "snap"))
    index.sync(load_documents(kb_dir))
    index.clear()
    reopened = KnowledgeIndex(chroma_client, fake_embeddings, collection_name=name, snapshot=IndexSnapshot(tmp_path / "snap"))
    assert len(reopened) == 0
