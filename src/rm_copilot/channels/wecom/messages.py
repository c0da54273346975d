"""Parsing of WeCom callback XML (the encrypted envelope and the decrypted message), entity-safe."""
from __future__ import annotations

from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

MAX_BODY_BYTES = 64 * 1024


class MalformedMessage(Exception):
    """The body is not WeCom callback XML (or uses DTDs/entities, which WeCom never sends)."""


@dataclass(frozen=True)
class InboundMessage:
    from_user: str
    to_user: str
    create_time: str
    msg_type: str
    content: str = ""
    msg_id: str | None = None
    event: str | None = None
    agent_id: str | None = None
    event_key: str | None = None
    task_id: str | None = None
    card_type: str | None = None
    response_code: str | None = None

    @property
    def is_card_event(self) -> bool:
        return self.msg_type == "event" and self.event == "template_card_event"

    @property
    def dedupe_key(self) -> str:
        """MsgId when WeCom sends one; a card button press is one per (user, card, button); other
        events carry no id, so sender + CreateTime stands in."""
        if self.msg_id:
            return f"msgid:{self.msg_id}"
        if self.is_card_event and self.task_id and self.event_key:
            return f"card:{self.from_user}:{self.task_id}:{self.event_key}"
        return f"user:{self.from_user}:{self.create_time}"


def _parse(xml: bytes | str) -> Element:
    if len(xml) > MAX_BODY_BYTES:
        raise MalformedMessage("body too large")
    try:
        root = fromstring(xml, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError) as error:
        raise MalformedMessage(str(error)) from error
    if root.tag != "xml":
        raise MalformedMessage("root element is not <xml>")
    return root


def _text(root: Element, tag: str) -> str | None:
    node = root.find(tag)
    if node is None or node.text is None:
        return None
    return node.text.strip() if tag != "Content" else node.text


def parse_envelope(body: bytes | str) -> str:
    """The Encrypt field of a POSTed callback body."""
    encrypted = _text(_parse(body), "Encrypt")
    if not encrypted:
        raise MalformedMessage("no Encrypt element")
    return encrypted


def parse_message(xml: str) -> InboundMessage:
    root = _parse(xml)
    from_user, create_time, msg_type = (_text(root, t) for t in ("FromUserName", "CreateTime", "MsgType"))
    if not from_user or not create_time or not msg_type:
        raise MalformedMessage("FromUserName, CreateTime and MsgType are required")
    return InboundMessage(
        from_user=from_user,
        to_user=_text(root, "ToUserName") or "",
        create_time=create_time,
        msg_type=msg_type,
        content=_text(root, "Content") or "",
        msg_id=_text(root, "MsgId"),
        event=_text(root, "Event"),
        agent_id=_text(root, "AgentID"),
        event_key=_text(root, "EventKey"),
        task_id=_text(root, "TaskId"),
        card_type=_text(root, "CardType"),
        response_code=_text(root, "ResponseCode"),
    )
