"""The bot's text commands: `帮助`, `新对话`, `今日`, `话术 C00012 到期 [WM001]`,
`结果 C00012 已购买 [WM004] [备注]`; anything else is a question."""
from __future__ import annotations

import re
from dataclasses import dataclass

from rm_copilot.vocabulary import PRODUCT_ID_PREFIXES, SCENARIOS

SCENARIO_WORDS = {
    "产品": "product",
    "推荐": "product",
    "到期": "maturity",
    "续接": "maturity",
    "生日": "birthday",
    "活动": "event",
    "邀约": "event",
    "安抚": "care",
    "波动": "care",
}
OUTCOME_WORDS = {
    "已发送": "sent", "发送": "sent", "已发": "sent",
    "客户有回复": "replied", "有回复": "replied", "已回复": "replied", "回复": "replied",
    "已预约": "meeting", "预约": "meeting", "已约见": "meeting", "约见": "meeting",
    "已购买": "purchased", "购买": "purchased", "成交": "purchased", "已成交": "purchased",
    "不合适": "declined", "婉拒": "declined", "拒绝": "declined", "客户婉拒": "declined",
    "投诉": "complaint", "客户投诉": "complaint",
}
HELP_WORDS = frozenset({"帮助", "help", "?", "？", "菜单"})
TODAY_WORDS = frozenset({"今日", "今天", "今日商机", "商机"})
RESET_WORDS = frozenset({"新对话", "重新开始"})
_CUSTOMER_ID = re.compile(r"^C\d{3,}$", re.IGNORECASE)
_PRODUCT_ID = re.compile(rf"^({'|'.join(PRODUCT_ID_PREFIXES.values())})\d{{3,}}$", re.IGNORECASE)
_TOKEN = re.compile(r"[A-Za-z]{1,2}\d+|[\u4e00-\u9fff]+|\S+")
_SCRIPT_ID = re.compile(r"^S[0-9a-f]{20}$")
_RESULT = re.compile(r"^结果[\s:：]*(C\d{3,})[\s,，]+(\S+)(.*)$", re.IGNORECASE | re.DOTALL)
_LEADING_CUSTOMER = re.compile(r"^\s*(C\d{3,})(?:\s+|[:：，,]\s*)(.+)$", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class ResetSession:
    pass


@dataclass(frozen=True)
class DraftScript:
    customer_id: str
    scenario: str | None = None
    product_id: str | None = None


@dataclass(frozen=True)
class Ask:
    message: str
    customer_id: str | None = None


@dataclass(frozen=True)
class Today:
    pass


@dataclass(frozen=True)
class RecordOutcome:
    customer_id: str
    kind: str
    product_id: str | None = None
    script_id: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class Malformed:
    """A command word with arguments the bot cannot read; answered with the usage line."""

    usage: str


Command = Help | ResetSession | Today | DraftScript | RecordOutcome | Ask | Malformed

SCRIPT_USAGE = "话术指令格式：话术 客户号 [场景] [产品号]，例如“话术 C00012 到期”。场景可选：产品、到期、生日、活动、安抚。"
RESULT_USAGE = (
    "结果指令格式：结果 客户号 结果 [产品号] [备注]，例如“结果 C00012 已购买 WM004”。"
    "结果可选：已发送、有回复、已预约、已购买、不合适、投诉。"
)


def parse_command(text: str) -> Command:
    stripped = text.strip()
    if stripped.lower() in HELP_WORDS:
        return Help()
    if stripped in RESET_WORDS:
        return ResetSession()
    if stripped in TODAY_WORDS:
        return Today()
    if stripped.startswith("结果"):
        result = _parse_result(stripped)
        if result is not None:
            return result
    if stripped.startswith("话术"):
        script = _parse_script(_TOKEN.findall(stripped[2:]))
        if script is not None:
            return script
    leading = _LEADING_CUSTOMER.match(stripped)
    if leading:
        return Ask(message=leading.group(2).strip(), customer_id=leading.group(1).upper())
    return Ask(message=stripped)


def _parse_script(args: list[str]) -> DraftScript | Malformed | None:
    """None when the words after 话术 name no customer and read as a question about scripts."""
    if args and not any(_CUSTOMER_ID.match(arg) for arg in args) and not _only_command_words(args):
        return None
    customer_id = scenario = product_id = None
    for arg in args:
        if _CUSTOMER_ID.match(arg) and customer_id is None:
            customer_id = arg.upper()
        elif _PRODUCT_ID.match(arg) and product_id is None:
            product_id = arg.upper()
        elif (arg in SCENARIO_WORDS or arg.lower() in SCENARIOS) and scenario is None:
            scenario = SCENARIO_WORDS.get(arg, arg.lower())
        else:
            return Malformed(SCRIPT_USAGE)
    if customer_id is None:
        return Malformed(SCRIPT_USAGE)
    return DraftScript(customer_id=customer_id, scenario=scenario, product_id=product_id)


def _parse_result(text: str) -> RecordOutcome | Malformed | None:
    """None when 结果 starts a question that names no customer (e.g. “结果怎么算”)."""
    match = _RESULT.match(text)
    if match is None:
        return Malformed(RESULT_USAGE) if _CUSTOMER_ID.match(text[2:].strip().split(" ")[0]) else None
    customer_id, word, rest = match.group(1).upper(), match.group(2), match.group(3).split()
    kind = OUTCOME_WORDS.get(word)
    if kind is None:
        return Malformed(RESULT_USAGE)
    product_id = script_id = None
    while rest and (_PRODUCT_ID.match(rest[0]) or _SCRIPT_ID.match(rest[0])):
        token = rest.pop(0)
        if _SCRIPT_ID.match(token):
            script_id = token
        else:
            product_id = token.upper()
    detail = " ".join(rest).strip() or None
    return RecordOutcome(customer_id, kind, product_id=product_id, script_id=script_id, detail=detail)


def _only_command_words(args: list[str]) -> bool:
    return all(
        _PRODUCT_ID.match(arg) or arg in SCENARIO_WORDS or arg.lower() in SCENARIOS for arg in args
    )
