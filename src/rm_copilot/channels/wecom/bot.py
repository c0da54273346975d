"""The bot's behaviour for one received message: who is asking, what they asked, what to send back."""
from __future__ import annotations

import logging
from typing import Any, Protocol

from rm_copilot.channels.wecom import replies
from rm_copilot.channels.wecom.cards import DRAFT_ACTION, parse_button_key
from rm_copilot.channels.wecom.commands import (
    Ask,
    DraftScript,
    Help,
    Malformed,
    RecordOutcome,
    ResetSession,
    Today,
    parse_command,
)
from rm_copilot.channels.wecom.feedback import WeComFeedback
from rm_copilot.channels.wecom.messages import InboundMessage
from rm_copilot.channels.wecom.session_map import MemorySessionMap, SessionMap
from rm_copilot.errors import BadInput, NotFound

log = logging.getLogger(__name__)


class CopilotLike(Protocol):
    def chat(self, advisor_id: str, message: str, customer_id: str | None = None,
             session_id: str | None = None, *, channel: str | None = None) -> Any: ...

    def scripts(self, advisor_id: str, customer_id: str, product_id: str | None = None,
                scenario: str | None = None, channel: str = "tablet", variants: int = 1) -> Any: ...


class AdvisorDirectory(Protocol):
    def advisor_for_wecom(self, userid: str) -> Any: ...


class TextSender(Protocol):
    def send_text(self, touser: str, content: str) -> int: ...


Reply = tuple[str | None, list[dict[str, Any]]]  # the text, then the cards that follow it


class WeComBot:
    def __init__(self, copilot: CopilotLike, advisors: AdvisorDirectory, sender: TextSender,
                 *, feedback: WeComFeedback | None = None, max_sessions: int = 2000,
                 sessions: SessionMap | None = None):
        self._copilot, self._advisors, self._sender = copilot, advisors, sender
        self._feedback = feedback
        # One chat session per (WeCom user, customer in focus); in the store when workers share the app.
        self._sessions: SessionMap = sessions or MemorySessionMap(max_sessions)

    def handle(self, message: InboundMessage) -> bool:
        """Answer a message through the sender (text, then any cards); False when nothing needed sending."""
        text, cards = self.respond(message)
        if text is None:
            return False
        self._sender.send_text(message.from_user, text)
        if cards and self._feedback is not None:
            self._feedback.send(message.from_user, cards)
        return True

    def send_fixed(self, userid: str, text: str) -> None:
        self._sender.send_text(userid, text)

    def reply_to(self, message: InboundMessage) -> str | None:
        return self.respond(message)[0]

    def respond(self, message: InboundMessage) -> Reply:
        if message.msg_type == "event" and not (message.is_card_event and self._feedback is not None):
            return None, []
        advisor = self._advisors.advisor_for_wecom(message.from_user)
        if advisor is None:
            return replies.UNBOUND_USER, []
        try:
            if message.is_card_event:
                return self._press(advisor.id, message)
            if message.msg_type != "text" or not message.content.strip():
                return replies.UNSUPPORTED_MESSAGE, []
            return self._answer(advisor.id, message.from_user, parse_command(message.content))
        except NotFound:
            return replies.CUSTOMER_NOT_FOUND, []
        except BadInput as error:
            return str(error), []

    def _press(self, advisor_id: str, message: InboundMessage) -> Reply:
        press = parse_button_key(message.event_key)
        if press is None:
            return replies.UNKNOWN_CARD, []
        target = press.target
        if press.kind == DRAFT_ACTION:
            return self._draft(advisor_id, target.customer_id, target.scenario, target.product_id)
        if self._feedback is None:  # card events reach here only with feedback configured
            return replies.UNKNOWN_CARD, []
        return self._feedback.record_press(advisor_id, press, userid=message.from_user,
                                           response_code=message.response_code), []

    def _draft(self, advisor_id: str, customer_id: str, scenario: str | None, product_id: str | None) -> Reply:
        answer = self._copilot.scripts(
            advisor_id, customer_id, product_id=product_id, scenario=scenario, channel="wecom"
        ).to_dict()
        text = replies.format_scripts(answer)
        if text == replies.BLOCKED or self._feedback is None:
            return text, []
        return text, self._feedback.script_cards(advisor_id, customer_id, answer)

    def _answer(self, advisor_id: str, userid: str, command: Any) -> Reply:
        match command:
            case Help():
                return replies.HELP, []
            case ResetSession():
                self._forget_user(userid)
                return replies.SESSION_RESET, []
            case Malformed(usage=usage):
                return usage, []
            case DraftScript(customer_id=customer_id, scenario=scenario, product_id=product_id):
                return self._draft(advisor_id, customer_id, scenario, product_id)
            case Today() if self._feedback is not None:
                return self._feedback.today(advisor_id)
            case RecordOutcome() if self._feedback is not None:
                return self._feedback.record_command(advisor_id, command), []
            case Today() | RecordOutcome():
                return replies.TEMPORARY_FAILURE, []
            case Ask(message=text, customer_id=customer_id):
                return replies.format_chat(self._chat(advisor_id, userid, text, customer_id)), []
        raise AssertionError(f"unhandled command {command!r}")

    def _chat(self, advisor_id: str, userid: str, text: str, customer_id: str | None) -> dict[str, Any]:
        key = (userid, customer_id or "")
        session_id = self._session(key)
        try:
            answer = self._copilot.chat(advisor_id, text, customer_id=customer_id, session_id=session_id,
                                        channel="wecom")
        except NotFound:
            if session_id is None:
                raise
            # The stored session may have been deleted elsewhere; start a fresh one once.
            self._remember(key, None)
            answer = self._copilot.chat(advisor_id, text, customer_id=customer_id, session_id=None,
                                        channel="wecom")
        result = answer.to_dict()
        self._remember(key, result.get("session_id"))
        return result

    def _session(self, key: tuple[str, str]) -> str | None:
        return self._sessions.get(key)

    def _remember(self, key: tuple[str, str], session_id: str | None) -> None:
        self._sessions.put(key, session_id)

    def _forget_user(self, userid: str) -> None:
        self._sessions.forget_user(userid)
