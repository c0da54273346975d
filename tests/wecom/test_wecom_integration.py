"""The WeCom bot on the real stack: create_app, the built services, the real Copilot and compliance."""
from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from fake_wecom_api import FakeWeComApi
from rm_copilot.channels.api.app import create_app
from rm_copilot.channels.wecom import replies
from rm_copilot.services import Services
from wecom_fakes import AES_KEY, AGENT_ID, CORP_ID, SECRET, TOKEN, WeChatPyClient, text_message_xml

pytestmark = pytest.mark.slow

DEMO_USER = "zhangwei"  # bound to advisor A001 in knowledge_base/demo/advisors.yaml
SHARED = ("engine", "session_factory", "customers", "catalog", "compliance", "gate", "sessions", "copilot")


@pytest.fixture
def wecom_services(use_built_services: Services, fake_api: FakeWeComApi) -> Services:
    """The session-built graph, seen through settings that configure WeCom against the fake API."""
    built = use_built_services
    settings = built.settings.model_copy(update={
        "wecom_token": TOKEN, "wecom_aes_key": AES_KEY, "wecom_corp_id": CORP_ID, "wecom_agent_id": AGENT_ID,
        "wecom_secret": SECRET, "wecom_api_base": fake_api.base_url,
    })
    services = Services(settings)
    for name in SHARED:
        setattr(services, name, getattr(built, name))
    return services


@pytest.fixture
def client(wecom_services: Services) -> Iterator[TestClient]:
    app = create_app(wecom_services, prepare_on_startup=False)
    with TestClient(app) as test_client:
        yield test_client
    app.state.wecom_channel.close()


def deliver(client: TestClient, xml: str) -> None:
    params, body = WeChatPyClient().encrypted_post(xml)
    response = client.post("/wecom/callback", params=params, content=body)
    assert (response.status_code, response.text) == (200, "")
    assert client.app.state.wecom_channel.worker.wait_idle(timeout=120)


def test_plain_question_gets_a_compliant_answer_sent(client: TestClient, wecom_services: Services,
                                                     fake_api: FakeWeComApi):
    deliver(client, text_message_xml(from_user=DEMO_USER, content="存款保险的保障额度是多少？",
                                     msg_id="7200000000000001"))

    (sent,) = fake_api.sent_texts()
    answer = sent.split("\n\n参考资料：")[0]
    assert answer and sent != replies.TEMPORARY_FAILURE
    assert wecom_services.compliance.check(answer, channel="wecom").verdict == "pass"
    assert "参考资料：" in sent  # the answer is grounded in the knowledge base and says where from


def test_script_command_for_own_customer_is_drafted_and_another_advisors_is_refused(
    client: TestClient, wecom_services: Services, fake_api: FakeWeComApi
):
    own = wecom_services.customers.list(advisor_id="A001", limit=1)[0].id
    other = wecom_services.customers.list(advisor_id="A002", limit=1)[0].id

    deliver(client, text_message_xml(from_user=DEMO_USER, content=f"话术 {own} 产品", msg_id="7200000000000002"))
    deliver(client, text_message_xml(from_user=DEMO_USER, content=f"话术 {other} 产品", msg_id="7200000000000003"))

    script, refusal = fake_api.sent_texts()
    assert script.startswith(("【话术", "【注意】客户未授权营销")) and "【话术" in script
    assert refusal == replies.CUSTOMER_NOT_FOUND


def _copy_open_home(source: Path, target: Path) -> None:
    """This session's home is open in this process: copy its SQLite store through the backup API."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("rm_copilot.db*"))
    with sqlite3.connect(source / "rm_copilot.db") as live, sqlite3.connect(target / "rm_copilot.db") as copy:
        live.backup(copy)


def test_rm_copilot_serve_answers_a_message_delivered_three_times_exactly_once(
    built_services: Services, fake_api: FakeWeComApi, tmp_path
):
    from live_server import LiveServer

    home = tmp_path / "home"
    _copy_open_home(built_services.settings.resolved_home, home)  # built already: serve skips indexing
    server = LiveServer(home, extra_env={
        "RM_COPILOT_WECOM_TOKEN": TOKEN, "RM_COPILOT_WECOM_AES_KEY": AES_KEY, "RM_COPILOT_WECOM_CORP_ID": CORP_ID,
        "RM_COPILOT_WECOM_AGENT_ID": AGENT_ID, "RM_COPILOT_WECOM_SECRET": SECRET,
        "RM_COPILOT_WECOM_API_BASE": fake_api.base_url,
    }).start()
    wechat = WeChatPyClient()
    try:
        question = text_message_xml(from_user=DEMO_USER, content="存款保险的保障范围包括哪些？",
                                    msg_id="7300000000000001")
        for _ in range(3):
            params, body = wechat.encrypted_post(question)
            response = httpx.post(f"{server.base_url}/wecom/callback", params=params, content=body, timeout=60)
            assert (response.status_code, response.text) == (200, "")
        first = fake_api.wait_for("message/send", 1, timeout=300)
        # Duplicates are refused inside the callback, before its 200; so once a later message is
        # answered, nothing more can come for the first one.
        params, body = wechat.encrypted_post(
            text_message_xml(from_user=DEMO_USER, content="帮助", msg_id="7300000000000002"))
        response = httpx.post(f"{server.base_url}/wecom/callback", params=params, content=body, timeout=60)
        assert response.status_code == 200
        fake_api.wait_for("message/send", len(first) + 1, timeout=300)
    finally:
        server.stop()

    texts = fake_api.sent_texts()
    assert texts[-1] == replies.HELP
    answer = texts[:-1]
    assert len(answer) == 1 and "存款保险" in answer[0] and "参考资料：" in answer[0]
    assert len(fake_api.calls_to("gettoken")) == 1
