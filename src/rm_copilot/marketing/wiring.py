"""Builds the marketing service from the application's services (the composition root's helper)."""
from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

from rm_copilot.marketing.bandit import ThompsonVariantPolicy
from rm_copilot.marketing.dismissals import DismissalStore
from rm_copilot.marketing.opportunities import OpportunityEngine
from rm_copilot.marketing.opportunity_config import load_opportunity_config
from rm_copilot.marketing.outcomes import OutcomeStore
from rm_copilot.marketing.script_log import ScriptLog
from rm_copilot.marketing.service import MarketingService
from rm_copilot.marketing.settings import load_report_config

if TYPE_CHECKING:
    from rm_copilot.services import Services


def campaign_lookup(session_factory: Any):
    """Campaign jobs are the batch channel's table; the marketing loop only reads who owns one."""

    def lookup(campaign_id: str) -> dict[str, Any] | None:
        from rm_copilot.campaigns.models import CampaignJob

        with session_factory() as session:
            job = session.get(CampaignJob, campaign_id)
            if job is None:
                return None
            return {"advisor_id": job.advisor_id, "product_id": job.product_id, "channel": job.channel,
                    "scenario": getattr(job, "scenario", None)}

    return lookup


def marketing_from_services(services: "Services", *, rng: random.Random | None = None) -> MarketingService:
    from rm_copilot.assistant.gate import deliverable

    settings = services.settings
    directory = settings.knowledge_base / "marketing"
    config = load_report_config(directory)
    outcomes = OutcomeStore(services.session_factory)
    return MarketingService(
        customers=services.customers, catalog=services.catalog, script_log=ScriptLog(services.session_factory),
        outcomes=outcomes, report_config=config,
        variant_policy=ThompsonVariantPolicy(outcomes.variant_counts, config, rng),
        campaign_lookup=campaign_lookup(services.session_factory), elderly_age=settings.elderly_age,
        opportunities=OpportunityEngine(
            load_opportunity_config(directory), services.catalog, elderly_age=settings.elderly_age,
        ),
        dismissals=DismissalStore(services.session_factory),
        needs=services.inferred_needs,
        screen=lambda text: deliverable(services.gate.check(text, channel="tablet", record=False)),
    )
