from typing import Annotated

from fastapi import APIRouter, Path, Query

from rm_copilot.channels.api.deps import CurrentAdvisor, ServicesDep
from rm_copilot.channels.api.responses import NOT_FOUND
from rm_copilot.channels.api.schemas import ID_PATTERN, CustomerDetail, CustomerSummary, UpcomingEventOut

router = APIRouter(tags=["customers"])

CustomerId = Annotated[str, Path(pattern=ID_PATTERN, description="客户编号，如 C00012")]


@router.get("/customers", response_model=list[CustomerSummary])
def list_customers(
    advisor: CurrentAdvisor,
    services: ServicesDep,
    search: Annotated[str | None, Query(max_length=50, description="按编号、姓名、标签搜索")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list:
    """当前客户经理名下的客户（已脱敏，标签按层分组）。"""
    search = search.strip() or None if search else None
    return services.customers.list(advisor_id=advisor.id, search=search, limit=limit, offset=offset)


@router.get("/customers/{customer_id}", response_model=CustomerDetail, responses=NOT_FOUND)
def read_customer(customer_id: CustomerId, advisor: CurrentAdvisor, services: ServicesDep):
    """客户卡片：三层标签、持仓、事件（已脱敏）；他人名下的客户一律 404。"""
    return services.customers.get(customer_id, advisor_id=advisor.id)


@router.get("/events", response_model=list[UpcomingEventOut])
def upcoming_events(
    advisor: CurrentAdvisor,
    services: ServicesDep,
    within_days: Annotated[int, Query(ge=0, le=366, description="未来多少天内")] = 7,
) -> list:
    """名下客户近期的到期、生日等事件，按日期排序。"""
    return services.customers.upcoming_events(advisor.id, within_days)
