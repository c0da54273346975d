"""The application's object graph, built lazily once per process and shared by CLI, API and workers.

Each property builds its part on first use, so `rm-copilot check` never loads the embedding model
and `rm-copilot customers list` never opens Chroma.
"""
from __future__ import annotations

import threading
from functools import cached_property
from typing import TYPE_CHECKING

from rm_copilot.config import Settings, get_settings

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from rm_copilot.assistant.copilot import Copilot
    from rm_copilot.assistant.gate import ComplianceGate
    from rm_copilot.assistant.sessions import SessionStore
    from rm_copilot.compliance.engine import ComplianceEngine
    from rm_copilot.compliance.semantic import SentenceEncoder
    from rm_copilot.customers.need_store import InferredNeedStore
    from rm_copilot.customers.repository import CustomerRepository
    from rm_copilot.db import StoreProbe
    from rm_copilot.knowledge.index import KnowledgeIndex
    from rm_copilot.knowledge.products import ProductCatalog
    from rm_copilot.knowledge.retriever import HybridRetriever
    from rm_copilot.marketing.service import MarketingService
    from rm_copilot.rate_limits import SqlRateLimiter


class Services:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or get_settings()
        self._lock = threading.RLock()

    @cached_property
    def engine(self) -> "Engine":
        from rm_copilot import schema
        from rm_copilot.db import make_engine

        self.settings.resolved_home.mkdir(parents=True, exist_ok=True)
        engine = make_engine(self.settings.resolved_database_url)
        schema.upgrade(engine)
        return engine

    @cached_property
    def store_probe(self) -> "StoreProbe":
        from rm_copilot.db import StoreProbe

        return StoreProbe(self.engine)

    @cached_property
    def session_factory(self) -> "sessionmaker[Session]":
        from rm_copilot.db import make_session_factory

        return make_session_factory(self.engine)

    @cached_property
    def chat_limiter(self) -> "SqlRateLimiter":
        from rm_copilot.rate_limits import SqlRateLimiter

        return SqlRateLimiter(self.session_factory, self.settings.chat_rate_limit_per_minute)

    @cached_property
    def customers(self) -> "CustomerRepository":
        from rm_copilot.customers.repository import CustomerRepository

        return CustomerRepository(self.session_factory, demo_dir=self.settings.knowledge_base / "demo",
                                  after_upsert=lambda ids: self.inferred_needs.refresh(ids))

    @cached_property
    def inferred_needs(self) -> "InferredNeedStore":
        from rm_copilot.customers.need_wiring import need_store_from_services

        return need_store_from_services(self)

    @cached_property
    def catalog(self) -> "ProductCatalog":
        from rm_copilot.knowledge.products import ProductCatalog

        return ProductCatalog.from_directory(self.settings.knowledge_base)

    @cached_property
    def knowledge_index(self) -> "KnowledgeIndex":
        from rm_copilot.knowledge.index import KnowledgeIndex

        with self._lock:
            return KnowledgeIndex.from_settings(self.settings)

    @cached_property
    def retriever(self) -> "HybridRetriever":
        from rm_copilot.knowledge.retriever import HybridRetriever

        with self._lock:
            return HybridRetriever.from_index(self.knowledge_index)

    @cached_property
    def compliance(self) -> "ComplianceEngine":
        from rm_copilot.compliance.engine import ComplianceEngine

        from rm_copilot.compliance.rulebook import Rulebook

        rulebook = Rulebook.from_directory(self.settings.knowledge_base / "compliance")
        products = self.catalog.compliance_refs()
        return ComplianceEngine(rulebook, products=products, elderly_age=self.settings.elderly_age,
                                semantic=self._semantic_layer(rulebook, products))

    def _semantic_layer(self, rulebook, products):
        """The meaning layer (on unless RM_COPILOT_COMPLIANCE_SEMANTIC=false): every channel's gate uses it."""
        if not self.settings.compliance_semantic:
            return None
        from rm_copilot.compliance.semantic import SemanticLayer, SemanticModel
        from rm_copilot.errors import RulebookError

        path = self.settings.knowledge_base / "compliance" / "semantic" / "model.npz"
        if not path.is_file():
            raise RulebookError(f"缺少合规语义模型 {path.name}：请运行 scripts/train_compliance_model.py，"
                                "或设置 RM_COPILOT_COMPLIANCE_SEMANTIC=false 只用规则检查。")
        names = [name for product in products for name in (product.name, *product.aliases)]
        return SemanticLayer.for_rules(SemanticModel.load(path), self.sentence_encoder, rulebook.rules,
                                       product_names=names)

    @cached_property
    def sentence_encoder(self) -> "SentenceEncoder":
        """multilingual-e5-small query vectors for the compliance meaning layer, from the same loaded
        model instance the retriever's e5 embeddings use; loaded on the first sentence that needs it."""
        from rm_copilot.compliance.semantic import LazyEncoder
        from rm_copilot.knowledge.embeddings import E5Embeddings

        return LazyEncoder(E5Embeddings(num_threads=self.settings.embedding_threads)._model)

    @cached_property
    def gate(self) -> "ComplianceGate":
        from rm_copilot.assistant.gate import ComplianceGate

        return ComplianceGate.from_services(self)

    @cached_property
    def sessions(self) -> "SessionStore":
        from rm_copilot.assistant.sessions import SessionStore

        return SessionStore(self.session_factory)

    @cached_property
    def copilot(self) -> "Copilot":
        from rm_copilot.assistant.copilot import Copilot

        return Copilot.from_services(self)

    @cached_property
    def marketing(self) -> "MarketingService":
        from rm_copilot.marketing.wiring import marketing_from_services

        return marketing_from_services(self)


_services: Services | None = None
_services_lock = threading.Lock()


def get_services() -> Services:
    global _services
    with _services_lock:
        if _services is None:
            _services = Services()
        return _services


def reset_services(services: Services | None = None) -> None:
    """Tests swap the process-wide graph (e.g. after changing RM_COPILOT_HOME)."""
    global _services
    with _services_lock:
        _services = services
