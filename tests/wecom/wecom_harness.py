"""Test harness: an app with the real WeCom router and settings-driven wiring, fakes for the rest."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from fake_wecom_api import FakeWeComApi
from rm_copilot.channels.wecom.channel import WeComChannel
from rm_copilot.channels.wecom.models import WeComInboxEntry
from rm_copilot.channels.wecom.pending import PendingWeComMessage
from rm_copilot.channels.wecom.router import router
from rm_copilot.channels.wecom.session_map import WeComSessionLink
from rm_copilot.config import get_settings
from rm_copilot.db import make_engine, make_session_factory
from rm_copilot.services import Services, reset_services
from wecom_fakes import FakeAdvisors, FakeCompliance, FakeCopilot, FakeMarketing, WeChatPyClient


def inbox_session_factory(path: Path) -> sessionmaker[Session]:
    """A database holding only the channel's own tables (the wider schema is not needed here)."""
    engine = make_engine(f"sqlite:///{path}")
    for table in (WeComInboxEntry, PendingWeComMessage, WeComSessionLink):
        table.__table__.create(engine, checkfirst=True)
    return make_session_factory(engine)


@dataclass
class WeComApp:
    client: TestClient
    app: FastAPI
    copilot: FakeCopilot
    advisors: FakeAdvisors
    api: FakeWeComApi
    wechat: WeChatPyClient
    marketing: FakeMarketing
    compliance: FakeCompliance

    @property
    def channel(self) -> WeComChannel:
        return self.app.state.wecom_channel

    def post(self, xml: str):
        params, body = self.wechat.encrypted_post(xml)
        return self.client.post("/wecom/callback", params=params, content=body)

    def post_signed(self, params: dict[str, str], body: bytes):
        return self.client.post("/wecom/callback", params=params, content=body)

    def settle(self) -> None:
        """Wait (bounded) until every accepted message has been handled."""
        assert self.channel.worker.wait_idle(timeout=10), "background work did not finish"


def build_wecom_app(fake_api: FakeWeComApi, tmp_path: Path, copilot: FakeCopilot,
                    advisors: FakeAdvisors | None = None, *, db_name: str = "wecom.db") -> WeComApp:
    """The real router and settings-driven wiring, with hand-written fakes for what others build."""
    services = Services(get_settings())
    advisors = advisors or FakeAdvisors()
    services.customers = advisors  # type: ignore[misc]
    services.copilot = copilot  # type: ignore[misc]
    services.session_factory = inbox_session_factory(tmp_path / db_name)  # type: ignore[misc]
    marketing, compliance = FakeMarketing(copilot.customers), FakeCompliance()
    services.marketing = marketing  # type: ignore[misc]
    services.compliance = compliance  # type: ignore[misc]
    services.gate = compliance  # type: ignore[misc]
    reset_services(services)
    app = FastAPI()
    app.include_router(router)
    return WeComApp(TestClient(app), app, copilot, advisors, fake_api, WeChatPyClient(), marketing, compliance)

