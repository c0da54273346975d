from fastapi import APIRouter

from rm_copilot.channels.api.deps import ChatRateLimit, CurrentAdvisor, ServicesDep, ensure_own_customer
from rm_copilot.channels.api.responses import NOT_FOUND, RATE_LIMITED
from rm_copilot.channels.api.schemas import ScriptsRequest, ScriptsResponse

router = APIRouter(
    prefix="/scripts", tags=["scripts"], dependencies=[ChatRateLimit], responses={**NOT_FOUND, **RATE_LIMITED}
)


@router.post("", response_model=ScriptsResponse)
def draft_scripts(body: ScriptsRequest, advisor: CurrentAdvisor, services: ServicesDep) -> dict:
    """为客户起草营销话术；每条都已通过合规检查。"""
    ensure_own_customer(services, advisor, body.customer_id)
    answer = services.copilot.scripts(
        advisor.id, body.customer_id, product_id=body.product_id, scenario=body.scenario,
        channel=body.channel, variants=body.variants,
    )
    return answer.to_dict()
