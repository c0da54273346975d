"""One overall deadline for an LLM call, across its retries and its stream chunks.

httpx timeouts bound each socket read, so a server that drips a byte a second never trips them,
and the OpenAI client's retries multiply the wait. `DeadlineChatModel` gives a call one deadline,
retries only while time remains, and `DeadlineTransport` (the HTTP client's transport) enforces
it on every read. A reply without words counts as a failure, so callers fall back as for any other.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

import httpx
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

_local = threading.local()


class DeadlineExceeded(TimeoutError):
    """The LLM call ran past its overall deadline."""


class UnusableReply(ValueError):
    """The LLM answered with no words: nothing, whitespace, or only punctuation and emoji."""


def usable(text: str) -> bool:
    return any(character.isalnum() for character in text)


@contextmanager
def _deadline(at: float) -> Iterator[None]:
    previous = getattr(_local, "deadline", None)
    _local.deadline = at if previous is None else min(at, previous)
    try:
        yield
    finally:
        _local.deadline = previous


def _remaining() -> float | None:
    deadline = getattr(_local, "deadline", None)
    return None if deadline is None else deadline - time.monotonic()


class DeadlineTransport(httpx.BaseTransport):
    """Bounds every request, and every chunk of its response, by the calling thread's deadline."""

    def __init__(self, inner: httpx.BaseTransport | None = None):
        self._inner = inner or httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        remaining = _remaining()
        if remaining is None:
            return self._inner.handle_request(request)
        if remaining <= 0:
            raise httpx.ConnectTimeout("LLM deadline passed", request=request)
        request.extensions["timeout"] = {kind: remaining for kind in ("connect", "read", "write", "pool")}
        response = self._inner.handle_request(request)
        return httpx.Response(response.status_code, headers=response.headers, extensions=response.extensions,
                              stream=_DeadlineStream(response, request))

    def close(self) -> None:
        self._inner.close()


class _DeadlineStream(httpx.SyncByteStream):
    def __init__(self, response: httpx.Response, request: httpx.Request):
        self._response = response
        self._request = request

    def __iter__(self) -> Iterator[bytes]:
        # The inner transport is synchronous, so its stream is a SyncByteStream.
        for chunk in cast(httpx.SyncByteStream, self._response.stream):
            remaining = _remaining()
            if remaining is not None and remaining <= 0:
                raise httpx.ReadTimeout("LLM deadline passed", request=self._request)
            yield chunk

    def close(self) -> None:
        self._response.close()


class DeadlineChatModel(BaseChatModel):
    """Wraps a chat model: `seconds` for the whole call, `retries` more attempts while time remains."""

    inner: BaseChatModel
    seconds: float
    retries: int = 0

    @property
    def _llm_type(self) -> str:
        return f"deadline-{self.inner._llm_type}"

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None, run_manager: Any = None,
                  **kwargs: Any) -> ChatResult:
        deadline = time.monotonic() + self.seconds
        for attempt in range(self.retries + 1):
            try:
                with _deadline(deadline):
                    message = self.inner.invoke(messages, stop=stop, **kwargs)
                break
            except Exception:
                if time.monotonic() >= deadline:
                    raise DeadlineExceeded(f"LLM call exceeded {self.seconds:g} s") from None
                if attempt == self.retries:
                    raise
        if not usable(str(message.content)):
            raise UnusableReply("LLM reply carries no words")
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None, run_manager: Any = None,
                **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        deadline = time.monotonic() + self.seconds
        chunks = self.inner.stream(messages, stop=stop, **kwargs)
        useful = False
        while True:
            try:
                with _deadline(deadline):
                    chunk = next(chunks)
            except StopIteration:
                break
            except Exception:
                if time.monotonic() >= deadline:
                    raise DeadlineExceeded(f"LLM stream exceeded {self.seconds:g} s") from None
                raise
            if time.monotonic() >= deadline:
                raise DeadlineExceeded(f"LLM stream exceeded {self.seconds:g} s")
            useful = useful or usable(str(chunk.content))
            yield ChatGenerationChunk(message=AIMessageChunk(content=chunk.content))
        if not useful:
            raise UnusableReply("LLM stream carried no text")
