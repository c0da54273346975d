"""Turn the copilot's blocking event iterator into Server-Sent Events.

Each `next()` runs in a worker thread; when the client goes away sse-starlette cancels this
generator and `finally` closes the copilot's iterator, which stops generation.
"""
from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

from sse_starlette import ServerSentEvent
from starlette.concurrency import run_in_threadpool

from rm_copilot.channels.api.middleware import current_request_id
from rm_copilot.channels.api.schemas import ChatResponse
from rm_copilot.errors import RmCopilotError

log = logging.getLogger("rm_copilot.api")
_END = object()


async def first_event(events: Iterator[Any]) -> Any:
    """Run up to the first event before answering 200, so a bad customer or session is still a 404."""
    return await run_in_threadpool(next, events, _END)


async def sse_events(events: Iterator[Any], first: Any) -> AsyncIterator[ServerSentEvent]:
    event = first
    try:
        while event is not _END:
            yield to_sse(event)
            event = await run_in_threadpool(next, events, _END)
    except RmCopilotError as error:
        yield _error_event(str(error))
    except Exception:
        log.exception("request_id=%s chat stream failed", current_request_id())
        yield _error_event(f"生成中断，请稍后再试（请求编号 {current_request_id()}）")
    finally:
        close = getattr(events, "close", None)
        if close is not None:
            close()


def to_sse(event: Any) -> ServerSentEvent:
    if event.kind == "delta":
        return ServerSentEvent(data=event.text, event="delta")
    payload = ChatResponse.model_validate(event.answer.to_dict()).model_dump(mode="json")
    return ServerSentEvent(data=json.dumps(payload, ensure_ascii=False), event="done")


def _error_event(detail: str) -> ServerSentEvent:
    return ServerSentEvent(data=json.dumps({"detail": detail}, ensure_ascii=False), event="error")
