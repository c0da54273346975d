"""A misbehaving OpenAI-compatible server: one overall deadline, and empty replies fall back like failures."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from assistant_fakes import FakeCustomers, FakeRetriever, chunk, make_copilot, profile
from langchain_core.messages import HumanMessage

from rm_copilot.config import Settings
from rm_copilot.services import make_chat_model

DRIP_LIMIT = 300  # chunks a drip-feeding server sends at most (one every 0.1 s: 30 s)


class MisbehavingOpenAI:
    """`mode`: drip (one SSE chunk every 0.1 s until the client leaves), hang (never answers), or
    reply (answers `reply` at once, streamed or not)."""

    def __init__(self, mode: str, reply: str = ""):
        self.mode = mode
        self.reply = reply
        self.requests: list[dict] = []
        self.dripped = 0
        self.release = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append(body)
                if fake.mode == "hang":
                    fake.release.wait(30)
                    return
                self.send_response(200)
                if fake.mode == "drip" or body.get("stream"):
                    self.send_header("Content-Type", "text/event-stream")
                    self.end_headers()
                    pieces = (["存"] * DRIP_LIMIT) if fake.mode == "drip" else [fake.reply[i:i + 4] for i in range(0, len(fake.reply), 4)]
                    try:
                        for piece in pieces:
                            self._event({"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]})
                            if fake.mode == "drip":
                                fake.dripped += 1
                                if fake.release.wait(0.1):
                                    return
                        self._event({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
                        self.wfile.write(b"data: [DONE]\n\n")
                    except (BrokenPipeError, ConnectionResetError):
                        return
                    return
                payload = json.dumps({
                    "id": "c", "object": "chat.completion", "created": 0, "model": "fake",
                    "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": fake.reply}}],
                }, ensure_ascii=False).encode()
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _event(self, data: dict) -> None:
                event = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "fake", **data}
                self.wfile.write(f"data: {json.dumps(event, ensure_ascii=False)}\n\n".encode())
                self.wfile.flush()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> "MisbehavingOpenAI":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def _settings(tmp_path, server, *, timeout: float, retries: int) -> Settings:
    return Settings(home=tmp_path, environment="test", llm_backend="openai", llm_base_url=server.base_url,
                    llm_model="fake", llm_timeout=timeout, llm_max_retries=retries)


@pytest.fixture
def copilot_for(tmp_path, catalog, engine):
    retriever = FakeRetriever([chunk("faq/deposit-insurance#1", "存款保险的最高偿付限额为50万元。", title="存款保险保什么")])
    customers = FakeCustomers()
    customers.add(profile("C00001"))

    def build(server, *, timeout: float = 5.0, retries: int = 0):
        model = make_chat_model(_settings(tmp_path, server, timeout=timeout, retries=retries))
        return make_copilot(tmp_path, catalog, engine, customers=customers, retriever=retriever, model=model)

    return build


def test_a_drip_feeding_server_cannot_hold_a_stream_past_the_deadline(tmp_path):
    with MisbehavingOpenAI("drip") as server:
        model = make_chat_model(_settings(tmp_path, server, timeout=1.0, retries=0))
        with pytest.raises(Exception):
            for _ in model.stream([HumanMessage(content="你好")]):
                pass
        server.release.set()
    assert server.dripped < DRIP_LIMIT


def test_a_drip_feeding_server_cannot_hold_a_plain_call_past_the_deadline(tmp_path):
    with MisbehavingOpenAI("drip") as server:
        model = make_chat_model(_settings(tmp_path, server, timeout=1.0, retries=2))
        with pytest.raises(Exception):
            model.invoke([HumanMessage(content="你好")])
        server.release.set()
    assert server.dripped < DRIP_LIMIT
    assert len(server.requests) == 1  # the deadline was spent: no retry starts after it


def test_a_slow_server_costs_one_deadline_not_one_timeout_per_attempt(tmp_path):
    with MisbehavingOpenAI("hang") as server:
        model = make_chat_model(_settings(tmp_path, server, timeout=0.5, retries=2))
        with pytest.raises(Exception):
            model.invoke([HumanMessage(content="你好")])
    assert len(server.requests) == 1


def test_a_prompt_reply_within_the_deadline_is_delivered_once(tmp_path):
    with MisbehavingOpenAI("reply", reply="存款保险的最高偿付限额为50万元。") as server:
        model = make_chat_model(_settings(tmp_path, server, timeout=5.0, retries=2))
        assert "50万元" in str(model.invoke([HumanMessage(content="存款保险赔多少？")]).content)
    assert len(server.requests) == 1


@pytest.mark.parametrize("reply", ["", "   \n  ", "😀🙏……！"])
def test_an_empty_reply_falls_back_to_the_builtin_composer_everywhere(copilot_for, reply):
    with MisbehavingOpenAI("reply", reply=reply) as server:
        copilot = copilot_for(server)
        answer = copilot.chat("A001", "存款保险最高赔多少钱？")
        events = list(copilot.chat_stream("A001", "存款保险最高赔多少钱？"))
        scripts = copilot.scripts("A001", "C00001", channel="wecom", variants=2).scripts
    assert answer.origin.startswith("builtin") and "50万元" in answer.answer
    assert "50万元" in events[-1].answer.answer
    assert all(script.text.strip() and script.origin.startswith("builtin") for script in scripts)
    assert len(server.requests) >= 3
