"""Fixtures for the WeCom channel: a fake WeCom API server, WeCom settings, an app with the router."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fake_wecom_api import FakeWeComApi
from rm_copilot.config import get_settings
from wecom_fakes import AES_KEY, AGENT_ID, CORP_ID, SECRET, TOKEN, FakeCopilot
from wecom_harness import WeComApp, build_wecom_app


@pytest.fixture
def fake_api() -> Iterator[FakeWeComApi]:
    api = FakeWeComApi(corp_id=CORP_ID, secret=SECRET).start()
    yield api
    api.stop()


@pytest.fixture
def wecom_env(fake_api: FakeWeComApi, monkeypatch: pytest.MonkeyPatch) -> FakeWeComApi:
    """WeCom settings in the environment, the API base pointing at the fake server."""
    for name, value in {
        "TOKEN": TOKEN, "AES_KEY": AES_KEY, "CORP_ID": CORP_ID, "AGENT_ID": AGENT_ID, "SECRET": SECRET,
        "API_BASE": fake_api.base_url,
    }.items():
        monkeypatch.setenv(f"RM_COPILOT_WECOM_{name}", value)
    get_settings.cache_clear()
    return fake_api


@pytest.fixture
def wecom_app(wecom_env: FakeWeComApi, tmp_path: Path) -> Iterator[WeComApp]:
    built = build_wecom_app(wecom_env, tmp_path, FakeCopilot())
    yield built
    if getattr(built.app.state, "wecom_channel", None) is not None:
        built.channel.close()


@pytest.fixture
def held_wecom_app(wecom_env: FakeWeComApi, tmp_path: Path) -> Iterator[WeComApp]:
    """Like wecom_app, but the fake Copilot holds every generation until `copilot.release` is set."""
    built = build_wecom_app(wecom_env, tmp_path, FakeCopilot(hold=True))
    yield built
    built.copilot.release.set()
    if getattr(built.app.state, "wecom_channel", None) is not None:
        built.channel.close()
