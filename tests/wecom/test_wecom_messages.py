"""Parsing decrypted WeCom XML into InboundMessage, and the key used to deduplicate it."""
from __future__ import annotations

import pytest

from rm_copilot.channels.wecom.messages import MalformedMessage, parse_envelope, parse_message
from wecom_fakes import text_message_xml


def test_text_message_fields_are_read():
    message = parse_message(text_message_xml(from_user="ZhangWei", content=" 话术 C00012 到期 ", msg_id="42"))

    assert (message.from_user, message.msg_type, message.msg_id, message.agent_id) == (
        "ZhangWei", "text", "42", "1000002")
    assert message.content == " 话术 C00012 到期 "
    assert message.dedupe_key == "msgid:42"


def test_message_without_msgid_is_keyed_by_sender_and_create_time():
    message = parse_message(text_message_xml(from_user="ZhangWei", content="x", msg_id=None,
                                             create_time="1763900123"))

    assert message.dedupe_key == "user:ZhangWei:1763900123"


def test_event_message_is_read():
    xml = ("<xml><ToUserName>corp</ToUserName><FromUserName>ZhangWei</FromUserName><CreateTime>1</CreateTime>"
           "<MsgType>event</MsgType><Event>enter_agent</Event><AgentID>1000002</AgentID></xml>")

    message = parse_message(xml)

    assert (message.msg_type, message.event, message.msg_id) == ("event", "enter_agent", None)


@pytest.mark.parametrize(
    "xml",
    [
        "<xml><MsgType>text</MsgType></xml>",  # no sender
        "<other><FromUserName>a</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType></other>",
        '<!DOCTYPE xml [<!ENTITY u "ZhangWei">]><xml><FromUserName>&u;</FromUserName>'
        "<CreateTime>1</CreateTime><MsgType>text</MsgType></xml>",  # entities are never expanded
        "<xml><FromUserName>",  # truncated
    ],
)
def test_malformed_message_is_rejected(xml: str):
    with pytest.raises(MalformedMessage):
        parse_message(xml)


def test_envelope_yields_the_encrypt_field():
    assert parse_envelope(b"<xml><ToUserName>c</ToUserName><Encrypt><![CDATA[abc+/=]]></Encrypt></xml>") == "abc+/="
