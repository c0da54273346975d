"""The campaign A/B report and its chart (DESIGN.md §8): aggregates only, no customer identity."""
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from rm_copilot.channels.api.deps import CurrentAdvisor, ServicesDep
from rm_copilot.channels.api.responses import NOT_FOUND
from rm_copilot.channels.api.schemas import ID_PATTERN

router = APIRouter(prefix="/reports", tags=["reports"], responses=NOT_FOUND)

CampaignId = Annotated[str | None, Query(pattern=ID_PATTERN, description="只看某个批量任务")]


@router.get("/campaigns")
def campaign_report(advisor: CurrentAdvisor, services: ServicesDep, campaign_id: CampaignId = None) -> dict[str, Any]:
    """本人营销结果的转化报告：按版本、场景、渠道、客群、客户经理，含置信区间与显著性检验。"""
    return services.marketing.report(advisor.id, campaign_id)


@router.get("/campaigns/chart.png", response_class=Response,
            responses={200: {"content": {"image/png": {}}, "description": "转化率图（PNG）"}})
def campaign_chart(advisor: CurrentAdvisor, services: ServicesDep, campaign_id: CampaignId = None) -> Response:
    """转化率柱状图（含 Wilson 置信区间）。"""
    return Response(services.marketing.report_chart(advisor.id, campaign_id), media_type="image/png",
                    headers={"Cache-Control": "no-store"})
