from typing import Annotated

from fastapi import APIRouter, Path, Response

from rm_copilot.channels.api.deps import CurrentAdvisor, ServicesDep
from rm_copilot.channels.api.responses import NOT_FOUND
from rm_copilot.channels.api.schemas import ID_PATTERN, MessageOut, SessionOut

router = APIRouter(prefix="/sessions", tags=["sessions"])

SessionId = Annotated[str, Path(pattern=ID_PATTERN)]


@router.get("", response_model=list[SessionOut])
def list_sessions(advisor: CurrentAdvisor, services: ServicesDep) -> list:
    """当前客户经理的对话会话，最近的在前。"""
    return services.sessions.list_for_advisor(advisor.id)


@router.get("/{session_id}/messages", response_model=list[MessageOut], responses=NOT_FOUND)
def session_messages(session_id: SessionId, advisor: CurrentAdvisor, services: ServicesDep) -> list:
    """一个会话的消息记录。"""
    return services.sessions.history(session_id, advisor_id=advisor.id)


@router.delete("/{session_id}", status_code=204, responses=NOT_FOUND)
def delete_session(session_id: SessionId, advisor: CurrentAdvisor, services: ServicesDep) -> Response:
    """删除一个会话及其消息。"""
    services.sessions.delete(session_id, advisor_id=advisor.id)
    return Response(status_code=204)
