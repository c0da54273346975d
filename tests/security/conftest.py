"""Fixtures for the security review: the real app on the session-built home, plus a private home
with planted customers whose notes carry personal data (so the shared demo store is never changed)."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from rm_copilot.channels.api import create_app
from rm_copilot.config import PROJECT_ROOT, Settings
from rm_copilot.customers.records import CustomerRecord
from rm_copilot.services import Services, reset_services
from security_support import PLANTED_CARD, PLANTED_ID_NUMBER, PLANTED_NAME, PLANTED_NOTE, PLANTED_PHONE, bearer


@pytest.fixture
def api(use_built_services: Services) -> TestClient:
    return TestClient(create_app(use_built_services, prepare_on_startup=False), raise_server_exceptions=False)


@pytest.fixture
def a001(use_built_services: Services) -> dict[str, str]:
    return bearer(use_built_services, "A001")


@pytest.fixture
def a002(use_built_services: Services) -> dict[str, str]:
    return bearer(use_built_services, "A002")


@pytest.fixture
def own_customer(use_built_services: Services) -> str:
    return use_built_services.customers.list(advisor_id="A001", limit=1)[0].id


@pytest.fixture
def foreign_customer(use_built_services: Services) -> str:
    return use_built_services.customers.list(advisor_id="A002", limit=1)[0].id


def _planted(customer_id: str, advisor_id: str, name: str, note: str) -> CustomerRecord:
    return CustomerRecord.model_validate({
        "id": customer_id, "advisor_id": advisor_id, "full_name": name, "id_number": PLANTED_ID_NUMBER,
        "phone": PLANTED_PHONE, "card_number": PLANTED_CARD, "gender": "男",
        "birth_date": date(1949, 12, 31), "city": "北京", "occupation": "教师", "tier": "财富",
        "risk_level": "C2", "risk_assessed_at": date.today(), "marketing_consent": True, "note": note,
        "tags": "need:education=子女教育",
        "events": [{"kind": "large_inflow", "date": date.today() + timedelta(days=3),
                    "detail": f"尾号不明的他行卡 {PLANTED_CARD} 转入，联系人手机 {PLANTED_PHONE}"}],
    })


@pytest.fixture
def private(use_built_services: Services, isolated_home: Path) -> Services:
    """A fresh store (this test's home) sharing the session's knowledge index and compliance engine."""
    built = use_built_services
    services = Services(Settings(home=isolated_home, environment="test", knowledge_base=PROJECT_ROOT / "knowledge_base"))
    for shared in ("knowledge_index", "retriever", "catalog", "compliance"):
        setattr(services, shared, getattr(built, shared))
    services.customers.ensure_demo_advisors()
    services.customers.upsert([
        _planted("C90001", "A001", PLANTED_NAME, PLANTED_NOTE),
        _planted("C90002", "A002", "司马青云", "客户偏好电话联系"),
    ])
    reset_services(services)
    return services


@pytest.fixture
def private_api(private: Services) -> TestClient:
    return TestClient(create_app(private, prepare_on_startup=False), raise_server_exceptions=False)
