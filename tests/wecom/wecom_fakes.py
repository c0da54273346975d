"""Hand-written fakes of what the WeCom channel consumes (Copilot, advisor directory), and a client
that encrypts callbacks with wechatpy — an implementation independent of ours."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from wechatpy.enterprise.crypto import PrpCrypto, WeChatCrypto
from wechatpy.utils import WeChatSigner

from rm_copilot.errors import NotFound

TOKEN = "rmCopilotToken2026"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
CORP_ID = "ww1234567890abcdef"
AGENT_ID = "1000002"
SECRET = "app-secret-for-tests"

BOUND_USER = "ZhangWei"
OTHER_USER = "LiNa"
UNBOUND_USER = "Stranger"


@dataclass(frozen=True)
class FakeAdvisor:
    id: str
    name: str
    wecom_userid: str | None


class FakeAdvisors:
    def __init__(self, bindings: dict[str, str] | None = None):
        self._by_userid = {
            userid: FakeAdvisor(advisor_id, f"客户经理{advisor_id}", userid)
            for userid, advisor_id in (bindings or {BOUND_USER: "A001", OTHER_USER: "A002"}).items()
        }
        self.lookups: list[str] = []

    def advisor_for_wecom(self, userid: str) -> FakeAdvisor | None:
        self.lookups.append(userid)
        return self._by_userid.get(userid)

    def get(self, customer_id: str, *, advisor_id: str | None = None) -> Any:
        return type("CustomerName", (), {"id": customer_id, "name": "张*"})()


class FakeVerdict:
    def __init__(self, verdict: str):
        self.verdict = verdict


class FakeCompliance:
    """Blocks the wording a real rulebook blocks first; records every checked text and its context
    (as the engine and as the gate: advisor, customer, channel, audit source)."""

    BLOCKED_WORDS = ("稳赚", "保本保息")

    def __init__(self):
        self.checked: list[str] = []
        self.contexts: list[dict[str, Any]] = []

    def check(self, text: str, **context: Any) -> FakeVerdict:
        self.checked.append(text)
        self.contexts.append({"text": text, **context})
        return FakeVerdict("block" if any(w in text for w in self.BLOCKED_WORDS) else "pass")


class FakeOpportunity:
    def __init__(self, **data: Any):
        self._data = data

    def to_dict(self) -> dict[str, Any]:
        return dict(self._data)


class FakeMarketing:
    """Records outcomes like MarketingService: another advisor's customer is NotFound, nothing stored."""

    def __init__(self, customers: dict[str, set[str]] | None = None, opportunities: list[dict] | None = None):
        self.customers = customers or {"A001": {"C00012"}, "A002": {"C00099"}}
        self.outcomes: list[dict[str, Any]] = []
        self._opportunities = opportunities if opportunities is not None else [
            {"customer_id": "C00012", "name": "张*", "trigger": "maturity", "trigger_label": "产品到期",
             "reason": "定期存款将于7天后到期", "score": 0.91, "scenario": "maturity", "product_id": "DP002",
             "product_name": "三年期定期存款", "face_to_face_only": False},
        ]
        self.script_log = self

    def record_outcome(self, advisor_id: str | None, *, customer_id: str, kind: str, **fields: Any) -> int:
        if advisor_id is not None and customer_id not in self.customers.get(advisor_id, set()):
            raise NotFound("未找到该客户")
        self.outcomes.append({"advisor_id": advisor_id, "customer_id": customer_id, "kind": kind, **fields})
        return len(self.outcomes)

    def opportunities(self, advisor_id: str, on: Any = None) -> list[FakeOpportunity]:
        mine = self.customers.get(advisor_id, set())
        return [FakeOpportunity(**o) for o in self._opportunities if o["customer_id"] in mine]

    def latest_for(self, advisor_id: str, customer_id: str, *, channel: str | None = None) -> Any:
        return None


class FakeAnswer:
    def __init__(self, data: dict[str, Any]):
        self._data = data

    def to_dict(self) -> dict[str, Any]:
        return self._data


class FakeCopilot:
    """Answers by rule; with `hold` set, every call waits for the test to release it."""

    def __init__(self, *, customers: dict[str, set[str]] | None = None, hold: bool = False,
                 answer: str | None = None, verdict: str = "pass"):
        self.customers = customers or {"A001": {"C00012"}, "A002": {"C00099"}}
        self.release = threading.Event()
        if not hold:
            self.release.set()
        self.started = threading.Event()
        self.released_in_time: list[bool] = []
        self.chat_calls: list[dict[str, Any]] = []
        self.script_calls: list[dict[str, Any]] = []
        self.known_sessions: set[str] = set()
        self.answer, self.verdict = answer, verdict
        self._lock = threading.Lock()

    def _wait(self) -> None:
        self.started.set()
        self.released_in_time.append(self.release.wait(timeout=10))

    def _check_customer(self, advisor_id: str, customer_id: str | None) -> None:
        if customer_id is not None and customer_id not in self.customers.get(advisor_id, set()):
            raise NotFound("未找到该客户")

    def chat(self, advisor_id: str, message: str, customer_id: str | None = None,
             session_id: str | None = None, *, channel: str | None = None) -> FakeAnswer:
        with self._lock:
            self.chat_calls.append(dict(advisor_id=advisor_id, message=message, customer_id=customer_id,
                                        session_id=session_id, channel=channel))
        self._wait()
        self._check_customer(advisor_id, customer_id)
        if session_id is not None and session_id not in self.known_sessions:
            raise NotFound("会话不存在")
        with self._lock:
            session_id = session_id or f"S{len(self.known_sessions) + 1}"
            self.known_sessions.add(session_id)
        return FakeAnswer({
            "session_id": session_id,
            "answer": self.answer if self.answer is not None else f"关于“{message}”，请参考产品说明书中的风险揭示。",
            "citations": [{"source": "faq/deposit-insurance", "title": "存款保险常见问题",
                           "product_id": None, "chunk_id": "faq/deposit-insurance#0"}],
            "compliance": {"verdict": self.verdict, "findings": []},
        })

    def scripts(self, advisor_id: str, customer_id: str, product_id: str | None = None,
                scenario: str | None = None, channel: str = "tablet", variants: int = 1) -> FakeAnswer:
        with self._lock:
            self.script_calls.append(dict(advisor_id=advisor_id, customer_id=customer_id, product_id=product_id,
                                          scenario=scenario, channel=channel, variants=variants))
        self._wait()
        self._check_customer(advisor_id, customer_id)
        return FakeAnswer({"scripts": [{
            "script_id": "S" + f"{len(self.script_calls):020x}",
            "text": "张先生您好，您持有的定期存款将于下周到期，方便时可以约个时间聊聊续接安排。",
            "product_id": product_id or "DP001", "scenario": scenario or "product", "reasons": [],
            "citations": [], "compliance": {"verdict": self.verdict, "findings": []},
        }]})


def text_message_xml(*, from_user: str, content: str, msg_id: str | None = "7000000000000001",
                     create_time: str = "1763900000", msg_type: str = "text") -> str:
    msg_id_xml = f"<MsgId>{msg_id}</MsgId>" if msg_id is not None else ""
    return (
        f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName>"
        f"<FromUserName><![CDATA[{from_user}]]></FromUserName>"
        f"<CreateTime>{create_time}</CreateTime><MsgType><![CDATA[{msg_type}]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content>{msg_id_xml}<AgentID>{AGENT_ID}</AgentID></xml>"
    )


class WeChatPyClient:
    """Plays WeCom's side of the callback with wechatpy's enterprise crypto."""

    def __init__(self, token: str = TOKEN, aes_key: str = AES_KEY, corp_id: str = CORP_ID):
        self.crypto = WeChatCrypto(token, aes_key, corp_id)
        self._token, self._corp_id = token, corp_id
        self._nonce = 0

    def _fresh(self) -> tuple[str, str]:
        self._nonce += 1
        return str(int(time.time())), f"nonce{self._nonce}"

    def encrypted_post(self, xml: str) -> tuple[dict[str, str], bytes]:
        """Query parameters and body of a callback POST carrying `xml`, freshly signed and encrypted."""
        import xmltodict

        timestamp, nonce = self._fresh()
        envelope = xmltodict.parse(self.crypto.encrypt_message(xml, nonce, timestamp))["xml"]
        params = {"msg_signature": envelope["MsgSignature"], "timestamp": timestamp, "nonce": nonce}
        body = (
            f"<xml><ToUserName><![CDATA[{self._corp_id}]]></ToUserName>"
            f"<Encrypt><![CDATA[{envelope['Encrypt']}]]></Encrypt><AgentID><![CDATA[{AGENT_ID}]]></AgentID></xml>"
        )
        return params, body.encode()

    def verification_query(self, echo: str) -> tuple[dict[str, str], str]:
        timestamp, nonce = self._fresh()
        echostr = PrpCrypto(self.crypto.key).encrypt(echo, self._corp_id).decode()
        signer = WeChatSigner()
        signer.add_data(self._token, timestamp, nonce, echostr)
        return {"msg_signature": signer.signature, "timestamp": timestamp, "nonce": nonce, "echostr": echostr}, echo

    @staticmethod
    def url(path: str, params: dict[str, str]) -> str:
        return f"{path}?{urlencode(params)}"
