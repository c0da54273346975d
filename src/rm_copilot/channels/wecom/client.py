"""Outbound WeCom calls: the app's `message/send` with a cached access token, and group robots."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from rm_copilot.channels.wecom.splitting import split_text

log = logging.getLogger(__name__)

APP_TEXT_LIMIT = 2048  # bytes per `message/send` text
ROBOT_TEXT_LIMIT = 2048  # bytes per group-robot text message
ROBOT_MARKDOWN_LIMIT = 4096  # bytes per group-robot markdown message
MASS_TEXT_LIMIT = 4000  # bytes of text in one 企业群发 (add_msg_template) task
TOKEN_ERRORS = frozenset({40001, 40014, 42001})  # invalid credential, invalid token, token expired
_BUSY = -1  # "system busy, retry later"


class WeComApiError(Exception):
    def __init__(self, errcode: int, errmsg: str):
        self.errcode, self.errmsg = errcode, errmsg
        super().__init__(f"WeCom API error {errcode}: {errmsg}")


class _JsonCaller:
    """JSON requests with bounded retries (exponential backoff) on network errors and busy replies."""

    def __init__(
        self,
        http: httpx.Client | None,
        *,
        attempts: int = 3,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self._http = http or httpx.Client(timeout=10.0)
        self._attempts, self._backoff, self._sleep = max(1, attempts), backoff, sleep

    def call(self, method: str, url: str, **kwargs: Any) -> dict:
        for attempt in range(self._attempts):
            last = attempt == self._attempts - 1
            try:
                response = self._http.request(method, url, **kwargs)
                if response.status_code >= 500 and not last:
                    raise httpx.HTTPStatusError("server error", request=response.request, response=response)
                data = response.json()
            except (httpx.TransportError, httpx.HTTPStatusError) as error:
                if last:
                    raise WeComApiError(-1, f"network error: {type(error).__name__}") from error
            except ValueError as error:
                raise WeComApiError(-1, f"answer is not JSON (HTTP {response.status_code})") from error
            else:
                if not isinstance(data, dict):
                    raise WeComApiError(-1, "answer is not a JSON object")
                if data.get("errcode", 0) != _BUSY or last:
                    return data
            self._sleep(self._backoff * 2**attempt)
        raise AssertionError("unreachable")


class WeComClient:
    """A self-built app's API client (`gettoken`, `message/send`, 客户联系 群发); thread-safe."""

    token_margin = 300.0  # refresh this many seconds before WeCom says the token expires

    def __init__(
        self,
        api_base: str,
        corp_id: str,
        secret: str,
        agent_id: str | int,
        http: httpx.Client | None = None,
        *,
        attempts: int = 3,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._base = api_base.rstrip("/")
        self._corp_id, self._secret = corp_id, secret
        self._agent_id = int(agent_id) if str(agent_id).isdigit() else agent_id
        self._caller = _JsonCaller(http, attempts=attempts, backoff=backoff, sleep=sleep)
        self._clock = clock
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = threading.Lock()

    def access_token(self) -> str:
        with self._lock:
            if self._token is None or self._clock() >= self._expires_at:
                return self._fetch_token()
            return self._token

    def _fetch_token(self) -> str:
        data = self._caller.call(
            "GET", f"{self._base}/gettoken", params={"corpid": self._corp_id, "corpsecret": self._secret}
        )
        if data.get("errcode", 0) != 0 or not data.get("access_token"):
            raise WeComApiError(int(data.get("errcode", -1)), str(data.get("errmsg", "no access_token")))
        expires_in = float(data.get("expires_in", 7200))
        self._token = token = str(data["access_token"])
        self._expires_at = self._clock() + max(expires_in - self.token_margin, expires_in / 2)
        return token

    def _invalidate(self, token: str) -> None:
        with self._lock:
            if self._token == token:
                self._token = None

    def call(self, path: str, payload: dict) -> dict:
        """POST to an authenticated API; a rejected token is refreshed and the call retried once."""
        for retry in (False, True):
            token = self.access_token()
            data = self._caller.call(
                "POST", f"{self._base}/{path.lstrip('/')}", params={"access_token": token}, json=payload
            )
            errcode = int(data.get("errcode", 0))
            if errcode in TOKEN_ERRORS and not retry:
                log.info("wecom access token rejected (%s); refreshing", errcode)
                self._invalidate(token)
                continue
            if errcode != 0:
                raise WeComApiError(errcode, str(data.get("errmsg", "")))
            return data
        raise AssertionError("unreachable")

    def send_text(self, touser: str, content: str) -> int:
        """Send `content` to a member, as several messages when over the byte limit; returns the count."""
        chunks = split_text(content, APP_TEXT_LIMIT)
        for chunk in chunks:
            self.call(
                "message/send",
                {
                    "touser": touser,
                    "msgtype": "text",
                    "agentid": self._agent_id,
                    "text": {"content": chunk},
                    "safe": 0,
                    # A network retry of the same chunk must not reach the advisor twice.
                    "enable_duplicate_check": 1,
                    "duplicate_check_interval": 60,
                },
            )
        return len(chunks)

    def send_template_card(self, touser: str, card: dict[str, Any]) -> str:
        """Send a template card (`msgtype: template_card`); returns its response_code ("" if none)."""
        data = self.call(
            "message/send",
            {
                "touser": touser, "msgtype": "template_card", "agentid": self._agent_id, "template_card": card,
                "enable_duplicate_check": 1, "duplicate_check_interval": 60,
            },
        )
        return str(data.get("response_code") or "")

    def update_button(self, userid: str, response_code: str, replace_name: str) -> None:
        """After a press: the card's buttons become one disabled button named `replace_name`."""
        self.call(
            "message/update_template_card",
            {"userids": [userid], "agentid": self._agent_id, "response_code": response_code,
             "button": {"replace_name": replace_name}},
        )

    def add_msg_template(self, *, sender: str, external_userids: list[str], text: str) -> dict[str, Any]:
        """Create a 企业群发 task (chat_type single) that `sender` confirms in WeCom: {msgid, fail_list}."""
        if len(text.encode()) > MASS_TEXT_LIMIT:
            raise WeComApiError(45002, "content size out of limit")
        data = self.call(
            "externalcontact/add_msg_template",
            {"chat_type": "single", "external_userid": external_userids, "sender": sender,
             "allow_select": False, "text": {"content": text}},
        )
        return {"msgid": str(data.get("msgid") or ""), "fail_list": list(data.get("fail_list") or [])}

    def groupmsg_send_results(self, msgid: str, userid: str, *, page_size: int = 1000,
                              max_pages: int = 100) -> list[dict[str, Any]]:
        """Every `send_list` row of `get_groupmsg_send_result` for this task and sender (all pages)."""
        rows: list[dict[str, Any]] = []
        cursor = ""
        for _ in range(max_pages):
            payload: dict[str, Any] = {"msgid": msgid, "userid": userid, "limit": page_size}
            if cursor:
                payload["cursor"] = cursor
            data = self.call("externalcontact/get_groupmsg_send_result", payload)
            rows.extend(row for row in data.get("send_list") or [] if isinstance(row, dict))
            cursor = str(data.get("next_cursor") or "")
            if not cursor:
                break
        return rows


class GroupRobot:
    """A group chat robot webhook (群机器人), used for campaign pushes."""

    def __init__(
        self,
        webhook_url: str,
        http: httpx.Client | None = None,
        *,
        attempts: int = 3,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self._url = webhook_url
        self._caller = _JsonCaller(http, attempts=attempts, backoff=backoff, sleep=sleep)

    def send_text(self, content: str, *, mentioned_list: list[str] | None = None) -> int:
        chunks = split_text(content, ROBOT_TEXT_LIMIT)
        for chunk in chunks:
            text: dict[str, Any] = {"content": chunk}
            if mentioned_list:
                text["mentioned_list"] = mentioned_list
            self._post({"msgtype": "text", "text": text})
        return len(chunks)

    def send_markdown(self, content: str) -> int:
        chunks = split_text(content, ROBOT_MARKDOWN_LIMIT)
        for chunk in chunks:
            self._post({"msgtype": "markdown", "markdown": {"content": chunk}})
        return len(chunks)

    def _post(self, payload: dict) -> None:
        data = self._caller.call("POST", self._url, json=payload)
        if int(data.get("errcode", 0)) != 0:
            raise WeComApiError(int(data["errcode"]), str(data.get("errmsg", "")))
