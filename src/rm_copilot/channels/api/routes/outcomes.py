"""Recording what happened after a script or campaign row (DESIGN.md §8)."""
from typing import Annotated, Literal

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from rm_copilot.channels.api.deps import CurrentAdvisor, ServicesDep
from rm_copilot.channels.api.responses import NOT_FOUND
from rm_copilot.channels.api.schemas import ID_PATTERN
from rm_copilot.vocabulary import Channel, OutcomeKind, Scenario

router = APIRouter(prefix="/outcomes", tags=["outcomes"], responses=NOT_FOUND)


class OutcomeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: str = Field(pattern=ID_PATTERN)
    script_id: str | None = Field(default=None, pattern=ID_PATTERN, description="话术编号（POST /scripts 返回）")
    campaign_id: str | None = Field(default=None, pattern=ID_PATTERN)
    variant: Annotated[int, Field(ge=0, le=4)] | Literal["A", "B", "C", "D", "E"] | None = Field(
        default=None, description="0–4 或 A–E")
    kind: OutcomeKind
    product_id: str | None = Field(default=None, pattern=ID_PATTERN)
    detail: str | None = Field(default=None, max_length=200, description="购买金额档位、婉拒原因等")
    channel: Channel | None = None
    scenario: Scenario | None = None
    source: Literal["api", "page"] = Field(default="api", description="记录来源：api 或平板页面 page")


class OutcomeCreated(BaseModel):
    id: int


@router.post("", response_model=OutcomeCreated, status_code=status.HTTP_201_CREATED)
def record_outcome(body: OutcomeRequest, advisor: CurrentAdvisor, services: ServicesDep) -> dict:
    """记录营销结果：已发送、客户有回复、已约见、已购买、婉拒、投诉。"""
    outcome_id = services.marketing.record_outcome(advisor.id, **body.model_dump())
    return {"id": outcome_id}
