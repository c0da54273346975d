"""`/api/v1/wecom/mass-messages`: turn an approved script or a finished campaign into 企业群发 tasks the
advisor confirms in WeCom, and read back what WeCom delivered."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Request, status
from pydantic import BaseModel, ConfigDict, Field, model_validator

from rm_copilot.channels.api.deps import CurrentAdvisor, ServicesDep, ensure_own_customer
from rm_copilot.channels.api.responses import NOT_FOUND
from rm_copilot.channels.api.schemas import ID_PATTERN, ErrorResponse
from rm_copilot.channels.wecom.client import WeComApiError
from rm_copilot.channels.wecom.mass import MassMessenger, MassSendFailed
from rm_copilot.channels.wecom.mass_sources import campaign_candidates, campaign_source, script_candidate
from rm_copilot.channels.wecom.router import get_channel

router = APIRouter(prefix="/wecom", tags=["wecom"], responses={
    **NOT_FOUND, 502: {"model": ErrorResponse, "description": "企业微信接口调用失败"},
    503: {"model": ErrorResponse, "description": "企业微信未配置"},
})


def _messenger(request: Request, services: Any) -> MassMessenger:
    """Built inside the handler, after validation: a bad request is 422 even while WeCom is unconfigured (503)."""
    return services.wecom_mass_messenger(get_channel(request).client)


class MassMessageRequest(BaseModel):
    """二选一：campaign_id（已完成的批量话术任务），或 script_id + customer_id + text（已生成且通过合规的话术原文）。"""

    model_config = ConfigDict(extra="forbid")

    campaign_id: str | None = Field(default=None, pattern=ID_PATTERN)
    script_id: str | None = Field(default=None, pattern=ID_PATTERN)
    customer_id: str | None = Field(default=None, pattern=ID_PATTERN)
    text: str | None = Field(default=None, min_length=1, max_length=2000)

    @model_validator(mode="after")
    def _one_source(self) -> MassMessageRequest:
        script = (self.script_id, self.customer_id, self.text)
        if self.campaign_id is not None and any(v is not None for v in script):
            raise ValueError("campaign_id 与 script_id/customer_id/text 只能二选一")
        if self.campaign_id is None and any(v is None for v in script):
            raise ValueError("请提供 campaign_id，或同时提供 script_id、customer_id 和 text")
        return self


class Excluded(BaseModel):
    customer_id: str
    reason: str | None


class Recipient(BaseModel):
    customer_id: str
    status: str = Field(description="pending 待客户经理在企业微信确认 / sent 已发送 / failed 发送失败")
    reason: str | None
    variant: int | None


class MassTask(BaseModel):
    msgid: str
    recipients: int


class MassMessageOut(BaseModel):
    id: str
    sender: str
    campaign_id: str | None
    script_id: str | None
    created_at: str
    counts: dict[str, int]
    recipients: list[Recipient]
    excluded: list[Excluded]
    tasks: list[MassTask] | None = None


def _wecom_call(call: Any) -> dict:
    try:
        return call()
    except MassSendFailed as error:
        partial = f"；已创建的任务请查询群发编号 {error.mass_id}" if error.mass_id else ""
        raise HTTPException(status_code=502, detail=f"企业微信接口调用失败（错误码 {error.errcode}）{partial}") from None
    except WeComApiError as error:
        raise HTTPException(status_code=502, detail=f"企业微信接口调用失败（错误码 {error.errcode}）") from None


@router.post("/mass-messages", response_model=MassMessageOut, status_code=status.HTTP_201_CREATED)
def create_mass_message(body: MassMessageRequest, advisor: CurrentAdvisor, services: ServicesDep,
                        request: Request) -> dict:
    """创建企业群发任务：仅含已授权营销、是企业微信外部联系人、未超每周上限且文本通过合规的客户；客户经理在企业微信中确认后才会发出。"""
    messenger = _messenger(request, services)
    if body.campaign_id is not None:
        job, rows = campaign_source(services.session_factory)(body.campaign_id, advisor.id)
        candidates = campaign_candidates(job, rows)
        return _wecom_call(lambda: messenger.create(advisor, candidates, campaign_id=body.campaign_id))
    # The request model's validator has refused a script source with a part missing.
    assert body.script_id is not None and body.customer_id is not None and body.text is not None
    ensure_own_customer(services, advisor, body.customer_id)
    candidate = script_candidate(services.marketing.script_log, advisor.id, script_id=body.script_id,
                                 customer_id=body.customer_id, text=body.text)
    return _wecom_call(lambda: messenger.create(advisor, [candidate], script_id=body.script_id))


@router.get("/mass-messages/{mass_id}", response_model=MassMessageOut)
def mass_message_status(mass_id: Annotated[str, Path(pattern=ID_PATTERN)], advisor: CurrentAdvisor,
                        services: ServicesDep, request: Request) -> dict:
    """查询群发结果：向企业微信拉取发送结果（get_groupmsg_send_result），新发出的记为“已发送”。"""
    messenger = _messenger(request, services)
    return _wecom_call(lambda: messenger.refresh(advisor.id, mass_id))
