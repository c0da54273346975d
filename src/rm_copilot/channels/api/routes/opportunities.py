"""Today's opportunities and their dismissal (DESIGN.md §8)."""
import datetime as dt
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from rm_copilot.channels.api.deps import CurrentAdvisor, ServicesDep
from rm_copilot.channels.api.responses import NOT_FOUND
from rm_copilot.channels.api.schemas import ID_PATTERN

router = APIRouter(prefix="/opportunities", tags=["opportunities"], responses=NOT_FOUND)


class OpportunityOut(BaseModel):
    id: str
    customer_id: str
    name: str = Field(description="脱敏姓名，如 张*")
    trigger: str = Field(description="maturity|birthday|large_inflow|idle_balance|risk_assessment|need_gap|care")
    trigger_label: str
    reason: str
    score: float
    scenario: str = Field(description="一键话术的场景：product|maturity|birthday|event|care")
    product_id: str | None = None
    product_name: str | None = None
    due_date: date | None = None
    urgency: float
    value: float
    fit: float
    contact: str = Field(description="any：可主动联系；face_to_face：客户未授权营销，仅可当面沟通")
    face_to_face_only: bool
    fingerprint: str


class DismissRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: str = Field(pattern=ID_PATTERN)
    trigger: str = Field(min_length=1, max_length=64, description="商机类型（trigger）或商机 id")
    reason: str = Field(min_length=1, max_length=200, description="不跟进的原因")
    date: dt.date | None = None


class DismissResponse(BaseModel):
    customer_id: str
    trigger: str
    dismissed: list[str]


@router.get("", response_model=list[OpportunityOut])
def list_opportunities(
    advisor: CurrentAdvisor,
    services: ServicesDep,
    on: Annotated[date | None, Query(alias="date", description="日期 YYYY-MM-DD，默认今天")] = None,
    customer_id: Annotated[str | None, Query(pattern=ID_PATTERN, description="只看这位客户")] = None,
) -> list:
    """名下客户今天值得联系的商机，按紧迫度 × 价值 × 匹配度排序。"""
    if customer_id is not None:
        return [o.to_dict() for o in services.marketing.customer_opportunities(advisor.id, customer_id, on)]
    return [o.to_dict() for o in services.marketing.opportunities(advisor.id, on)]


@router.post("/dismissals", response_model=DismissResponse)
def dismiss_opportunity(body: DismissRequest, advisor: CurrentAdvisor, services: ServicesDep) -> dict:
    """暂不跟进某个商机（需填写原因）；触发条件变化（如新的到期日）后会重新出现。"""
    return services.marketing.dismiss(advisor.id, customer_id=body.customer_id, trigger=body.trigger,
                                      reason=body.reason, on=body.date)
