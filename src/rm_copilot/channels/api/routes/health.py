from fastapi import APIRouter
from fastapi.responses import JSONResponse

from rm_copilot.channels.api.deps import ServicesDep
from rm_copilot.channels.api.schemas import HealthResponse, UnhealthyResponse

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=HealthResponse, responses={503: {"model": UnhealthyResponse}})
def healthz(services: ServicesDep):
    """健康检查，无需令牌：数据库可连接且可写时为 ok，否则 503 并指出故障部分。"""
    problems = services.store_probe.problems()
    if problems:
        detail = "；".join(f"{part}：{reason}" for part, reason in problems.items())
        return JSONResponse({"status": "unavailable", "failing": problems, "detail": detail}, status_code=503)
    return {"status": "ok"}
