from fastapi import APIRouter
from sse_starlette import EventSourceResponse
from starlette.concurrency import run_in_threadpool

from rm_copilot.channels.api.deps import ChatRateLimit, CurrentAdvisor, ServicesDep, ensure_own_customer
from rm_copilot.channels.api.responses import NOT_FOUND, RATE_LIMITED, Responses
from rm_copilot.channels.api.schemas import ChatRequest, ChatResponse
from rm_copilot.channels.api.streaming import first_event, sse_events

router = APIRouter(
    prefix="/chat", tags=["chat"], dependencies=[ChatRateLimit], responses={**NOT_FOUND, **RATE_LIMITED}
)


def _event(name: str, data: dict) -> dict:
    return {
        "type": "object", "required": ["event", "data"],
        "properties": {"event": {"const": name}, "data": data},
    }


def _json_data(component: str) -> dict:
    return {"type": "string", "contentMediaType": "application/json",
            "contentSchema": {"$ref": f"#/components/schemas/{component}"}}


# Each server-sent event (OpenAPI 3.2 style): sentences, then the full answer; `error` if cut short.
STREAM_DOC: Responses = {
    200: {
        "description": "事件流：若干 `delta`（逐句、已过合规的文本），最后一个 `done`（完整回答对象，同 /chat）",
        "content": {"text/event-stream": {"schema": {"oneOf": [
            _event("delta", {"type": "string"}),
            _event("done", _json_data("ChatResponse")),
            _event("error", _json_data("ErrorResponse")),
        ]}}},
    }
}


@router.post("", response_model=ChatResponse)
def chat(body: ChatRequest, advisor: CurrentAdvisor, services: ServicesDep) -> dict:
    """回答客户经理的问题，附引用和合规结果。"""
    ensure_own_customer(services, advisor, body.customer_id)
    answer = services.copilot.chat(
        advisor.id, body.message, customer_id=body.customer_id, session_id=body.session_id
    )
    return answer.to_dict()


@router.post("/stream", response_class=EventSourceResponse, responses=STREAM_DOC)
async def chat_stream(body: ChatRequest, advisor: CurrentAdvisor, services: ServicesDep) -> EventSourceResponse:
    """同 /chat，但以 SSE 逐句返回；客户端断开即停止生成。"""
    await run_in_threadpool(ensure_own_customer, services, advisor, body.customer_id)
    events = services.copilot.chat_stream(
        advisor.id, body.message, customer_id=body.customer_id, session_id=body.session_id
    )
    return EventSourceResponse(sse_events(events, await first_event(events)))
