"""A campaign job as other packages read it (WeCom mass sends, the marketing loop): a plain record,
so no channel needs the campaigns' ORM model."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rm_copilot.campaigns.models import CampaignJob


@dataclass(frozen=True)
class CampaignRecord:
    id: str
    advisor_id: str
    product_id: str
    channel: str
    status: str
    out_path: str
    scenario: str | None = None


def find_campaign(session_factory: Any, campaign_id: str) -> CampaignRecord | None:
    """The API campaign job with this id, or None."""
    with session_factory() as session:
        job = session.get(CampaignJob, campaign_id)
        if job is None:
            return None
        return CampaignRecord(id=job.id, advisor_id=job.advisor_id, product_id=job.product_id,
                              channel=job.channel, status=job.status, out_path=job.out_path,
                              scenario=getattr(job, "scenario", None))
