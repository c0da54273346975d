"""The `/api/v1` router: only `include_router` calls."""
from fastapi import APIRouter

from rm_copilot.channels.api.responses import COMMON
from rm_copilot.channels.api.routes import (
    advisors,
    campaigns,
    chat,
    compliance,
    customers,
    knowledge,
    needs,
    opportunities,
    outcomes,
    products,
    reports,
    scripts,
    sessions,
)
from rm_copilot.channels.wecom import api as wecom_api

api_router = APIRouter(prefix="/api/v1", responses=COMMON)
api_router.include_router(advisors.router)
api_router.include_router(chat.router)
api_router.include_router(scripts.router)
api_router.include_router(compliance.router)
api_router.include_router(customers.router)
api_router.include_router(products.router)
api_router.include_router(sessions.router)
api_router.include_router(campaigns.router)
api_router.include_router(opportunities.router)
api_router.include_router(outcomes.router)
api_router.include_router(reports.router)
api_router.include_router(knowledge.router)
api_router.include_router(wecom_api.router)
api_router.include_router(needs.router)
