"""`/wecom/callback` end to end: wechatpy plays WeCom, the fake API server records what we send."""
from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from rm_copilot.channels.wecom import replies
from rm_copilot.channels.wecom.router import router
from rm_copilot.config import get_settings
from wecom_fakes import BOUND_USER, UNBOUND_USER, FakeCopilot, WeChatPyClient, text_message_xml
from wecom_harness import WeComApp, build_wecom_app


def test_message_delivered_three_times_is_answered_once_and_callback_returns_before_generation(
    held_wecom_app: WeComApp,
):
    app = held_wecom_app
    xml = text_message_xml(from_user=BOUND_USER, content="大额存单适合什么样的客户", msg_id="7100000000000001")

    responses = [app.post(xml) for _ in range(3)]  # WeCom's retries: re-signed, same MsgId

    assert [(r.status_code, r.text) for r in responses] == [(200, "")] * 3
    # All three answers came back while generation is still held: it started, but nothing was sent.
    assert app.copilot.started.wait(timeout=10)
    assert app.api.calls_to("message/send") == []
    app.copilot.release.set()
    app.settle()
    assert app.copilot.released_in_time == [True]  # had the callback waited, the hold would have timed out
    sends = app.api.calls_to("message/send")
    assert len(sends) == 1
    assert sends[0].ok
    assert sends[0].body["touser"] == BOUND_USER
    assert sends[0].body["agentid"] == 1000002
    assert sends[0].body["text"]["content"].startswith("关于“大额存单适合什么样的客户”")
    assert len(app.copilot.chat_calls) == 1
    assert app.copilot.chat_calls[0]["advisor_id"] == "A001"


def test_message_without_msgid_is_deduplicated_on_sender_and_create_time(wecom_app: WeComApp):
    first = text_message_xml(from_user=BOUND_USER, content="你好", msg_id=None, create_time="1763900100")
    later = text_message_xml(from_user=BOUND_USER, content="你好", msg_id=None, create_time="1763900101")

    statuses = [wecom_app.post(xml).status_code for xml in (first, first, later)]
    wecom_app.settle()

    assert statuses == [200, 200, 200]
    assert len(wecom_app.api.sent_texts()) == 2
    assert len(wecom_app.copilot.chat_calls) == 2


def test_retry_after_a_restart_is_not_answered_again(wecom_env, tmp_path: Path):
    xml = text_message_xml(from_user=BOUND_USER, content="你好", msg_id="7100000000000002")
    before = build_wecom_app(wecom_env, tmp_path, FakeCopilot(), db_name="shared.db")
    assert before.post(xml).status_code == 200
    before.settle()
    before.channel.close()

    after = build_wecom_app(wecom_env, tmp_path, FakeCopilot(), db_name="shared.db")  # fresh memory, same DB
    assert after.post(xml).status_code == 200
    after.settle()

    assert len(wecom_env.sent_texts()) == 1
    assert after.copilot.chat_calls == []


def test_bad_signature_is_refused_with_403_and_nothing_is_processed(wecom_app: WeComApp):
    xml = text_message_xml(from_user=BOUND_USER, content="你好", msg_id="7100000000000003")
    params, body = wecom_app.wechat.encrypted_post(xml)
    forged = {**params, "msg_signature": "0" * 40}

    response = wecom_app.client.post("/wecom/callback", params=forged, content=body)

    assert response.status_code == 403
    assert response.json() == {"detail": "签名校验失败"}
    assert wecom_app.app.state.wecom_channel.worker.pending == 0
    assert wecom_app.advisors.lookups == [] and wecom_app.copilot.chat_calls == []
    assert wecom_app.api.calls == []
    # The refused delivery claimed nothing: the genuine one is still answered.
    assert wecom_app.client.post("/wecom/callback", params=params, content=body).status_code == 200
    wecom_app.settle()
    assert len(wecom_app.api.sent_texts()) == 1


def test_message_encrypted_for_another_corp_is_refused(wecom_app: WeComApp):
    other_corp = WeChatPyClient(corp_id="wwSomeOtherCorp00000")
    params, body = other_corp.encrypted_post(text_message_xml(from_user=BOUND_USER, content="你好"))

    response = wecom_app.client.post("/wecom/callback", params=params, content=body)

    assert response.status_code == 400
    assert wecom_app.api.calls == []


@pytest.mark.parametrize(
    "body",
    [
        b"",  # empty body
        b"not xml at all",
        b"<xml><ToUserName>x</ToUserName></xml>",  # no Encrypt element
        # entity expansion ("billion laughs") is refused before any work
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        b"<xml><Encrypt>&b;</Encrypt></xml>",
        # an external entity (XXE) is refused too
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Encrypt>&e;</Encrypt></xml>',
    ],
)
def test_malformed_callback_body_is_400_json(wecom_app: WeComApp, body: bytes):
    params = {"msg_signature": "0" * 40, "timestamp": "1763900000", "nonce": "n"}

    response = wecom_app.client.post("/wecom/callback", params=params, content=body)

    assert response.status_code == 400
    assert response.json() == {"detail": "消息格式错误"}
    assert wecom_app.api.calls == []


def test_oversized_callback_body_is_413(wecom_app: WeComApp):
    params = {"msg_signature": "0" * 40, "timestamp": "1763900000", "nonce": "n"}
    body = b"<xml><Encrypt>" + b"A" * 70_000 + b"</Encrypt></xml>"

    response = wecom_app.client.post("/wecom/callback", params=params, content=body)

    assert response.status_code == 413
    assert response.json() == {"detail": "消息过大"}


def test_missing_query_parameters_are_422(wecom_app: WeComApp):
    response = wecom_app.client.post("/wecom/callback", content=b"<xml/>")

    assert response.status_code == 422


def test_url_verification_returns_the_decrypted_echostr(wecom_app: WeComApp):
    params, echo = wecom_app.wechat.verification_query("1288432023552776189")

    response = wecom_app.client.get("/wecom/callback", params=params)

    assert response.status_code == 200
    assert response.text == echo
    assert response.headers["content-type"].startswith("text/plain")


def test_url_verification_with_bad_signature_is_403(wecom_app: WeComApp):
    params, _ = wecom_app.wechat.verification_query("1288432023552776189")

    response = wecom_app.client.get("/wecom/callback", params={**params, "msg_signature": "f" * 40})

    assert response.status_code == 403
    assert response.json() == {"detail": "签名校验失败"}


def test_url_verification_matches_wecoms_published_sample(monkeypatch: pytest.MonkeyPatch, fake_api, tmp_path):
    # Values from WeCom's official WXBizMsgCrypt Python sample (使用示例一：验证回调URL).
    monkeypatch.setenv("RM_COPILOT_WECOM_TOKEN", "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo")
    monkeypatch.setenv("RM_COPILOT_WECOM_AES_KEY", "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt")
    monkeypatch.setenv("RM_COPILOT_WECOM_CORP_ID", "ww1436e0e65a779aee")
    monkeypatch.setenv("RM_COPILOT_WECOM_AGENT_ID", "1000002")
    monkeypatch.setenv("RM_COPILOT_WECOM_SECRET", "secret")
    monkeypatch.setenv("RM_COPILOT_WECOM_API_BASE", fake_api.base_url)
    get_settings.cache_clear()
    app = build_wecom_app(fake_api, tmp_path, FakeCopilot())

    response = app.client.get("/wecom/callback", params={
        "msg_signature": "012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb", "timestamp": "1476416373",
        "nonce": "47744683",
        "echostr": "fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA==",
    })

    assert (response.status_code, response.text) == (200, "1288432023552776189")
    app.channel.close()


@pytest.mark.parametrize("method", ["get", "post"])
def test_routes_answer_503_when_wecom_is_not_configured(method: str):
    client = TestClient(_bare_app())
    params = {"msg_signature": "0" * 40, "timestamp": "1", "nonce": "n", "echostr": "x"}

    response = getattr(client, method)("/wecom/callback", params=params)

    assert response.status_code == 503
    assert response.json() == {"detail": "企业微信未配置"}


def _bare_app() -> FastAPI:
    app = FastAPI()
    app.include_router(router)
    return app


def test_unknown_user_gets_the_polite_refusal_and_no_generation(wecom_app: WeComApp):
    wecom_app.post(text_message_xml(from_user=UNBOUND_USER, content="C00012 最近有什么需要跟进的",
                                    msg_id="7100000000000004"))
    wecom_app.settle()

    assert wecom_app.api.sent_texts() == [replies.UNBOUND_USER]
    assert wecom_app.copilot.chat_calls == [] and wecom_app.copilot.script_calls == []


def test_token_is_fetched_once_for_two_messages(wecom_app: WeComApp):
    for n, text in enumerate(["你好", "帮助"]):
        wecom_app.post(text_message_xml(from_user=BOUND_USER, content=text, msg_id=f"71000000000001{n}"))
        wecom_app.settle()

    assert len(wecom_app.api.calls_to("gettoken")) == 1
    assert len(wecom_app.api.sent_texts()) == 2
    assert wecom_app.api.sent_texts()[1] == replies.HELP


def test_expired_token_is_refreshed_and_the_reply_still_arrives(wecom_app: WeComApp):
    wecom_app.post(text_message_xml(from_user=BOUND_USER, content="帮助", msg_id="7100000000000020"))
    wecom_app.settle()
    wecom_app.api.expire_tokens()

    wecom_app.post(text_message_xml(from_user=BOUND_USER, content="帮助", msg_id="7100000000000021"))
    wecom_app.settle()

    send_answers = [c.answer["errcode"] for c in wecom_app.api.calls_to("message/send")]
    assert send_answers == [0, 42001, 0]
    assert len(wecom_app.api.calls_to("gettoken")) == 2
    assert wecom_app.api.sent_texts() == [replies.HELP, replies.HELP]


def test_script_command_reaches_the_copilot_with_wecom_channel(wecom_app: WeComApp):
    wecom_app.post(text_message_xml(from_user=BOUND_USER, content="话术 C00012 到期", msg_id="7100000000000030"))
    wecom_app.settle()

    assert wecom_app.copilot.script_calls == [dict(advisor_id="A001", customer_id="C00012", product_id=None,
                                                   scenario="maturity", channel="wecom", variants=1)]
    (sent,) = wecom_app.api.sent_texts()
    assert "续接安排" in sent


def test_busy_worker_answers_503_and_the_retry_is_accepted_later(held_wecom_app: WeComApp):
    app = held_wecom_app
    first = text_message_xml(from_user=BOUND_USER, content="你好", msg_id="7100000000000040")
    second = text_message_xml(from_user=BOUND_USER, content="帮助", msg_id="7100000000000041")
    assert app.post(first).status_code == 200
    app.channel.worker.max_pending = 1  # the held first message fills the pool

    refused = app.post(second)
    app.copilot.release.set()
    app.settle()
    retried = app.post(second)
    app.settle()

    assert refused.status_code == 503
    assert refused.json() == {"detail": "服务繁忙，请稍后重试"}
    assert retried.status_code == 200
    assert len(app.api.sent_texts()) == 2


def test_generation_failure_sends_the_apology_and_records_failed(wecom_env, tmp_path: Path):
    class BrokenCopilot(FakeCopilot):
        def chat(self, *args, **kwargs):
            raise RuntimeError("model server down")

    app = build_wecom_app(wecom_env, tmp_path, BrokenCopilot())
    app.post(text_message_xml(from_user=BOUND_USER, content="你好", msg_id="7100000000000050"))
    app.settle()

    assert wecom_env.sent_texts() == [replies.TEMPORARY_FAILURE]
    assert _inbox_statuses(app) == ["failed"]
    app.channel.close()


def test_send_failure_is_recorded_and_not_retried_forever(wecom_app: WeComApp):
    wecom_app.api.fail_next(81013)  # WeCom: user not in the app's visible range

    wecom_app.post(text_message_xml(from_user=BOUND_USER, content="帮助", msg_id="7100000000000051"))
    wecom_app.settle()

    assert [c.answer["errcode"] for c in wecom_app.api.calls_to("message/send")] == [81013]
    assert _inbox_statuses(wecom_app) == ["failed"]


def test_answered_message_is_recorded_answered(wecom_app: WeComApp):
    wecom_app.post(text_message_xml(from_user=BOUND_USER, content="帮助", msg_id="7100000000000052"))
    wecom_app.settle()

    assert _inbox_statuses(wecom_app) == ["answered"]


def _inbox_statuses(app: WeComApp) -> list[str]:
    from sqlalchemy import select

    from rm_copilot.channels.wecom.models import WeComInboxEntry
    from rm_copilot.services import get_services

    with get_services().session_factory() as session:
        return list(session.scalars(select(WeComInboxEntry.status)))
