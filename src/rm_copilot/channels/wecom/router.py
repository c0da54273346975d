"""`GET, POST /wecom/callback`: WeCom URL verification and encrypted message receipt (DESIGN.md §6)."""
from __future__ import annotations

import threading
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from rm_copilot.channels.wecom.channel import Outcome, WeComChannel
from rm_copilot.channels.wecom.crypto import InvalidSignature, WeComCryptoError
from rm_copilot.channels.wecom.messages import MAX_BODY_BYTES, MalformedMessage
from rm_copilot.services import get_services, wecom_configured


class ErrorDetail(BaseModel):
    detail: str


def _error(description: str) -> dict:
    # Spelled out: with a text/plain route, `model=` would document the error as text/plain too.
    return {"description": description, "content": {"application/json": {"schema": ErrorDetail.model_json_schema()}}}


router = APIRouter(prefix="/wecom", tags=["wecom"])
_build_lock = threading.Lock()


def get_channel(request: Request) -> WeComChannel:
    """The app's WeCom channel, built on first use; 503 while the WeCom settings are incomplete."""
    state = request.app.state
    channel = getattr(state, "wecom_channel", None)
    if channel is not None:
        return channel
    services = getattr(state, "services", None) or get_services()
    if not wecom_configured(services.settings):
        raise HTTPException(status_code=503, detail="企业微信未配置")
    with _build_lock:
        if getattr(state, "wecom_channel", None) is None:
            state.wecom_channel = services.make_wecom_channel()
    return state.wecom_channel


def start_channel(app, services) -> None:  # noqa: ANN001 - FastAPI app and Services
    """At start-up, when WeCom is configured: build the channel so messages a stopped process acknowledged are answered."""
    if wecom_configured(services.settings):
        with _build_lock:
            if getattr(app.state, "wecom_channel", None) is None:
                app.state.wecom_channel = services.make_wecom_channel()


ChannelDep = Annotated[WeComChannel, Depends(get_channel)]
SignatureQuery = Annotated[str, Query(max_length=128, description="消息体签名")]
TimestampQuery = Annotated[str, Query(max_length=32)]
NonceQuery = Annotated[str, Query(max_length=64)]


@router.get(
    "/callback",
    response_class=PlainTextResponse,
    responses={403: _error("签名校验失败"), 503: _error("企业微信未配置")},
)
def verify_callback_url(
    channel: ChannelDep,
    msg_signature: SignatureQuery,
    timestamp: TimestampQuery,
    nonce: NonceQuery,
    echostr: Annotated[str, Query(max_length=4096)],
) -> PlainTextResponse:
    """WeCom URL verification: answer the decrypted echostr."""
    try:
        return PlainTextResponse(channel.verify_url(msg_signature, timestamp, nonce, echostr))
    except WeComCryptoError:
        raise HTTPException(status_code=403, detail="签名校验失败") from None


async def _read_body(request: Request) -> bytes:
    body = bytearray()
    async for part in request.stream():
        body += part
        if len(body) > MAX_BODY_BYTES:
            raise HTTPException(status_code=413, detail="消息过大")
    return bytes(body)


@router.post(
    "/callback",
    response_class=PlainTextResponse,
    responses={
        400: _error("消息格式错误或无法解密"),
        403: _error("签名校验失败"),
        413: _error("消息过大"),
        503: _error("企业微信未配置，或服务繁忙"),
    },
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/xml": {"schema": {"type": "string"}}}}
    },
)
async def receive_callback(
    request: Request,
    channel: ChannelDep,
    msg_signature: SignatureQuery,
    timestamp: TimestampQuery,
    nonce: NonceQuery,
) -> PlainTextResponse:
    """Encrypted message receipt: acknowledged at once with an empty 200; the reply is sent later."""
    body = await _read_body(request)
    try:
        outcome = await run_in_threadpool(channel.receive, msg_signature, timestamp, nonce, body)
    except MalformedMessage:
        raise HTTPException(status_code=400, detail="消息格式错误") from None
    except InvalidSignature:
        raise HTTPException(status_code=403, detail="签名校验失败") from None
    except WeComCryptoError:
        raise HTTPException(status_code=400, detail="消息解密失败") from None
    if outcome is Outcome.BUSY:
        raise HTTPException(status_code=503, detail="服务繁忙，请稍后重试")
    return PlainTextResponse("")
