"""Domain, validation and HTTP errors become JSON `{"detail": …}` in Chinese (the last-resort 500 is
in middleware.py)."""
from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from rm_copilot.channels.api.middleware import current_request_id
from rm_copilot.db import store_error_reason
from rm_copilot.errors import BadInput, CampaignConflict, NotFound, RmCopilotError, RulebookError, Unauthorized

log = logging.getLogger("rm_copilot.api")

BEARER_CHALLENGE = {"WWW-Authenticate": "Bearer"}


class RateLimited(RmCopilotError):
    """Too many chat requests for one token (HTTP 429)."""

    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__(f"请求过于频繁，请 {retry_after} 秒后再试")


_DOMAIN_STATUS: list[tuple[type[RmCopilotError], int]] = [
    (NotFound, 404),
    (Unauthorized, 401),
    (RateLimited, 429),
    (CampaignConflict, 409),
    (BadInput, 400),
    (RulebookError, 503),
]

_FRAMEWORK_DETAILS = {
    "There was an error parsing the body": "请求体无法解析，请发送 UTF-8 编码的 JSON",
}

_HTTP_DETAILS = {
    404: "接口不存在",
    405: "不支持该请求方法",
    400: "请求有误",
}

_VALIDATION_MESSAGES = {
    "missing": "缺少必填字段",
    "extra_forbidden": "不支持的字段",
    "string_too_short": "内容不能为空",
    "string_too_long": "内容过长",
    "string_type": "应为字符串",
    "string_pattern_mismatch": "格式不正确",
    "literal_error": "取值不在允许范围内",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "bool_parsing": "应为布尔值",
    "greater_than_equal": "数值太小",
    "less_than_equal": "数值太大",
    "json_invalid": "请求体不是合法的 JSON",
    "model_attributes_type": "应为 JSON 对象",
    "dict_type": "应为 JSON 对象",
    "model_type": "应为 JSON 对象",
}


def status_for(error: RmCopilotError) -> int:
    return next((status for kind, status in _DOMAIN_STATUS if isinstance(error, kind)), 400)


def _validation_item(error: dict) -> dict:
    loc = [part for part in error.get("loc", ()) if isinstance(part, (str, int))]
    if error.get("type") == "json_invalid":  # loc holds a character offset, not a field
        where = f"（第 {loc[1] + 1} 个字符附近）" if len(loc) > 1 and isinstance(loc[1], int) else ""
        return {"loc": loc, "msg": f"请求体不是合法的 JSON{where}", "type": "json_invalid"}
    field = ".".join(str(part) for part in loc[1:]) or "请求体"
    reason = _VALIDATION_MESSAGES.get(error.get("type", ""), "参数不合法")
    return {"loc": loc, "msg": f"{field}：{reason}", "type": error.get("type", "value_error")}


async def domain_error(request: Request, error: RmCopilotError) -> JSONResponse:
    status = status_for(error)
    headers = BEARER_CHALLENGE if status == 401 else None
    if isinstance(error, RateLimited):
        headers = {"Retry-After": str(error.retry_after)}
    if status >= 500:
        log.error("request_id=%s %s: %s", current_request_id(), type(error).__name__, error)
    return JSONResponse({"detail": str(error)}, status_code=status, headers=headers)


async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
    return JSONResponse({"detail": [_validation_item(e) for e in error.errors()]}, status_code=422)


async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
    detail = error.detail if error.detail and not _is_default_phrase(error) else None
    detail = _FRAMEWORK_DETAILS.get(detail, detail) if isinstance(detail, str) else detail
    detail = detail or _HTTP_DETAILS.get(error.status_code, "请求失败")
    return JSONResponse({"detail": detail}, status_code=error.status_code, headers=error.headers)


def _is_default_phrase(error: StarletteHTTPException) -> bool:
    from http import HTTPStatus

    try:
        return error.detail == HTTPStatus(error.status_code).phrase
    except ValueError:
        return False


async def store_error(request: Request, error: SQLAlchemyError) -> JSONResponse:
    """A store that cannot be read or written is a 503 the advisor can report, not a bare 500."""
    request_id = current_request_id()
    log.error("request_id=%s storage error: %s", request_id, type(error).__name__)
    detail = f"数据存储暂不可用：{store_error_reason(error)}，请稍后再试或联系运维（请求编号 {request_id}）"
    return JSONResponse({"detail": detail}, status_code=503)


def install_error_handlers(app: FastAPI) -> None:
    # Registered through the decorator form, which types a handler of a narrower exception correctly.
    app.exception_handler(SQLAlchemyError)(store_error)
    app.exception_handler(RmCopilotError)(domain_error)
    app.exception_handler(RequestValidationError)(validation_error)
    app.exception_handler(StarletteHTTPException)(http_error)
