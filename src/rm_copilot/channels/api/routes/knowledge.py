"""`GET /api/v1/knowledge/chunks/{chunk_id}`: the text of a cited passage, so a citation opens what it cites.

The passage is text an advisor reads, so it passes the compliance gate (and is audited) like any other.
"""
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel

from rm_copilot.assistant.gate import deliverable
from rm_copilot.channels.api.deps import CurrentAdvisor, ServicesDep
from rm_copilot.channels.api.responses import NOT_FOUND
from rm_copilot.channels.api.schemas import ComplianceSummary

router = APIRouter(prefix="/knowledge", tags=["knowledge"], responses=NOT_FOUND)

WITHHELD_TEXT = "该片段未通过合规检查，已隐藏；请查阅原始文档。"


class ChunkOut(BaseModel):
    chunk_id: str
    source: str
    title: str
    heading: str
    product_id: str | None
    text: str
    compliance: ComplianceSummary


@router.get("/chunks/{chunk_id:path}", response_model=ChunkOut)
def knowledge_chunk(
    chunk_id: Annotated[str, Path(min_length=3, max_length=200, description="引用中的 chunk_id，如 faq/deposit-insurance#0（# 需编码为 %23）")],
    advisor: CurrentAdvisor,
    services: ServicesDep,
) -> dict:
    """知识库片段原文（引用所指的段落，已经过合规检查）。"""
    chunk = services.knowledge_index.get_chunk(chunk_id)
    result = services.gate.check(chunk.text, channel="tablet", advisor_id=advisor.id, source="knowledge")
    return {"chunk_id": chunk.chunk_id, "source": chunk.doc_id, "title": chunk.title, "heading": chunk.heading,
            "product_id": chunk.product_id, "text": deliverable(result) or WITHHELD_TEXT,
            "compliance": {"verdict": result.verdict, "findings": [f.to_dict() for f in result.findings]}}
