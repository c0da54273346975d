"""Documented error answers, so OpenAPI lists every status a route can give."""
from rm_copilot.channels.api.schemas import ErrorResponse


def _error(description: str) -> dict:
    return {"model": ErrorResponse, "description": description}


COMMON = {
    400: _error("请求内容无法处理"),
    401: _error("缺少或无效的访问令牌"),
    503: _error("服务暂不可用（如合规规则库加载失败）"),
}
NOT_FOUND = {404: _error("对象不存在，或不属于当前客户经理")}
RATE_LIMITED = {429: _error("请求过于频繁")}
