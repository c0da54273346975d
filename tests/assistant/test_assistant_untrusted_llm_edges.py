"""A fake LLM that always promises guarantees, behind the real API and CLI on the demo home: slow."""
from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from assistant_fakes import BLOCKED_PHRASES, GuaranteeModel
from rm_copilot.channels.api import create_app
from rm_copilot.cli import app as cli_app
from rm_copilot.config import get_settings
from rm_copilot.services import Services, reset_services

pytestmark = pytest.mark.slow


@pytest.fixture
def guarantee_services(built_services, monkeypatch):
    """A fresh graph on the built home whose chat model is the untrusted fake."""
    services = Services(built_services.settings)
    services.__dict__["copilot"] = services.build_copilot(model=GuaranteeModel())
    monkeypatch.setenv("RM_COPILOT_HOME", str(built_services.settings.resolved_home))
    get_settings.cache_clear()
    reset_services(services)
    return services


def assert_clean(text: str) -> None:
    assert not any(phrase in text for phrase in BLOCKED_PHRASES), text


def test_no_api_answer_contains_a_blocked_phrase(guarantee_services):
    client = TestClient(create_app(guarantee_services, prepare_on_startup=False))
    headers = {"Authorization": f"Bearer {guarantee_services.customers.issue_token('A001')}"}
    customer = guarantee_services.customers.list(advisor_id="A001", limit=1)[0].id
    chat = client.post("/api/v1/chat", json={"message": "存款保险最高赔多少？"}, headers=headers)
    assert chat.status_code == 200
    assert_clean(chat.json()["answer"])
    stream = client.post("/api/v1/chat/stream", json={"message": "大额存单可以提前支取吗？", "customer_id": customer},
                         headers=headers)
    assert stream.status_code == 200 and "event: done" in stream.text
    assert_clean(stream.text)
    scripts = client.post("/api/v1/scripts", json={"customer_id": customer, "channel": "wecom", "variants": 2},
                          headers=headers)
    assert scripts.status_code == 200
    for script in scripts.json()["scripts"]:
        assert_clean(script["text"])
        assert script["compliance"]["verdict"] != "block"
    assert guarantee_services.copilot.generator.model.calls >= 5  # chat 2, stream 1, scripts 2 (at least)


def test_no_cli_answer_contains_a_blocked_phrase(guarantee_services):
    runner = CliRunner()
    customer = guarantee_services.customers.list(advisor_id="A001", limit=1)[0].id
    ask = runner.invoke(cli_app, ["ask", "存款保险最高赔多少？", "--json"])
    assert ask.exit_code == 0, ask.output
    assert_clean(json.loads(ask.output)["answer"])
    script = runner.invoke(cli_app, ["script", "--customer", customer, "--channel", "sms", "--json"])
    assert script.exit_code == 0, script.output
    assert_clean(json.loads(script.output)["scripts"][0]["text"])
    assert guarantee_services.copilot.generator.model.calls >= 3
