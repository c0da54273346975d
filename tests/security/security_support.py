"""Planted personal data and helpers shared by the security tests (a unique module name: importable
beside other folders' conftest modules)."""
from __future__ import annotations

from rm_copilot.services import Services

PLANTED_PHONE = "13912345678"
PLANTED_ID_NUMBER = "11010519491231002X"
PLANTED_CARD = "6222020200112233446"
PLANTED_NAME = "欧阳明远"
PLANTED_NOTE = f"客户说换了新手机 {PLANTED_PHONE}，身份证 {PLANTED_ID_NUMBER}，偏好上午联系"


def bearer(services: Services, advisor_id: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {services.customers.issue_token(advisor_id)}"}
