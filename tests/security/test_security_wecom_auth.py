"""Bearer tokens and the WeCom channel: hashed tokens, revocation, replay, foreign customers, PII."""
from __future__ import annotations

import base64
import time

import pytest
from sqlalchemy import text

from rm_copilot.channels.wecom import replies
from rm_copilot.channels.wecom.bot import WeComBot
from rm_copilot.channels.wecom.channel import Outcome, WeComChannel
from rm_copilot.channels.wecom.crypto import InvalidSignature, WeComCrypto
from rm_copilot.channels.wecom.inbox import WeComInbox
from rm_copilot.channels.wecom.messages import InboundMessage
from rm_copilot.channels.wecom.worker import BackgroundWorker
from security_support import PLANTED_CARD, PLANTED_ID_NUMBER, PLANTED_NAME, PLANTED_PHONE

pytestmark = pytest.mark.slow

RAW = (PLANTED_PHONE, PLANTED_ID_NUMBER, PLANTED_CARD, PLANTED_NAME)
TOKEN, CORP_ID = "sectoken", "wwsecurity000001"
AES_KEY = base64.b64encode(bytes(range(32))).decode().rstrip("=")


class RecordingSender:
    def __init__(self):
        self.sent: list[tuple[str, str]] = []

    def send_text(self, touser: str, content: str) -> int:
        self.sent.append((touser, content))
        return 0


def _text(from_user: str, content: str, msg_id: str = "8000000000000001") -> InboundMessage:
    return InboundMessage(from_user=from_user, to_user=CORP_ID, create_time=str(int(time.time())),
                          msg_type="text", content=content, msg_id=msg_id)


# --- bearer tokens ---------------------------------------------------------------------------

def test_token_is_stored_only_as_a_hash_and_reissue_revokes_the_old_one(private, private_api):
    old = private.customers.issue_token("A001")
    assert private_api.get("/api/v1/me", headers={"Authorization": f"Bearer {old}"}).status_code == 200
    new = private.customers.issue_token("A001")

    assert private_api.get("/api/v1/me", headers={"Authorization": f"Bearer {old}"}).status_code == 401
    assert private_api.get("/api/v1/me", headers={"Authorization": f"Bearer {new}"}).json()["id"] == "A001"
    with private.session_factory() as session:
        stored = " ".join(str(v) for row in session.execute(text("select * from advisors")) for v in row)
    assert old not in stored and new not in stored


@pytest.mark.parametrize("header", [
    "Bearer ", "Bearer  ", "bearer x", "Bearer " + "a" * 10_000, "Bearer \u4e2d\u6587", "Token abc",
])
def test_malformed_bearer_headers_are_401(private_api, header):
    response = private_api.get("/api/v1/customers", headers={"Authorization": header.encode("utf-8")})
    assert response.status_code == 401


def test_token_of_one_advisor_never_reads_as_another(private, private_api):
    token = private.customers.issue_token("A002")
    me = private_api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    customers = private_api.get("/api/v1/customers", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["id"] == "A002" and {c["advisor_id"] for c in customers} == {"A002"}


# --- WeCom bot on the real copilot ------------------------------------------------------------

@pytest.fixture
def bot(private):
    sender = RecordingSender()
    return WeComBot(private.copilot, private.customers, sender), sender


@pytest.mark.parametrize("content", ["话术 C90002", "话术 C90002 到期", "C90002 这位客户情况怎么样", "c90002：客户风险等级"])
def test_wecom_commands_about_another_advisors_customer_reveal_nothing(bot, content):
    wecom_bot, sender = bot
    wecom_bot.handle(_text("zhangwei", content))  # zhangwei is A001; C90002 belongs to A002
    assert sender.sent == [("zhangwei", replies.CUSTOMER_NOT_FOUND)]


def test_wecom_unknown_user_gets_only_the_refusal(bot):
    wecom_bot, sender = bot
    wecom_bot.handle(_text("stranger", "话术 C90001"))
    wecom_bot.handle(_text("stranger", "C90001 手机号多少", msg_id="8000000000000002"))
    assert [content for _, content in sender.sent] == [replies.UNBOUND_USER] * 2


@pytest.mark.parametrize("content", ["话术 C90001", "C90001 这位客户的备注和联系方式是什么",
                                     f"C90001 客户{PLANTED_NAME}手机{PLANTED_PHONE}打不通怎么办"])
def test_wecom_replies_about_own_customer_carry_no_raw_personal_data(bot, content):
    wecom_bot, sender = bot
    wecom_bot.handle(_text("zhangwei", content))
    assert len(sender.sent) == 1
    assert [value for value in RAW if value in sender.sent[0][1]] == []


# --- WeCom callback: signature first, no replay -------------------------------------------------

@pytest.fixture
def channel(private):
    sender = RecordingSender()
    built = WeComChannel(WeComCrypto(TOKEN, AES_KEY, CORP_ID), WeComInbox(private.session_factory),
                         WeComBot(private.copilot, private.customers, sender), BackgroundWorker(max_workers=1))
    yield built, sender
    built.close()


def _callback(crypto: WeComCrypto, xml: str, timestamp: str) -> tuple[str, str, str, bytes]:
    encrypted = crypto.encrypt(xml)
    nonce = "n0nce"
    body = f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    return crypto.signature(timestamp, nonce, encrypted), timestamp, nonce, body.encode()


def _message_xml(msg_id: str, create_time: int) -> str:
    return (f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><FromUserName><![CDATA[zhangwei]]></FromUserName>"
            f"<CreateTime>{create_time}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[帮助]]></Content><MsgId>{msg_id}</MsgId><AgentID>1</AgentID></xml>")


def test_a_fresh_signed_callback_is_accepted_once(channel):
    wecom, _ = channel
    now = int(time.time())
    call = _callback(wecom.crypto, _message_xml("9100000000000001", now), str(now))
    assert wecom.receive(*call) is Outcome.ACCEPTED
    assert wecom.receive(*call) is Outcome.DUPLICATE


def test_replayed_callback_older_than_the_dedupe_memory_is_refused(channel):
    wecom, sender = channel
    old = int(time.time()) - 30 * 24 * 3600  # captured a month ago: its inbox row is long pruned
    call = _callback(wecom.crypto, _message_xml("9100000000000002", old), str(old))

    with pytest.raises(InvalidSignature):
        wecom.receive(*call)
    assert wecom.worker.wait_idle(timeout=10) and sender.sent == []


def test_bad_signature_is_refused_before_the_body_is_decrypted(channel, monkeypatch):
    wecom, _ = channel
    now = str(int(time.time()))
    signature, timestamp, nonce, body = _callback(wecom.crypto, _message_xml("9100000000000003", int(now)), now)
    monkeypatch.setattr(wecom.crypto, "decrypt", lambda *_: pytest.fail("decrypted before the signature check"))
    with pytest.raises(InvalidSignature):
        wecom.receive("0" * 40, timestamp, nonce, body)
