from fastapi import APIRouter

from rm_copilot.channels.api.deps import CurrentAdvisor
from rm_copilot.channels.api.schemas import AdvisorOut
from rm_copilot.customers.views import AdvisorView

router = APIRouter(tags=["advisors"])


@router.get("/me", response_model=AdvisorOut)
def read_me(advisor: CurrentAdvisor) -> AdvisorView:
    """当前令牌对应的客户经理。"""
    return advisor
