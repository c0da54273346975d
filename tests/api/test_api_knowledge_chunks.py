"""`GET /api/v1/knowledge/chunks/{chunk_id}`: a citation's chunk id opens the passage's text."""
from __future__ import annotations

from urllib.parse import quote

import pytest

pytestmark = pytest.mark.slow


def test_cited_chunk_answers_its_text(api, a001, use_built_services):
    chunk = next(iter(use_built_services.knowledge_index.chunks()))

    response = api.get(f"/api/v1/knowledge/chunks/{quote(chunk.chunk_id, safe='/')}", headers=a001)

    assert response.status_code == 200
    body = response.json()
    assert body | {"text": None, "compliance": None} == {
        "chunk_id": chunk.chunk_id, "source": chunk.doc_id, "title": chunk.title, "heading": chunk.heading,
        "product_id": chunk.product_id, "text": None, "compliance": None}
    assert body["compliance"]["verdict"] in {"pass", "rewrite"}
    assert body["text"] and len(chunk.text) > 10


@pytest.mark.parametrize("chunk_id", ["faq/no-such-document%230", "..%2F..%2Fetc%2Fpasswd"])
def test_unknown_chunk_is_a_chinese_404(api, a001, chunk_id):
    response = api.get(f"/api/v1/knowledge/chunks/{chunk_id}", headers=a001)
    assert response.status_code == 404 and "知识片段" in response.json()["detail"]


def test_chunk_needs_a_token(api):
    assert api.get("/api/v1/knowledge/chunks/faq/deposit-insurance%230").status_code == 401


def test_a_cited_chunk_passes_the_compliance_gate_and_is_audited(api, a001, use_built_services):
    from sqlalchemy import select

    from rm_copilot.compliance.audit import AuditRecord

    chunk = next(iter(use_built_services.knowledge_index.chunks()))
    with use_built_services.session_factory() as session:
        before = len(session.scalars(select(AuditRecord).where(AuditRecord.source == "knowledge")).all())

    body = api.get(f"/api/v1/knowledge/chunks/{quote(chunk.chunk_id, safe='/')}", headers=a001).json()

    expected = use_built_services.gate.check(chunk.text, channel="tablet", record=False)
    assert body["compliance"]["verdict"] == expected.verdict
    with use_built_services.session_factory() as session:
        rows = session.scalars(select(AuditRecord).where(AuditRecord.source == "knowledge")).all()
    assert len(rows) == before + 1 and rows[-1].advisor_id == "A001"


class _BlockingGate:
    def __init__(self, real):
        self.real = real

    def check(self, text, **context):
        result = self.real.check("本产品保本保息，稳赚不赔。", channel=context.get("channel"), record=False)
        assert result.verdict == "block"
        return result


def test_a_chunk_the_gate_blocks_is_withheld(api, a001, use_built_services, monkeypatch):
    from rm_copilot.channels.api.routes.knowledge import WITHHELD_TEXT

    chunk = next(iter(use_built_services.knowledge_index.chunks()))
    monkeypatch.setattr(use_built_services, "gate", _BlockingGate(use_built_services.gate))

    body = api.get(f"/api/v1/knowledge/chunks/{quote(chunk.chunk_id, safe='/')}", headers=a001).json()

    assert body["text"] == WITHHELD_TEXT and chunk.text not in body["text"]
    assert body["compliance"]["verdict"] == "block" and body["compliance"]["findings"]
