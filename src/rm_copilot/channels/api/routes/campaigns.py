import threading
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from rm_copilot.campaigns.jobs import CampaignJobs
from rm_copilot.campaigns.runner import CampaignSpec
from rm_copilot.channels.api.deps import CurrentAdvisor, ServicesDep
from rm_copilot.channels.api.responses import NOT_FOUND
from rm_copilot.channels.api.schemas import ID_PATTERN, Channel, Scenario

router = APIRouter(prefix="/campaigns", tags=["campaigns"], responses=NOT_FOUND)
_jobs_lock = threading.Lock()


def get_jobs(request: Request, services: ServicesDep) -> CampaignJobs:
    """One background job runner per app, created on first use."""
    with _jobs_lock:
        if getattr(request.app.state, "campaign_jobs", None) is None:
            request.app.state.campaign_jobs = CampaignJobs(services)
        return request.app.state.campaign_jobs


JobsDep = Annotated[CampaignJobs, Depends(get_jobs)]


class CampaignRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_id: str = Field(pattern=ID_PATTERN)
    segment: str | None = Field(default=None, min_length=1, max_length=500, description="分群表达式，如 need:education and age:30-45")
    customer_ids: list[str] | None = Field(default=None, min_length=1, max_length=10000)
    channel: Channel = "wecom"
    variants: int = Field(default=1, ge=1, le=5)
    limit: int | None = Field(default=None, ge=1, le=10_000_000)
    scenario: Scenario | None = None

    @model_validator(mode="after")
    def _one_selection(self) -> "CampaignRequest":
        if (self.segment is None) == (self.customer_ids is None):
            raise ValueError("segment 与 customer_ids 必须二选一")
        return self


class CampaignSummary(BaseModel):
    customers: int
    rows: int
    by_verdict: dict[str, int]
    by_skip_reason: dict[str, int]


class CampaignStatus(BaseModel):
    id: str
    status: Literal["queued", "running", "done", "failed", "interrupted"]
    product_id: str
    segment: str | None
    channel: str
    variants: int
    total_customers: int | None
    processed_customers: int
    summary: CampaignSummary | None
    error: str | None
    created_at: datetime
    updated_at: datetime


@router.post("", response_model=CampaignStatus, status_code=status.HTTP_202_ACCEPTED)
def start_campaign(body: CampaignRequest, advisor: CurrentAdvisor, jobs: JobsDep) -> dict:
    """为本人名下客户启动批量话术任务（后台执行，逐条合规检查）。"""
    spec = CampaignSpec(
        product_id=body.product_id, channel=body.channel, variants=body.variants, segment=body.segment,
        customer_ids=tuple(body.customer_ids) if body.customer_ids else None, limit=body.limit,
        scenario=body.scenario,
    )
    return jobs.start(advisor.id, spec)


@router.get("/{campaign_id}", response_model=CampaignStatus)
def campaign_status(campaign_id: str, advisor: CurrentAdvisor, jobs: JobsDep) -> dict:
    """任务进度与汇总。"""
    return jobs.status(advisor.id, campaign_id)


@router.post(
    "/{campaign_id}/resume",
    response_model=CampaignStatus,
    status_code=status.HTTP_202_ACCEPTED,
    responses={409: {"description": "任务未中断，或自任务开始以来规则库、话术模板或模型已变化"}},
)
def resume_campaign(campaign_id: str, advisor: CurrentAdvisor, jobs: JobsDep) -> dict:
    """从断点续跑本人已中断或失败的任务（已写入的行保留，不会重复）。"""
    return jobs.resume(advisor.id, campaign_id)


@router.get(
    "/{campaign_id}/results",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/x-ndjson": {}}, "description": "每行一个 JSON 对象"}},
)
def campaign_results(campaign_id: str, advisor: CurrentAdvisor, jobs: JobsDep) -> StreamingResponse:
    """任务已生成的 JSONL 结果行。"""
    lines = jobs.result_lines(advisor.id, campaign_id)
    return StreamingResponse(lines, media_type="application/x-ndjson")
