"""Bring a home up to date: knowledge index synced with knowledge_base/, demo data loaded once.

Used by `rm-copilot index`, by the first `serve` on an empty home, and by the test fixtures.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from rm_copilot.services import Services


@dataclass(frozen=True)
class BootstrapReport:
    added: int
    updated: int
    removed: int
    unchanged: int
    customers_loaded: int

    def describe(self) -> str:
        return (
            f"知识库索引：新增 {self.added}，更新 {self.updated}，删除 {self.removed}，"
            f"未变 {self.unchanged}；演示客户新载入 {self.customers_loaded} 位"
        )


def prepare(services: Services, *, rebuild: bool = False, progress: Callable[[int, int], None] | None = None) -> BootstrapReport:
    """`progress(done, total)` is called while chunks are embedded (see `KnowledgeIndex.sync`)."""
    from rm_copilot.knowledge.documents import load_documents

    index = services.knowledge_index
    if rebuild:
        index.clear()
    sync = index.sync(load_documents(services.settings.knowledge_base), progress=progress)
    loaded = services.customers.ensure_demo_data(
        services.catalog,
        seed=services.settings.demo_seed,
        count=services.settings.demo_customer_count,
    )
    return BootstrapReport(sync.added, sync.updated, sync.removed, sync.unchanged, loaded)
