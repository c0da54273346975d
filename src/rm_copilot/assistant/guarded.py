"""Generation behind the gate: LLM output is untrusted.

Policy: pass → deliver; rewrite → deliver the rewritten text; block (or a quantity the sources do
not state, or an error/timeout) from an LLM → regenerate once with the findings as instructions, then
the builtin composer, then its conservative variant. Blocked text is never returned.

Every transformation of a text (`post`: citation renumbering, emoji stripping) runs before the gate
check whose verdict the text is delivered under, so the text shown is the text checked.
"""
from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, cast

from rm_copilot.assistant.gate import ComplianceGate
from rm_copilot.assistant.grounding import ungrounded_quantities
from rm_copilot.compliance.models import CheckResult, Finding
from rm_copilot.generation.points import clean
from rm_copilot.generation.prompts import PromptRenderer
from rm_copilot.generation.request import ComposeRequest
from rm_copilot.generation.sentences import SentenceBuffer, split_sentences

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

log = logging.getLogger(__name__)
WITHHELD = "该内容未通过合规检查，已拦截，请客户经理人工撰写。"
Post = Callable[[str], str]


_FALLBACKS = (("builtin", False), ("builtin_avoiding", False), ("builtin_avoiding_words", False),
              ("builtin_safe", True))
_MARKERS = re.compile(r"\[\d+\]")


def _same(text: str) -> str:
    return text


def _sentences_holding(text: str, words: list[str]) -> list[str]:
    """The statements of text (markers and list artefacts removed) that contain a flagged word."""
    return [statement for sentence in split_sentences(text)
            if any(word in sentence for word in words) and len(statement := clean(_MARKERS.sub("", sentence))) >= 4]


@dataclass(frozen=True)
class Guarded:
    text: str
    result: CheckResult
    origin: str  # llm | llm_retry | builtin | builtin_safe | withheld


def ungrounded_numbers(text: str, sources: str) -> list[str]:
    """Quantities in text (citation markers and small counters aside) that no source states by value."""
    return ungrounded_quantities(text, sources)


def _grounding_findings(text: str, sources: str) -> list[Finding]:
    return [
        Finding("grounding.number", "misleading", "block", 0, 0, number,
                f"数字{number}在给定资料中找不到", "只使用资料中出现的数字，或不写数字")
        for number in ungrounded_numbers(text, sources)
    ]


class Composer(Protocol):
    """The builtin composer (`BuiltinComposer`, or `BuiltinComposerChatModel` as a LangChain model)."""

    def compose(self, request: ComposeRequest) -> str: ...


class GuardedGenerator:
    """`model`: the LLM (a LangChain chat model); None, or a model that itself composes offline
    (`BuiltinComposerChatModel`), means the builtin backend — then nothing of LangChain is used."""

    def __init__(self, model: BaseChatModel | Composer | None, builtin: Composer, renderer: PromptRenderer,
                 gate: ComplianceGate, *, max_concurrency: int = 4):
        self.model = model
        self.builtin = builtin
        self.renderer = renderer
        self.gate = gate
        self._llm_slots = threading.BoundedSemaphore(max(1, max_concurrency))

    @property
    def uses_llm(self) -> bool:
        return self.model is not None and not callable(getattr(self.model, "compose", None))

    @property
    def _llm(self) -> BaseChatModel:
        """The LLM, when `uses_llm`: a chat model, not a composer."""
        return cast("BaseChatModel", self.model)

    def generate(self, request: ComposeRequest, *, sources: str, post: Post = _same, **check: Any) -> Guarded:
        findings: list[Finding] = []
        if self.uses_llm:
            for origin in ("llm", "llm_retry"):
                attempt = request.model_copy(update={"findings": [f.to_dict() for f in findings]})
                text = self._invoke(attempt)
                if text is None or not text.strip():  # an empty reply is a failure, not an answer
                    break
                text = post(text)
                grounding = _grounding_findings(text, sources)
                result = self.gate.check(text, **check)
                if result.verdict != "block" and not grounding:
                    return Guarded(result.text, result, origin)
                findings = [f for f in result.findings if f.severity == "block"] + grounding
        return self.fallback(request, post=post, **check)

    def fallback(self, request: ComposeRequest, *, post: Post = _same, **check: Any) -> Guarded:
        """Builtin text; when blocked, again without the blocked sentences, then without any sentence
        holding a flagged word, then the conservative variant."""
        sentences: list[str] = []
        words: list[str] = []
        for origin, safe in _FALLBACKS:
            if origin == "builtin_avoiding" and not sentences or origin == "builtin_avoiding_words" and not words:
                continue
            avoid = sentences + (words if origin == "builtin_avoiding_words" else [])
            attempt = request.model_copy(update={"safe": safe, "findings": [], "avoid": avoid})
            text = post(self.builtin.compose(attempt))
            result = self.gate.check(text, **{**check, "record": False})
            if missing := _missing_disclosures(text, result):
                text = post(self.builtin.compose(attempt.model_copy(update={"extra_disclosures": missing})))
                result = self.gate.check(text, **{**check, "record": False})
            if check.get("record", True):
                self.gate.record(result, text, **check)  # the verdict just computed for this very text
            if result.verdict != "block":
                return Guarded(result.text, result, origin)
            log.info("builtin %s text blocked by rules %s", origin, result.rule_ids)
            blocked = [f.matched for f in result.findings if f.severity == "block" and f.matched]
            words.extend(blocked)
            sentences.extend(_sentences_holding(text, blocked))
        result = self.gate.check(WITHHELD, **_without_product(check))
        return Guarded(result.text, result, "withheld")

    def stream(self, request: ComposeRequest, *, sources: str, post: Post = _same,
               **check: Any) -> Iterator[str | Guarded]:
        """Yield checked sentences as they complete, then the final Guarded (whose text they prefix)."""
        if not self.uses_llm:
            guarded = self.generate(request, sources=sources, post=post, **check)
            yield from split_sentences(guarded.text)
            yield guarded
            return
        sentence_check = {**check, "record": False}
        delivered: list[str] = []
        buffer = SentenceBuffer()
        failed = False
        try:
            with self._llm_slots:
                yield from self._stream_sentences(request, sources, post, sentence_check, buffer, delivered)
        except _Rejected:
            failed = True
        except Exception as error:  # timeouts and transport errors: fall back, never fail the request
            log.warning("LLM stream failed: %s", type(error).__name__)
            failed = True
        prefix = "".join(delivered)
        if failed or not prefix.strip():
            rest = self.fallback(request, post=post, **check).text
            separator = "\n" if prefix and not prefix.endswith("\n") else ""
            yield from split_sentences(separator + rest)
            prefix = prefix + separator + rest
        final = self.gate.check(prefix, **check)
        if final.verdict == "block":
            final = self.fallback(request, post=post, **check).result
        yield Guarded(final.text, final, "llm" if not failed else "builtin")

    def _stream_sentences(self, request: ComposeRequest, sources: str, post: Callable[[str], str],
                          check: dict[str, Any], buffer: SentenceBuffer, delivered: list[str]) -> Iterator[str]:
        """Checked sentences of the LLM stream; raises _Rejected at the first one that may not be shown."""
        from rm_copilot.generation.messages import build_messages

        for chunk in self._llm.stream(build_messages(request, self.renderer)):
            for sentence in buffer.feed(str(chunk.content)):
                yield self._deliver(self._check_sentence(post(sentence), sources, check), delivered)
        if rest := buffer.flush():
            yield self._deliver(self._check_sentence(post(rest), sources, check), delivered)

    @staticmethod
    def _deliver(checked: str | None, delivered: list[str]) -> str:
        if checked is None:
            raise _Rejected
        delivered.append(checked)
        return checked

    def _check_sentence(self, sentence: str, sources: str, check: dict[str, Any]) -> str | None:
        if not sentence.strip():
            return sentence
        if ungrounded_numbers(sentence, sources):
            return None
        result = self.gate.check(sentence, **_without_product(check))
        return None if result.verdict == "block" else result.text

    def _invoke(self, request: ComposeRequest) -> str | None:
        from rm_copilot.generation.messages import build_messages

        try:
            messages = build_messages(request, self.renderer)  # rendered before taking a model slot
            with self._llm_slots:
                return str(self._llm.invoke(messages).content)
        except Exception as error:  # timeouts and transport errors: fall back, never fail the request
            log.warning("LLM call failed: %s", type(error).__name__)
            return None


class _Rejected(Exception):
    """A streamed sentence failed the gate (blocked or ungrounded): stop the LLM, fall back."""


def _missing_disclosures(text: str, result: CheckResult) -> list[str]:
    """The rulebook wording the engine appended, so the composer can place it where it belongs."""
    rewrites = [f for f in result.findings if f.severity != "warn"]
    if result.verdict != "rewrite" or any(f.category != "disclosure" for f in rewrites):
        return []
    if not result.text.startswith(text.rstrip()):
        return []
    appended = result.text[len(text.rstrip()):].strip("。 \n")
    return [part for part in re.split(r"。", appended) if part.strip()]


def _without_product(check: dict[str, Any]) -> dict[str, Any]:
    """Sentences are checked for wording and PII; required disclosures apply to the whole text."""
    return {k: v for k, v in check.items() if k != "product_type"}
