"""LangChain view of the hybrid retriever, for chains that expect a `BaseRetriever`."""
from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict


class KnowledgeRetriever(BaseRetriever):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: Any
    k: int = 5
    mode: str = "hybrid"
    filters: dict[str, Any] = {}

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        hits = self.retriever.search(query, k=self.k, mode=self.mode, **self.filters)
        return [
            Document(
                page_content=hit.chunk.text,
                id=hit.chunk.chunk_id,
                metadata={**hit.chunk.metadata, "chunk_id": hit.chunk.chunk_id, "score": hit.score, "ranks": hit.ranks},
            )
            for hit in hits
        ]
