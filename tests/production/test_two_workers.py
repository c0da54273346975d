"""Two server processes on one home (SQLite, or one PostgreSQL) behave as one: one chat limit, one set of
sessions (the second runs `serve --workers 2`)."""
from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from live_server import BIN, LiveServer
from rm_copilot.config import PROJECT_ROOT

sys.path.insert(0, str(Path(__file__).parents[1] / "wecom"))  # the WeCom fakes live beside the WeCom tests
from fake_wecom_api import FakeWeComApi  # noqa: E402
from wecom_fakes import AES_KEY, AGENT_ID, CORP_ID, SECRET, TOKEN, WeChatPyClient, text_message_xml  # noqa: E402

pytestmark = pytest.mark.slow
LIMIT = 4


class WorkersServer(LiveServer):
    """`rm-copilot serve --workers N` on the given home."""

    def __init__(self, home: Path, workers: int, **kwargs):
        super().__init__(home, **kwargs)
        self.workers = workers

    def start(self) -> WorkersServer:
        self._process = subprocess.Popen(
            [str(BIN / "rm-copilot"), "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", str(self.workers)],
            cwd=PROJECT_ROOT, env=self.env, stdout=self.log_path.open("wb"), stderr=subprocess.STDOUT,
        )
        self._wait_ready()
        return self


@pytest.fixture(scope="module")
def wecom_api() -> Iterator[FakeWeComApi]:
    api = FakeWeComApi(corp_id=CORP_ID, secret=SECRET).start()
    yield api
    api.stop()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def two_servers(request, wecom_api: FakeWeComApi,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, LiveServer]]:
    home = tmp_path_factory.mktemp("shared") / "home"
    env = {"RM_COPILOT_CHAT_RATE_LIMIT_PER_MINUTE": str(LIMIT)}
    wecom = {"TOKEN": TOKEN, "AES_KEY": AES_KEY, "CORP_ID": CORP_ID, "AGENT_ID": AGENT_ID, "SECRET": SECRET,
             "API_BASE": wecom_api.base_url}
    env.update({f"RM_COPILOT_WECOM_{name}": value for name, value in wecom.items()})
    if request.param == "postgresql":
        env["RM_COPILOT_DATABASE_URL"] = request.getfixturevalue("postgres_server").create_database()
    first = LiveServer(home, extra_env=env).start()  # prepares the home
    second = WorkersServer(home, 2, extra_env=env)
    second.log_path = home.parent / "second-serve.log"
    try:
        second.start()
        yield first, second
    finally:
        second.stop()
        first.stop()


def test_serve_prints_the_home_and_database_it_uses(two_servers):
    first, second = two_servers
    database = first.env.get("RM_COPILOT_DATABASE_URL") or f"sqlite:///{first.home / 'rm_copilot.db'}"
    for server in (first, second):
        assert f"数据目录：{server.home}" in server.output() and f"数据库：{database}" in server.output()
    assert "2 个工作进程" in second.output()


def test_the_chat_limit_is_one_limit_across_two_server_processes(two_servers):
    first, second = two_servers
    headers = {"Authorization": f"Bearer {first.token('A002')}"}
    for _ in range(3):  # a fixed window: a round that straddles a minute boundary is run again
        window = int(time.time() // 60)
        codes = []
        for index in range(2 * LIMIT):
            server = (first, second)[index % 2]
            response = httpx.post(f"{server.base_url}/api/v1/chat", headers=headers, timeout=120,
                                  json={"message": "存款保险的保障额度是多少？"})
            codes.append(response.status_code)
        if int(time.time() // 60) == window:
            break
        # The round straddled a minute boundary: start the next one as a fresh window opens.
        time.sleep((int(time.time() // 60) + 1) * 60 - time.time() + 0.5)
    # The limiter runs before the answer: exactly LIMIT requests got past it, whichever process took them.
    assert codes.count(429) == LIMIT and 429 not in codes[:LIMIT], codes
    assert set(codes[:LIMIT]) == {200}, codes


def test_a_session_started_on_one_process_continues_on_the_other(two_servers):
    first, second = two_servers
    headers = {"Authorization": f"Bearer {first.token('A001')}"}
    opened = httpx.post(f"{first.base_url}/api/v1/chat", headers=headers, timeout=120,
                        json={"message": "存款保险的保障额度是多少？"})
    assert opened.status_code == 200, opened.text
    session_id = opened.json()["session_id"]
    followed = httpx.post(f"{second.base_url}/api/v1/chat", headers=headers, timeout=120,
                          json={"message": "理财产品也保吗？", "session_id": session_id})
    assert followed.status_code == 200, followed.text
    assert followed.json()["session_id"] == session_id
    history = httpx.get(f"{first.base_url}/api/v1/sessions/{session_id}/messages", headers=headers, timeout=60)
    assert [m["role"] for m in history.json()] == ["user", "assistant", "user", "assistant"]


def test_a_wecom_message_delivered_to_both_processes_is_answered_once(two_servers, wecom_api: FakeWeComApi):
    first, second = two_servers
    before = len(wecom_api.calls_to("message/send"))
    question = text_message_xml(from_user="zhangwei", content="帮助", msg_id=f"75{time.time_ns() % 10**14:014d}")
    for server in (first, second, first):  # WeCom re-delivers to whichever worker the balancer picks
        params, body = WeChatPyClient().encrypted_post(question)
        response = httpx.post(f"{server.base_url}/wecom/callback", params=params, content=body, timeout=30)
        assert (response.status_code, response.text) == (200, "")
    other = text_message_xml(from_user="zhangwei", content="帮助", msg_id=f"76{time.time_ns() % 10**14:014d}")
    params, body = WeChatPyClient().encrypted_post(other)
    assert httpx.post(f"{second.base_url}/wecom/callback", params=params, content=body, timeout=30).status_code == 200
    sends = wecom_api.wait_for("message/send", before + 2, timeout=120)[before:]
    assert len(sends) == 2, [call.body for call in sends]  # one answer per distinct message
