"""An acknowledged WeCom message is answered even when the server dies before replying (SIGKILL, restart)."""
from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fake_openai import MisbehavingOpenAI
from live_server import LiveServer

# The WeCom fakes live beside the WeCom tests; this test needs only them and the public surface
# (a served process, its callback URL, the WeCom API it calls), not the WeCom tests' fixtures.
sys.path.insert(0, str(Path(__file__).parents[1] / "wecom"))
from fake_wecom_api import FakeWeComApi  # noqa: E402
from wecom_fakes import AES_KEY, AGENT_ID, CORP_ID, SECRET, TOKEN, WeChatPyClient, text_message_xml  # noqa: E402

pytestmark = pytest.mark.slow
DEMO_USER = "zhangwei"  # bound to advisor A001 in knowledge_base/demo/advisors.yaml


@pytest.fixture
def fake_api() -> Iterator[FakeWeComApi]:
    api = FakeWeComApi(corp_id=CORP_ID, secret=SECRET).start()
    yield api
    api.stop()


def _wecom_env(api: FakeWeComApi) -> dict[str, str]:
    values = {"TOKEN": TOKEN, "AES_KEY": AES_KEY, "CORP_ID": CORP_ID, "AGENT_ID": AGENT_ID, "SECRET": SECRET,
              "API_BASE": api.base_url}
    return {f"RM_COPILOT_WECOM_{name}": value for name, value in values.items()}


def _deliver(server: LiveServer, xml: str) -> None:
    params, body = WeChatPyClient().encrypted_post(xml)
    response = httpx.post(f"{server.base_url}/wecom/callback", params=params, content=body, timeout=30)
    assert (response.status_code, response.text) == (200, "")


def test_a_message_acknowledged_before_a_sigkill_is_answered_once_after_restart(tmp_path: Path, fake_api: FakeWeComApi):
    home = tmp_path / "home"
    question = text_message_xml(from_user=DEMO_USER, content="存款保险的保障额度是多少？", msg_id="7300000000000001")
    with MisbehavingOpenAI("hang", hold_s=120) as llm:  # takes every request, answers none
        first = LiveServer(home, extra_env={**_wecom_env(fake_api), "RM_COPILOT_LLM_BACKEND": "openai",
                                            "RM_COPILOT_LLM_BASE_URL": llm.base_url, "RM_COPILOT_LLM_TIMEOUT": "600"})
        try:
            first.start()
            _deliver(first, question)
            assert llm.asked.wait(60), "the answer never reached the LLM"
            first._process.kill()  # SIGKILL between the ack and the reply
            first._process.wait(30)
        finally:
            first.stop()
    assert fake_api.calls_to("message/send") == []

    second = LiveServer(home, extra_env={**_wecom_env(fake_api), "RM_COPILOT_LLM_MAX_CONCURRENCY": "1"})
    try:
        second.start()
        (answer,) = fake_api.wait_for("message/send", 1, timeout=120)
        _deliver(second, question)  # WeCom's re-delivery of the same message: a duplicate
        _deliver(second, text_message_xml(from_user=DEMO_USER, content="帮助", msg_id="7300000000000002"))
        sends = fake_api.wait_for("message/send", 2, timeout=120)
    finally:
        second.stop()
    assert answer.body["touser"] == DEMO_USER and "50万" in answer.body["text"]["content"]
    assert len(sends) == 2, [call.body for call in sends]  # one answer per message, the first not repeated
