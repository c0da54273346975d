"""WeCom template cards (`button_interaction`) for scripts and opportunities, and their button keys.

A button key carries everything its press needs — the outcome kind, the customer, the script or
the opportunity's scenario and product — so the callback needs no card table. The press is still
checked against the advisor who pressed it (another advisor's customer records nothing).
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

from rm_copilot.vocabulary import SCENARIO_LABELS

KEY_VERSION = "rmc1"
OUTCOME_BUTTONS = (("sent", "已发送", 1), ("replied", "客户有回复", 1), ("declined", "不合适", 2))
DRAFT_ACTION = "script"
BUTTON_KINDS = frozenset({kind for kind, _, _ in OUTCOME_BUTTONS} | {DRAFT_ACTION})
SOURCE = {"desc": "客户经理智能助手", "desc_color": 0}
SCRIPT_HINT = "话术全文见上一条消息；发送给客户后，请点击下方按钮记录结果。"
_PART = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_TASK_ID_MAX = 128


@dataclass(frozen=True)
class CardTarget:
    """What a card is about: a customer and either an issued script or an opportunity's plan."""

    customer_id: str
    script_id: str | None = None
    scenario: str | None = None
    product_id: str | None = None


@dataclass(frozen=True)
class ButtonPress:
    kind: str
    target: CardTarget


def button_key(kind: str, target: CardTarget) -> str:
    parts = (target.customer_id, target.script_id, target.scenario, target.product_id)
    return ":".join((KEY_VERSION, kind, *(part or "-" for part in parts)))


def parse_button_key(key: str | None) -> ButtonPress | None:
    """The press a key encodes; None for a key this app did not write."""
    parts = (key or "").split(":")
    if len(parts) != 6 or parts[0] != KEY_VERSION or parts[1] not in BUTTON_KINDS:
        return None
    fields = [None if part == "-" else part for part in parts[2:]]
    customer_id, script_id, scenario, product_id = fields
    if customer_id is None or any(part is not None and not _PART.match(part) for part in fields):
        return None
    if scenario is not None and scenario not in SCENARIO_LABELS:
        return None
    return ButtonPress(parts[1], CardTarget(customer_id, script_id, scenario, product_id))


def new_task_id(target: CardTarget) -> str:
    """Unique per card (WeCom refuses a task_id used before by the app): digits, letters, `_-@`."""
    base = f"rm_{target.customer_id}_{target.script_id or target.scenario or 'x'}"
    return f"{base[: _TASK_ID_MAX - 17]}_{secrets.token_hex(8)}"


def _buttons(target: CardTarget, *, with_draft: bool) -> list[dict[str, Any]]:
    buttons = [{"text": "生成话术", "style": 3, "key": button_key(DRAFT_ACTION, target)}] if with_draft else []
    buttons += [{"text": text, "style": style, "key": button_key(kind, target)} for kind, text, style in OUTCOME_BUTTONS]
    return buttons


def _card(title: str, desc: str, body: str, rows: list[tuple[str, str]], target: CardTarget,
          *, with_draft: bool) -> dict[str, Any]:
    return {
        "card_type": "button_interaction",
        "source": SOURCE,
        "main_title": {"title": title, "desc": desc},
        "sub_title_text": body,
        "horizontal_content_list": [{"keyname": key, "value": value} for key, value in rows if value],
        "task_id": new_task_id(target),
        "button_list": _buttons(target, with_draft=with_draft),
    }


def script_card(script: dict[str, Any], customer_id: str, customer_name: str) -> dict[str, Any]:
    """The feedback card sent after a script's text: who, which scenario and product, three buttons."""
    target = CardTarget(customer_id, script_id=script.get("script_id"), scenario=script.get("scenario"),
                        product_id=script.get("product_id"))
    scenario = SCENARIO_LABELS.get(script.get("scenario") or "", "话术")
    rows = [("客户", f"{customer_name}（{customer_id}）"), ("场景", scenario),
            ("产品", script.get("product_id") or ""), ("话术编号", (script.get("script_id") or "")[:12])]
    return _card(f"话术反馈｜{scenario}", "记录客户的反应", SCRIPT_HINT, rows, target, with_draft=False)


def opportunity_card(opportunity: dict[str, Any], position: int, total: int) -> dict[str, Any]:
    """One of today's opportunities: the reason, a one-tap script button and the outcome buttons."""
    target = CardTarget(opportunity["customer_id"], scenario=opportunity.get("scenario"),
                        product_id=opportunity.get("product_id"))
    label = opportunity.get("trigger_label") or "商机"
    rows = [("客户", f"{opportunity.get('name') or ''}（{opportunity['customer_id']}）"),
            ("场景", SCENARIO_LABELS.get(opportunity.get("scenario") or "", "")),
            ("产品", opportunity.get("product_name") or opportunity.get("product_id") or ""),
            ("沟通方式", "仅限面谈" if opportunity.get("face_to_face_only") else "")]
    return _card(f"今日商机 {position}/{total}｜{label}", f"优先级 {opportunity.get('score', 0):.2f}",
                 opportunity.get("reason") or label, rows, target, with_draft=True)


def card_text(card: dict[str, Any]) -> str:
    """Every human-readable text on a card, one per line: what the compliance gate checks."""
    lines = [card["main_title"]["title"], card["main_title"]["desc"], card.get("sub_title_text", "")]
    lines += [f"{row['keyname']}：{row['value']}" for row in card.get("horizontal_content_list", [])]
    lines += [button["text"] for button in card.get("button_list", [])]
    return "\n".join(line for line in lines if line)
