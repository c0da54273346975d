"""Two server processes on one home behave as one: one chat limit, one set of sessions (`serve --workers`)."""
from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from live_server import BIN, LiveServer

from rm_copilot.config import PROJECT_ROOT

pytestmark = pytest.mark.slow
LIMIT = 4


class WorkersServer(LiveServer):
    """`rm-copilot serve --workers N` on the given home."""

    def __init__(self, home: Path, workers: int, **kwargs):
        super().__init__(home, **kwargs)
        self.workers = workers

    def start(self) -> "WorkersServer":
        self._process = subprocess.Popen(
            [str(BIN / "rm-copilot"), "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", str(self.workers)],
            cwd=PROJECT_ROOT, env=self.env, stdout=self.log_path.open("wb"), stderr=subprocess.STDOUT,
        )
        self._wait_ready()
        return self


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, LiveServer]]:
    home = tmp_path_factory.mktemp("shared") / "home"
    env = {"RM_COPILOT_CHAT_RATE_LIMIT_PER_MINUTE": str(LIMIT)}
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
    for server in (first, second):
        assert f"数据目录：{server.home}" in server.output() and "数据库：sqlite:///" in server.output()
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
        time.sleep(max(0.0, (window + 1) * 60 - time.time()) + 0.5)  # wait out the window, not a race
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
