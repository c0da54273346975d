from fastapi import APIRouter

from rm_copilot.channels.api.deps import CurrentAdvisor, ServicesDep, ensure_own_customer
from rm_copilot.channels.api.responses import NOT_FOUND
from rm_copilot.channels.api.schemas import CheckRequest, CheckResponse

router = APIRouter(prefix="/compliance", tags=["compliance"])


@router.post("/check", response_model=CheckResponse, responses=NOT_FOUND)
def check_text(body: CheckRequest, advisor: CurrentAdvisor, services: ServicesDep) -> dict:
    """合规检查（与 rm-copilot check --json 相同的结果），并记入审计。"""
    ensure_own_customer(services, advisor, body.customer_id)
    result = services.gate.check(
        body.text, product_type=body.product_type, channel=body.channel,
        customer_id=body.customer_id, advisor_id=advisor.id, source="api",
    )
    return result.to_dict()
