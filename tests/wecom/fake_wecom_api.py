"""A local stand-in for WeCom's server API (gettoken, message/send, group robot) that records every call."""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

APP_TEXT_LIMIT = 2048
ROBOT_LIMITS = {"text": 2048, "markdown": 4096}


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, str]
    body: dict[str, Any] | None
    answer: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.answer.get("errcode", 0) == 0


class FakeWeComApi:
    def __init__(self, *, corp_id: str, secret: str, robot_key: str = "ROBOT-KEY"):
        self.corp_id, self.secret, self.robot_key = corp_id, secret, robot_key
        self.calls: list[Call] = []
        self._changed = threading.Condition()
        self._valid_tokens: set[str] = set()
        self._expired_tokens: set[str] = set()
        self._tokens_issued = 0
        self._forced_errors: list[int] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                self._serve("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._serve("POST")

            def _serve(self, method: str) -> None:
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                answer = fake._answer(method, url.path, query, body)
                payload = json.dumps(answer, ensure_ascii=False).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> "FakeWeComApi":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/cgi-bin"

    @property
    def robot_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/cgi-bin/webhook/send?key={self.robot_key}"

    # -- test controls -----------------------------------------------------------------------
    def expire_tokens(self) -> None:
        """Every token issued so far now answers 42001 (access_token expired)."""
        with self._changed:
            self._expired_tokens |= self._valid_tokens
            self._valid_tokens.clear()

    def fail_next(self, *errcodes: int) -> None:
        """The next authenticated calls answer these errcodes, one each, whatever their token."""
        with self._changed:
            self._forced_errors.extend(errcodes)

    # -- inspection --------------------------------------------------------------------------
    def calls_to(self, endpoint: str) -> list[Call]:
        with self._changed:
            return [c for c in self.calls if c.path.endswith("/" + endpoint)]

    def sent_texts(self) -> list[str]:
        return [c.body["text"]["content"] for c in self.calls_to("message/send") if c.ok]

    def wait_for(self, endpoint: str, count: int, timeout: float = 10.0) -> list[Call]:
        with self._changed:
            self._changed.wait_for(lambda: len(self._calls_to(endpoint)) >= count, timeout)
            return self._calls_to(endpoint)

    def _calls_to(self, endpoint: str) -> list[Call]:
        return [c for c in self.calls if c.path.endswith("/" + endpoint)]

    # -- behaviour ---------------------------------------------------------------------------
    def _answer(self, method: str, path: str, query: dict[str, str], body: dict | None) -> dict:
        with self._changed:
            if path == "/cgi-bin/gettoken" and method == "GET":
                answer = self._gettoken(query)
            elif path == "/cgi-bin/message/send" and method == "POST":
                answer = self._message_send(query, body or {})
            elif path == "/cgi-bin/webhook/send" and method == "POST":
                answer = self._robot_send(query, body or {})
            else:
                answer = {"errcode": 404, "errmsg": "no such api"}
            self.calls.append(Call(method, path, query, body, answer))
            self._changed.notify_all()
            return answer

    def _gettoken(self, query: dict[str, str]) -> dict:
        if query.get("corpid") != self.corp_id or query.get("corpsecret") != self.secret:
            return {"errcode": 40001, "errmsg": "invalid credential"}
        self._tokens_issued += 1
        token = f"TOKEN-{self._tokens_issued}"
        self._valid_tokens.add(token)
        return {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}

    def _message_send(self, query: dict[str, str], body: dict) -> dict:
        token = query.get("access_token", "")
        if self._forced_errors:
            return {"errcode": self._forced_errors.pop(0), "errmsg": "forced by test"}
        if token in self._expired_tokens:
            return {"errcode": 42001, "errmsg": "access_token expired"}
        if token not in self._valid_tokens:
            return {"errcode": 40014, "errmsg": "invalid access_token"}
        content = (body.get("text") or {}).get("content", "")
        if body.get("msgtype") != "text" or not content or not body.get("touser") or "agentid" not in body:
            return {"errcode": 40008, "errmsg": "invalid message"}
        if len(content.encode()) > APP_TEXT_LIMIT:
            return {"errcode": 45002, "errmsg": "content size out of limit"}
        return {"errcode": 0, "errmsg": "ok", "msgid": f"msg-{len(self.calls)}"}

    def _robot_send(self, query: dict[str, str], body: dict) -> dict:
        if query.get("key") != self.robot_key:
            return {"errcode": 93000, "errmsg": "invalid webhook url"}
        kind = body.get("msgtype")
        content = (body.get(kind) or {}).get("content", "") if kind in ROBOT_LIMITS else ""
        if not content:
            return {"errcode": 40008, "errmsg": "invalid message"}
        if len(content.encode()) > ROBOT_LIMITS[kind]:
            return {"errcode": 45002, "errmsg": "content size out of limit"}
        return {"errcode": 0, "errmsg": "ok"}
