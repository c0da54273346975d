"""A store that vanished or stopped accepting writes is reported and refused, never written into silently."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from rm_copilot.channels.api import create_app
from rm_copilot.config import Settings
from rm_copilot.db import StoreProbe, make_engine
from rm_copilot.services import Services


@pytest.fixture
def home_services(tmp_path: Path) -> Services:
    services = Services(Settings(home=tmp_path / "home", environment="test"))
    return services


def _client(services: Services) -> TestClient:
    return TestClient(create_app(services, prepare_on_startup=False), raise_server_exceptions=False)


def test_healthz_is_ok_when_the_store_is_writable(home_services):
    response = _client(home_services).get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_deleted_sqlite_file_fails_health_and_refuses_api_requests(home_services):
    client = _client(home_services)
    assert client.get("/healthz").status_code == 200
    database = Path(home_services.engine.url.database)
    database.unlink()

    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json()["failing"] == {"database": "数据库文件已被删除"}

    refused = client.get("/api/v1/customers", headers={"Authorization": "Bearer whatever"})
    assert refused.status_code == 503
    assert "数据库文件已被删除" in refused.json()["detail"]
    assert refused.headers["X-Request-ID"] in refused.json()["detail"]


def test_replaced_sqlite_file_is_noticed(tmp_path):
    path = tmp_path / "store.db"
    engine = make_engine(f"sqlite:///{path}")
    probe = StoreProbe(engine)
    assert probe.gone() is None
    path.rename(tmp_path / "moved.db")
    sqlite3.connect(path).close()  # a new, empty file in its place
    assert probe.gone() == "数据库文件已被替换"


def test_read_only_store_fails_health_with_the_reason(tmp_path):
    path = tmp_path / "store.db"
    writable = make_engine(f"sqlite:///{path}")
    from rm_copilot.db import Base

    Base.metadata.create_all(writable)
    writable.dispose()
    read_only = make_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    assert StoreProbe(read_only).problems() == {"database": "数据库只读，无法写入"}


def test_storage_error_in_a_route_is_a_chinese_503_with_request_id(fake_services, auth):
    from sqlalchemy.exc import OperationalError

    def failing_chat(*args, **kwargs):
        raise OperationalError("INSERT …", {}, sqlite3.OperationalError("attempt to write a readonly database"))

    fake_services.copilot.chat = failing_chat
    client = TestClient(create_app(fake_services, prepare_on_startup=False), raise_server_exceptions=False)
    response = client.post("/api/v1/chat", json={"message": "大额存单起存金额"}, headers=auth)
    assert response.status_code == 503
    detail = response.json()["detail"]
    assert "数据库只读" in detail and response.headers["X-Request-ID"] in detail
    assert "INSERT" not in detail


def test_fake_health_reports_the_failing_part(fake_services):
    fake_services.store_probe.failing = {"database": "数据库只读，无法写入"}
    client = TestClient(create_app(fake_services, prepare_on_startup=False), raise_server_exceptions=False)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["detail"] == "database：数据库只读，无法写入"

