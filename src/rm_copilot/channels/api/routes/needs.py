"""A customer's need tags: entered ones and inferred ones (模型推断, with confidence and evidence)."""
from typing import Annotated, Any

from fastapi import APIRouter, Path

from rm_copilot.channels.api.deps import CurrentAdvisor, ServicesDep
from rm_copilot.channels.api.responses import NOT_FOUND
from rm_copilot.channels.api.schemas import ID_PATTERN

router = APIRouter(tags=["customers"], responses=NOT_FOUND)


@router.get("/customers/{customer_id}/needs")
def customer_needs(customer_id: Annotated[str, Path(pattern=ID_PATTERN)], advisor: CurrentAdvisor,
                   services: ServicesDep) -> dict[str, Any]:
    """录入的需求标签与模型推断的需求标签（置信度、依据）；同一需求以录入为准。"""
    return services.marketing.customer_needs(advisor.id, customer_id)
