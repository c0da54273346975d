"""Outcomes from WeCom: card button presses and the `结果` command, today's opportunities as cards.

Outcomes are recorded through the marketing service (which checks that the customer is the
advisor's own); every card passes the compliance gate before it is sent, like any other text.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

from rm_copilot.channels.wecom import replies
from rm_copilot.channels.wecom.cards import ButtonPress, card_text, opportunity_card, script_card
from rm_copilot.channels.wecom.commands import RecordOutcome

log = logging.getLogger(__name__)

KIND_WORDS = {"sent": "已发送", "replied": "客户有回复", "meeting": "已预约", "purchased": "已购买",
              "declined": "不合适", "complaint": "投诉"}
TODAY_CARDS = 5
TODAY_LINES = 10
CustomerName = Callable[[str, str], str]  # (advisor id, customer id) → masked name


class ComplianceCheck(Protocol):
    """The compliance gate: the verdict for a text shown to `advisor_id` (about `customer_id`), audited as `source`."""

    def __call__(self, text: str, *, advisor_id: str, customer_id: str | None = None, source: str) -> str: ...


class Marketing(Protocol):
    def record_outcome(self, advisor_id: str | None, *, customer_id: str, kind: str, **fields: Any) -> int: ...

    def opportunities(self, advisor_id: str, on: Any = None) -> list[Any]: ...


class CardSender(Protocol):
    def send_template_card(self, touser: str, card: dict[str, Any]) -> str: ...

    def update_button(self, userid: str, response_code: str, replace_name: str) -> None: ...


class WeComFeedback:
    def __init__(self, marketing: Marketing, cards: CardSender, check: ComplianceCheck,
                 customer_name: CustomerName | None = None, *, latest_script: Callable[..., Any] | None = None):
        self._marketing, self._cards, self._check = marketing, cards, check
        self._name = customer_name or (lambda _advisor, _customer: "")
        self._latest_script = latest_script

    # cards ------------------------------------------------------------------------------------

    def gated(self, advisor_id: str, cards: list[tuple[dict[str, Any], str]]) -> list[dict[str, Any]]:
        """Only the cards (each with the customer it is about) whose whole text passes the compliance gate."""
        passed = [card for card, customer_id in cards
                  if self._check(card_text(card), advisor_id=advisor_id, customer_id=customer_id,
                                 source="wecom_card") == "pass"]
        if len(passed) < len(cards):
            log.warning("withheld %d wecom card(s) that did not pass compliance", len(cards) - len(passed))
        return passed

    def send(self, userid: str, cards: list[dict[str, Any]]) -> int:
        for card in cards:
            self._cards.send_template_card(userid, card)
        return len(cards)

    def script_cards(self, advisor_id: str, customer_id: str, answer: dict[str, Any]) -> list[dict[str, Any]]:
        """A feedback card for each usable script the advisor was just sent."""
        usable = [s for s in answer.get("scripts") or []
                  if s.get("text") and s.get("script_id") and s.get("compliance", {}).get("verdict") != "block"]
        if not usable:
            return []
        name = self._name(advisor_id, customer_id)
        return self.gated(advisor_id, [(script_card(s, customer_id, name), customer_id) for s in usable])

    # outcomes ---------------------------------------------------------------------------------

    def record_press(self, advisor_id: str, press: ButtonPress, *, userid: str | None = None,
                     response_code: str | None = None) -> str:
        target = press.target
        self._marketing.record_outcome(
            advisor_id, customer_id=target.customer_id, kind=press.kind, script_id=target.script_id,
            scenario=None if target.script_id else target.scenario,
            product_id=None if target.script_id else target.product_id,
            channel="wecom", source="wecom_card",
        )
        if userid and response_code:
            try:
                self._cards.update_button(userid, response_code, f"已记录：{KIND_WORDS[press.kind]}")
            except Exception as error:  # noqa: BLE001 - the outcome is recorded; the card keeps its buttons
                log.warning("wecom card not updated: %s", type(error).__name__)
        return f"已记录：{target.customer_id} {KIND_WORDS[press.kind]}。"

    def record_command(self, advisor_id: str, command: RecordOutcome) -> str:
        script_id = command.script_id
        if script_id is None and self._latest_script is not None:
            latest = self._latest_script(advisor_id, command.customer_id)
            script_id = getattr(latest, "script_id", None)
        self._marketing.record_outcome(
            advisor_id, customer_id=command.customer_id, kind=command.kind, script_id=script_id,
            product_id=command.product_id, detail=command.detail, channel="wecom", source="wecom_command",
        )
        product = f" {command.product_id}" if command.product_id else ""
        linked = f"（归入话术 {script_id[:9]}…）" if script_id else ""
        return f"已记录：{command.customer_id} {KIND_WORDS[command.kind]}{product}{linked}。"

    # today ------------------------------------------------------------------------------------

    def today(self, advisor_id: str) -> tuple[str, list[dict[str, Any]]]:
        """A short list of today's ranked opportunities, and cards for the first few."""
        found = [o.to_dict() if hasattr(o, "to_dict") else dict(o) for o in self._marketing.opportunities(advisor_id)]
        if not found:
            return replies.NO_OPPORTUNITIES, []
        lines = [f"今日商机（共 {len(found)} 条，按优先级排序）："]
        for n, item in enumerate(found[:TODAY_LINES], 1):
            contact = "（仅限面谈）" if item.get("face_to_face_only") else ""
            lines.append(f"{n}. {item.get('name') or ''}（{item['customer_id']}）"
                         f"{item.get('trigger_label') or ''}：{item.get('reason') or ''}{contact}")
        if len(found) > TODAY_LINES:
            lines.append(f"……其余 {len(found) - TODAY_LINES} 条请在平板页面查看。")
        text = "\n".join(lines)
        shown = found[:TODAY_CARDS]
        cards = self.gated(advisor_id, [(opportunity_card(item, n, len(shown)), item["customer_id"])
                                        for n, item in enumerate(shown, 1)])
        if self._check(text, advisor_id=advisor_id, source="wecom_today") != "pass":
            text = replies.TODAY_CARDS_ONLY if cards else replies.BLOCKED
        return text, cards
