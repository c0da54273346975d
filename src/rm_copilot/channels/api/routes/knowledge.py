"""`GET /api/v1/knowledge/chunks/{chunk_id}`: the text of a cited passage, so a citation opens what it cites."""
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel

from rm_copilot.channels.api.deps import CurrentAdvisor, ServicesDep
from rm_copilot.channels.api.responses import NOT_FOUND

router = APIRouter(prefix="/knowledge", tags=["knowledge"], responses=NOT_FOUND)


class ChunkOut(BaseModel):
    chunk_id: str
    source: str
    title: str
    heading: str
    product_id: str | None
    text: str


@router.get("/chunks/{chunk_id:path}", response_model=ChunkOut)
def knowledge_chunk(
    chunk_id: Annotated[str, Path(min_length=3, max_length=200, description="引用中的 chunk_id，如 faq/deposit-insurance#0（# 需编码为 %23）")],
    advisor: CurrentAdvisor,
    services: ServicesDep,
) -> dict:
    """知识库片段原文（引用所指的段落）。"""
    chunk = services.knowledge_index.get_chunk(chunk_id)
    return {"chunk_id": chunk.chunk_id, "source": chunk.doc_id, "title": chunk.title, "heading": chunk.heading,
            "product_id": chunk.product_id, "text": chunk.text}
