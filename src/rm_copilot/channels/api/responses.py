"""Documented error answers, so OpenAPI lists every status a route can give."""
from typing import Any

from rm_copilot.channels.api.schemas import ErrorResponse

# The type FastAPI's `responses=` parameter takes.
Responses = dict[int | str, dict[str, Any]]


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorResponse, "description": description}


COMMON: Responses = {
    400: _error("请求内容无法处理"),
    401: _error("缺少或无效的访问令牌"),
    503: _error("服务暂不可用（如合规规则库加载失败）"),
}
NOT_FOUND: Responses = {404: _error("对象不存在，或不属于当前客户经理")}
RATE_LIMITED: Responses = {429: _error("请求过于频繁")}
