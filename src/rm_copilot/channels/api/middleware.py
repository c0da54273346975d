"""Request id, access log without PII, and the last-resort JSON 500 — one pure ASGI middleware.

Pure ASGI (not BaseHTTPMiddleware) so streamed answers and client disconnects pass through untouched.
"""
from __future__ import annotations

import json
import logging
import re
import time
import uuid
from contextvars import ContextVar

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("rm_copilot.api")
access_log = logging.getLogger("rm_copilot.api.access")

REQUEST_ID_HEADER = "X-Request-ID"
MAX_BODY_BYTES = 2 * 1024 * 1024  # the largest legitimate body: a campaign naming 10,000 customers
_ACCEPTED_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_request_id: ContextVar[str] = ContextVar("request_id", default="-")


def current_request_id() -> str:
    return _request_id.get()


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_id(scope) or uuid.uuid4().hex
        _request_id.set(request_id)
        started, status = time.perf_counter(), 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started, status = True, message["status"]
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.lower().encode(), request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        received = 0

        async def limited_receive() -> Message:
            """Bodies are read into memory by the handlers: refuse one past MAX_BODY_BYTES (413)."""
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > MAX_BODY_BYTES:
                    raise HTTPException(status_code=413, detail="请求体过大")
            return message

        try:
            if _declared_length(scope) > MAX_BODY_BYTES:
                await _send_json(send_with_id, 413, {"detail": "请求体过大"})
                return
            vanished = _vanished_store(scope)
            if vanished and scope["path"] != "/healthz":
                await _send_json(send_with_id, 503, {"detail": f"数据存储不可用：{vanished}，请联系运维（请求编号 {request_id}）"})
                return
            await self.app(scope, limited_receive, send_with_id)
        except Exception:
            log.exception("request_id=%s unhandled error on %s %s", request_id, scope["method"], scope["path"])
            if not response_started:
                await _send_internal_error(send_with_id, request_id)
        finally:
            # The path only: query strings may carry a search term such as a customer's name.
            access_log.info(
                "request_id=%s %s %s %s %.0fms", request_id, scope["method"], _one_line(scope["path"]), status,
                (time.perf_counter() - started) * 1000,
            )


def _vanished_store(scope: Scope) -> str | None:
    """Writes into a deleted SQLite file would be lost at the next start: refuse them instead."""
    services = getattr(getattr(scope.get("app"), "state", None), "services", None)
    probe = getattr(services, "store_probe", None)
    return probe.gone() if probe is not None else None


def _one_line(path: str) -> str:
    """A decoded path may hold %0a: escaped, so a request cannot forge extra log lines."""
    return path.encode("unicode_escape").decode("ascii") if not path.isprintable() else path


def _declared_length(scope: Scope) -> int:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            return int(value) if value.isdigit() else 0
    return 0


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            return candidate if _ACCEPTED_ID.match(candidate) else None
    return None


async def _send_internal_error(send: Send, request_id: str) -> None:
    await _send_json(send, 500, {"detail": f"服务器内部错误，请稍后再试（请求编号 {request_id}）"})


async def _send_json(send: Send, status: int, payload: dict) -> None:
    body = json.dumps(payload, ensure_ascii=False).encode()
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
    })
    await send({"type": "http.response.body", "body": body})
