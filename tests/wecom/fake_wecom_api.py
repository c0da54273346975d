"""A local stand-in for WeCom's server API that records every call: gettoken (with expiry), message/send
(text and template_card), update_template_card, group robots, 客户联系 群发 (externalcontact/add_msg_template,
get_groupmsg_send_result), and the WeCom side of callbacks (a signed, encrypted template_card_event)."""
from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

APP_TEXT_LIMIT = 2048
ROBOT_LIMITS = {"text": 2048, "markdown": 4096}
MASS_TEXT_LIMIT = 4000
MASS_MAX_RECIPIENTS = 10000
CARD_TYPES = {"text_notice", "news_notice", "button_interaction", "vote_interaction", "multiple_interaction"}
_TASK_ID = re.compile(r"^[A-Za-z0-9_\-@]{1,128}$")
SENT, NOT_SENT, NOT_FRIEND, ALREADY_RECEIVED = 1, 0, 2, 3  # get_groupmsg_send_result status values


@dataclass
class MassTask:
    msgid: str
    sender: str
    text: str
    status: dict[str, int]  # external_userid → status
    send_time: dict[str, int] = field(default_factory=dict)


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
    def __init__(self, *, corp_id: str, secret: str, robot_key: str = "ROBOT-KEY", expires_in: int = 7200,
                 friends: dict[str, set[str]] | None = None):
        self.corp_id, self.secret, self.robot_key = corp_id, secret, robot_key
        self.expires_in = expires_in
        # sender → their external contacts; None: everyone is everyone's contact
        self.friends = friends
        self.calls: list[Call] = []
        self.mass_tasks: dict[str, MassTask] = {}
        self._task_ids: set[str] = set()
        self._used_codes: set[str] = set()
        self.card_updates: list[tuple[str, str]] = []  # (task_id, replace_name)
        self._token_deadline: dict[str, float] = {}
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
    def start(self) -> FakeWeComApi:
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
        """The next authenticated calls answer these errcodes, one each, whatever their token (0: normally)."""
        with self._changed:
            self._forced_errors.extend(errcodes)

    def confirm_mass_task(self, msgid: str, *, not_friends: tuple[str, ...] = (),
                          already_received: tuple[str, ...] = ()) -> None:
        """The sender confirms the 群发 task in WeCom: it goes out to every recipient but those named."""
        with self._changed:
            task = self.mass_tasks[msgid]
            now = int(time.time())
            for external_userid in task.status:
                if external_userid in not_friends:
                    task.status[external_userid] = NOT_FRIEND
                elif external_userid in already_received:
                    task.status[external_userid] = ALREADY_RECEIVED
                else:
                    task.status[external_userid] = SENT
                    task.send_time[external_userid] = now

    # -- inspection --------------------------------------------------------------------------
    def sent_cards(self) -> list[dict[str, Any]]:
        return [c.body["template_card"] for c in self.calls_to("message/send")
                if c.ok and c.body.get("msgtype") == "template_card"]

    def calls_to(self, endpoint: str) -> list[Call]:
        with self._changed:
            return [c for c in self.calls if c.path.endswith("/" + endpoint)]

    def sent_texts(self) -> list[str]:
        return [c.body["text"]["content"] for c in self.calls_to("message/send")
                if c.ok and c.body.get("msgtype") == "text"]

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
            elif path == "/cgi-bin/message/update_template_card" and method == "POST":
                answer = self._authenticated(query) or self._update_card(body or {})
            elif path == "/cgi-bin/externalcontact/add_msg_template" and method == "POST":
                answer = self._authenticated(query) or self._add_msg_template(body or {})
            elif path == "/cgi-bin/externalcontact/get_groupmsg_send_result" and method == "POST":
                answer = self._authenticated(query) or self._send_result(body or {})
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
        self._token_deadline[token] = time.monotonic() + self.expires_in
        return {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": self.expires_in}

    def _authenticated(self, query: dict[str, str]) -> dict | None:
        """The error answer for a call whose access_token WeCom would refuse; None when it is good."""
        token = query.get("access_token", "")
        forced = self._forced_errors.pop(0) if self._forced_errors else 0
        if forced:  # 0: this call is answered normally
            return {"errcode": forced, "errmsg": "forced by test"}
        if token in self._valid_tokens and time.monotonic() >= self._token_deadline.get(token, 0):
            self._valid_tokens.discard(token)
            self._expired_tokens.add(token)
        if token in self._expired_tokens:
            return {"errcode": 42001, "errmsg": "access_token expired"}
        if token not in self._valid_tokens:
            return {"errcode": 40014, "errmsg": "invalid access_token"}
        return None

    def _message_send(self, query: dict[str, str], body: dict) -> dict:
        refused = self._authenticated(query)
        if refused:
            return refused
        if body.get("msgtype") == "template_card":
            return self._template_card(body)
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

    def _template_card(self, body: dict) -> dict:
        card = body.get("template_card") or {}
        if not body.get("touser") or "agentid" not in body or card.get("card_type") not in CARD_TYPES:
            return {"errcode": 40008, "errmsg": "invalid message type"}
        task_id = card.get("task_id", "")
        buttons = card.get("button_list") or []
        keys = [b.get("key", "") for b in buttons]
        if card["card_type"] == "button_interaction" and (
            not _TASK_ID.match(task_id) or not 1 <= len(buttons) <= 6 or not (card.get("main_title") or {}).get("title")
            or any(not b.get("text") or not k or len(k.encode()) > 1024 for b, k in zip(buttons, keys, strict=True))
            or len(set(keys)) != len(keys)
        ):
            return {"errcode": 40058, "errmsg": "invalid template_card parameter"}
        if task_id in self._task_ids:
            return {"errcode": 40058, "errmsg": "task_id already used"}
        self._task_ids.add(task_id)
        return {"errcode": 0, "errmsg": "ok", "msgid": f"msg-{len(self.calls)}", "response_code": f"rc-{task_id}"}

    def _update_card(self, body: dict) -> dict:
        """A response_code (from a press's callback) updates its card once."""
        code = body.get("response_code", "")
        name = (body.get("button") or {}).get("replace_name", "")
        if not code.startswith("rc-") or code[3:] not in self._task_ids or code in self._used_codes or not name:
            return {"errcode": 40058, "errmsg": "invalid response_code or button"}
        self._used_codes.add(code)
        self.card_updates.append((code[3:], name))
        return {"errcode": 0, "errmsg": "ok", "invaliduser": []}

    def _add_msg_template(self, body: dict) -> dict:
        content = (body.get("text") or {}).get("content", "")
        recipients = body.get("external_userid") or []
        sender = body.get("sender") or ""
        if body.get("chat_type", "single") != "single" or not sender or not content or not isinstance(recipients, list):
            return {"errcode": 40058, "errmsg": "invalid parameter"}
        if len(content.encode()) > MASS_TEXT_LIMIT:
            return {"errcode": 45002, "errmsg": "content size out of limit"}
        if not recipients or len(recipients) > MASS_MAX_RECIPIENTS:
            return {"errcode": 40058, "errmsg": "external_userid list size invalid"}
        contacts = None if self.friends is None else self.friends.get(sender, set())
        accepted = [r for r in dict.fromkeys(recipients) if contacts is None or r in contacts]
        failed = [r for r in dict.fromkeys(recipients) if r not in accepted]
        if not accepted:
            return {"errcode": 41048, "errmsg": "no valid external_userid", "fail_list": failed}
        msgid = f"msgGCAA{len(self.mass_tasks) + 1:04d}"
        self.mass_tasks[msgid] = MassTask(msgid, sender, content, {r: NOT_SENT for r in accepted})
        return {"errcode": 0, "errmsg": "ok", "fail_list": failed, "msgid": msgid}

    def _send_result(self, body: dict) -> dict:
        task = self.mass_tasks.get(body.get("msgid", ""))
        if task is None or body.get("userid") != task.sender:
            return {"errcode": 40058, "errmsg": "invalid msgid or userid"}
        limit = min(max(int(body.get("limit") or 500), 1), 1000)
        start = int(body.get("cursor") or 0)
        rows = list(task.status.items())
        page = [
            {"external_userid": external, "userid": task.sender, "status": status,
             **({"send_time": task.send_time[external]} if external in task.send_time else {})}
            for external, status in rows[start:start + limit]
        ]
        cursor = str(start + limit) if start + limit < len(rows) else ""
        return {"errcode": 0, "errmsg": "ok", "next_cursor": cursor, "send_list": page}


def card_event_xml(*, from_user: str, task_id: str, event_key: str, corp_id: str, agent_id: str,
                   card_type: str = "button_interaction", create_time: int | None = None) -> str:
    """The decrypted callback WeCom sends when a member presses a template card's button."""
    return (
        f"<xml><ToUserName><![CDATA[{corp_id}]]></ToUserName>"
        f"<FromUserName><![CDATA[{from_user}]]></FromUserName>"
        f"<CreateTime>{create_time or int(time.time())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        f"<Event><![CDATA[template_card_event]]></Event><EventKey><![CDATA[{event_key}]]></EventKey>"
        f"<TaskId><![CDATA[{task_id}]]></TaskId><CardType><![CDATA[{card_type}]]></CardType>"
        f"<ResponseCode><![CDATA[rc-{task_id}]]></ResponseCode><AgentID>{agent_id}</AgentID></xml>"
    )


def press_button(api: FakeWeComApi, post, *, card: dict[str, Any], button_text: str, from_user: str,
                 agent_id: str, signer) -> Any:
    """WeCom delivering a press of `button_text` on `card` (one the app sent): signed and encrypted by
    `signer` (wechatpy, an implementation independent of ours) and POSTed through `post(params, body)`."""
    key = next(b["key"] for b in card["button_list"] if b["text"] == button_text)
    xml = card_event_xml(from_user=from_user, task_id=card["task_id"], event_key=key, corp_id=api.corp_id,
                         agent_id=agent_id, card_type=card["card_type"])
    params, body = signer.encrypted_post(xml)
    return post(params, body)
