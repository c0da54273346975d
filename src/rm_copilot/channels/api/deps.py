"""Dependencies as `Annotated` aliases, so handler signatures read like prose."""
from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from rm_copilot.channels.api.errors import RateLimited
from rm_copilot.customers.views import AdvisorView
from rm_copilot.errors import Unauthorized
from rm_copilot.services import Services

_bearer = HTTPBearer(auto_error=False, description="客户经理访问令牌：rm-copilot advisors token A001")


async def get_services(request: Request) -> Services:
    """Async, as it does no I/O: FastAPI runs a plain `def` dependency in a worker thread, one hop per request."""
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def current_advisor(services: ServicesDep, credentials: BearerDep) -> AdvisorView:
    if credentials is None:
        raise Unauthorized("缺少访问令牌，请在请求头提供 Authorization: Bearer <令牌>")
    advisor = services.customers.advisor_for_token(credentials.credentials)
    if advisor is None:
        raise Unauthorized("访问令牌无效，请用 rm-copilot advisors token <客户经理编号> 重新获取")
    return advisor


CurrentAdvisor = Annotated[AdvisorView, Depends(current_advisor)]


def chat_rate_limit(request: Request, advisor: CurrentAdvisor, credentials: BearerDep) -> None:
    """One bucket per token (hashed, so no raw token sits in memory longer than the request)."""
    assert credentials is not None  # current_advisor has refused a request without a token
    limiter = request.app.state.chat_limiter  # SqlRateLimiter or TokenBucketLimiter: acquire(key) -> seconds
    key = hashlib.sha256(credentials.credentials.encode()).hexdigest()
    retry_after = limiter.acquire(key)
    if retry_after:
        raise RateLimited(retry_after)


ChatRateLimit = Depends(chat_rate_limit)


def ensure_own_customer(services: Services, advisor: AdvisorView, customer_id: str | None) -> None:
    """Another advisor's customer is reported exactly like a missing one (404, no data)."""
    if customer_id is not None:
        services.customers.ensure_visible(customer_id, advisor_id=advisor.id)
