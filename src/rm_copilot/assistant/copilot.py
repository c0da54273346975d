"""`Copilot`: the assistant's front door for every channel (API, WeCom, CLI, campaigns).

Customer access always goes through `customers.get(customer_id, advisor_id=…)`, so another
advisor's customer is a NotFound; composers and LLMs only ever see the masked brief.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from rm_copilot.assistant.answer import AnswerPlan, AnswerPlanner
from rm_copilot.assistant.brief import build_brief
from rm_copilot.assistant.citations import CitationNumbering, PerTextNumbering
from rm_copilot.assistant.gate import ComplianceGate
from rm_copilot.assistant.guarded import Guarded, GuardedGenerator
from rm_copilot.assistant.recommend import Recommendation, recommend
from rm_copilot.assistant.scripts import Script, ScriptWriter, compliance_summary
from rm_copilot.compliance.models import CheckResult
from rm_copilot.compliance.pii import redact_pii
from rm_copilot.errors import BadInput
from rm_copilot.generation.sentences import split_sentences
from rm_copilot.knowledge.products import ProductCatalog

HISTORY_MESSAGES = 12
OPERATOR = "cli"  # sessions opened without an advisor (the command line) belong to this owner
MAX_MESSAGE_CHARS = 2000


class CustomerBook(Protocol):
    """The customer repository as the copilot reads it (`rm_copilot.customers.repository.CustomerRepository`)."""

    def get(self, customer_id: str, *, advisor_id: str | None = None) -> Any: ...

    def profile(self, customer_id: str, *, advisor_id: str | None = None) -> Any: ...

    def compliance_context(self, customer_id: str) -> Any: ...


class Retriever(Protocol):
    """Knowledge-base search (`rm_copilot.knowledge.retriever.HybridRetriever`)."""

    def search(self, query: str, *, k: int = 5, mode: Any = "hybrid", product_types: Any = None,
               max_risk: Any = None, product_ids: Any = None) -> list[Any]: ...


class ChatSessions(Protocol):
    """Chat sessions and their turns (`rm_copilot.assistant.sessions.SessionStore`)."""

    def get(self, session_id: str, *, advisor_id: str) -> Any: ...

    def history(self, session_id: str, *, advisor_id: str, limit: int | None = None) -> list[Any]: ...

    def new_id(self) -> str: ...

    def record_turn_later(self, session_id: str, **turn: Any) -> None: ...


@dataclass(frozen=True)
class ChatAnswer:
    session_id: str
    answer: str
    citations: list[dict[str, Any]]
    compliance: CheckResult
    origin: str = "builtin"
    rewritten_question: str | None = None
    route: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"session_id": self.session_id, "answer": self.answer, "citations": self.citations,
                "compliance": compliance_summary(self.compliance),
                "rewritten_question": self.rewritten_question, "route": self.route}


@dataclass(frozen=True)
class ScriptsAnswer:
    scripts: list[Script]

    def to_dict(self) -> dict[str, Any]:
        return {"scripts": [script.to_dict() for script in self.scripts]}


class StreamEvent(NamedTuple):
    """("delta", sentence) … then ("done", ChatAnswer); also readable as .kind/.text/.answer."""

    kind: str
    payload: Any

    @property
    def text(self) -> str | None:
        return self.payload if self.kind == "delta" else None

    @property
    def answer(self) -> ChatAnswer | None:
        return self.payload if self.kind == "done" else None


@dataclass
class _Turn:
    session_id: str
    customer_id: str | None
    plan: AnswerPlan
    check: dict[str, Any]
    question: str


class Copilot:
    """`retriever` is a function returning the retriever, called on the first question (the index loads late)."""

    def __init__(self, *, customers: CustomerBook, catalog: ProductCatalog, retriever: Callable[[], Retriever],
                 gate: ComplianceGate, sessions: ChatSessions, generator: GuardedGenerator, elderly_age: int = 65,
                 chunk_lookup: Callable[[str], Any] | None = None, variant_policy: Any = None,
                 script_log: Any = None, chunk_texts: Callable[[], list[str]] | None = None):
        self.customers = customers
        self.catalog = catalog
        self._retriever = retriever
        self._chunk_lookup = chunk_lookup
        self._chunk_texts = chunk_texts
        self.gate = gate
        self.sessions = sessions
        self.generator = generator
        self.elderly_age = elderly_age
        self.writer = ScriptWriter(catalog, generator, elderly_age=elderly_age, variant_policy=variant_policy,
                                   script_log=script_log)
        self._planner: AnswerPlanner | None = None

    @property
    def planner(self) -> AnswerPlanner:
        if self._planner is None:
            self._planner = AnswerPlanner(self._retriever(), self.catalog, elderly_age=self.elderly_age,
                                          chunk_lookup=self._chunk_lookup, chunk_texts=self._chunk_texts)
        return self._planner

    def brief(self, customer_id: str, *, advisor_id: str | None = None) -> dict[str, Any]:
        """The masked brief of a customer this advisor may see (NotFound otherwise)."""
        return self._customer(customer_id, advisor_id)[0]

    def _customer(self, customer_id: str, advisor_id: str | None) -> tuple[dict[str, Any], Any]:
        """The brief and the compliance context (read once, reused by every check of the request)."""
        read_once = getattr(self.customers, "for_answer", None)  # the repository reads the customer once
        if read_once is not None:
            view, profile, context = read_once(customer_id, advisor_id=advisor_id)
        else:
            view = self.customers.get(customer_id, advisor_id=advisor_id)
            profile = self.customers.profile(customer_id, advisor_id=advisor_id)
            context = self.customers.compliance_context(customer_id)
        names = (context.full_name,) if getattr(context, "full_name", None) else ()
        return build_brief(profile, elderly_age=self.elderly_age, note=view.note, names=names), context

    def recommend(self, advisor_id: str | None, customer_id: str, limit: int = 3) -> list[Recommendation]:
        return recommend(self.brief(customer_id, advisor_id=advisor_id), self.catalog, limit=limit,
                         elderly_age=self.elderly_age)

    def scripts(self, advisor_id: str | None, customer_id: str, product_id: str | None = None,
                scenario: str | None = None, channel: str = "tablet", variants: int = 1) -> ScriptsAnswer:
        brief, context = self._customer(customer_id, advisor_id)
        return ScriptsAnswer(self.writer.write(
            brief, product_id=product_id, scenario=scenario, channel=channel or "tablet", variants=variants,
            adaptive=True, customer_id=customer_id, advisor_id=advisor_id, customer_context=context,
        ))

    def chat(self, advisor_id: str | None, message: str, customer_id: str | None = None,
             session_id: str | None = None, *, channel: str | None = None) -> ChatAnswer:
        turn = self._begin(advisor_id, message, customer_id, session_id, channel)
        numbering = PerTextNumbering(turn.plan.chunks)
        if turn.plan.chunks:
            guarded = self.generator.generate(turn.plan.request, sources=turn.plan.sources, post=numbering,
                                              **turn.check)
        else:
            guarded = self.generator.fallback(turn.plan.request, post=numbering, **turn.check)
        return self._finish(turn, advisor_id, guarded, numbering.citations(guarded.text))

    def chat_stream(self, advisor_id: str | None, message: str, customer_id: str | None = None,
                    session_id: str | None = None, *, channel: str | None = None) -> Iterator[StreamEvent]:
        """Sentences as they pass the gate, then the full answer. Errors surface at the first next()."""
        turn = self._begin(advisor_id, message, customer_id, session_id, channel)
        numbering = turn.plan.numbering() if self.generator.uses_llm else PerTextNumbering(turn.plan.chunks)
        if turn.plan.chunks:
            events = self.generator.stream(turn.plan.request, sources=turn.plan.sources, post=numbering,
                                           **turn.check)
        else:
            events = self._not_found_stream(turn)
        for event in events:
            if isinstance(event, Guarded):
                citations = _citations_of(numbering, event.text)
                yield StreamEvent("done", self._finish(turn, advisor_id, event, citations))
            else:
                yield StreamEvent("delta", event)

    def _not_found_stream(self, turn: _Turn) -> Iterator[str | Guarded]:
        guarded = self.generator.fallback(turn.plan.request, post=PerTextNumbering([]), **turn.check)
        yield from split_sentences(guarded.text)
        yield guarded

    def _begin(self, advisor_id: str | None, message: str, customer_id: str | None, session_id: str | None,
               channel: str | None) -> _Turn:
        message = (message or "").strip()
        if not message:
            raise BadInput("问题不能为空。")
        if len(message) > MAX_MESSAGE_CHARS:
            raise BadInput(f"问题过长（最多{MAX_MESSAGE_CHARS}字）。")
        owner = advisor_id or OPERATOR
        history: list[Any] = []
        if session_id:
            session = self.sessions.get(session_id, advisor_id=owner)
            if customer_id and customer_id != session.customer_id:
                raise BadInput("该会话属于另一位客户（或未关联客户）：一个会话只对应一位客户，请为该客户开始新的会话"
                               "（不传 session_id）。")
            customer_id = session.customer_id
            history = self.sessions.history(session_id, advisor_id=owner, limit=HISTORY_MESSAGES)
        brief, context = self._customer(customer_id, advisor_id) if customer_id else (None, None)
        full_name = getattr(context, "full_name", None)
        names = (full_name,) if full_name else ()
        message = redact_pii(message, names=names)  # questions are stored and may reach an LLM
        session_id = session_id or self.sessions.new_id()
        plan = self.planner.plan(message, history=history, brief=brief, variant=len(history) // 2)
        check = {"channel": channel, "customer_id": customer_id, "advisor_id": advisor_id, "source": "chat",
                 "customer_context": context}
        return _Turn(session_id, customer_id, plan, check, message)

    def _finish(self, turn: _Turn, advisor_id: str | None, guarded: Guarded,
                citations: list[dict[str, Any]]) -> ChatAnswer:
        self.sessions.record_turn_later(turn.session_id, advisor_id=advisor_id or OPERATOR,
                                        question=turn.question, answer=guarded.text, citations=citations,
                                        customer_id=turn.customer_id)
        return ChatAnswer(turn.session_id, guarded.text, citations, guarded.result, guarded.origin,
                          rewritten_question=turn.plan.request.question, route=turn.plan.route)


def _citations_of(numbering: CitationNumbering | PerTextNumbering, text: str) -> list[dict[str, Any]]:
    if isinstance(numbering, PerTextNumbering):
        return numbering.citations(text)
    return numbering.citations()
