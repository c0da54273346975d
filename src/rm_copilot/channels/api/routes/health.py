from fastapi import APIRouter

from rm_copilot.channels.api.schemas import HealthResponse

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=HealthResponse)
def healthz() -> dict:
    """存活检查，无需令牌。"""
    return {"status": "ok"}
