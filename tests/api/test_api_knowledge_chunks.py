"""`GET /api/v1/knowledge/chunks/{chunk_id}`: a citation's chunk id opens the passage's text."""
from __future__ import annotations

from urllib.parse import quote

import pytest

pytestmark = pytest.mark.slow


def test_cited_chunk_answers_its_text(api, a001, use_built_services):
    chunk = next(iter(use_built_services.knowledge_index.chunks()))

    response = api.get(f"/api/v1/knowledge/chunks/{quote(chunk.chunk_id, safe='/')}", headers=a001)

    assert response.status_code == 200
    assert response.json() | {"text": None} == {"chunk_id": chunk.chunk_id, "source": chunk.doc_id, "title": chunk.title,
                                                "heading": chunk.heading, "product_id": chunk.product_id, "text": None}
    assert response.json()["text"] == chunk.text and len(chunk.text) > 10


@pytest.mark.parametrize("chunk_id", ["faq/no-such-document%230", "..%2F..%2Fetc%2Fpasswd"])
def test_unknown_chunk_is_a_chinese_404(api, a001, chunk_id):
    response = api.get(f"/api/v1/knowledge/chunks/{chunk_id}", headers=a001)
    assert response.status_code == 404 and "知识片段" in response.json()["detail"]


def test_chunk_needs_a_token(api):
    assert api.get("/api/v1/knowledge/chunks/faq/deposit-insurance%230").status_code == 401
