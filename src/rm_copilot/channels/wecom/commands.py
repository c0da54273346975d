"""The bot's text commands: `帮助`, `新对话`, `话术 C00012 到期 [WM001]`; anything else is a question."""
from __future__ import annotations

import re
from dataclasses import dataclass

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
SCENARIOS = frozenset(SCENARIO_WORDS.values())
HELP_WORDS = frozenset({"帮助", "help", "?", "？", "菜单"})
RESET_WORDS = frozenset({"新对话", "重新开始"})
_CUSTOMER_ID = re.compile(r"^C\d{3,}$", re.IGNORECASE)
_PRODUCT_ID = re.compile(r"^(WM|FD|IN|DP|LN|CD)\d{3,}$", re.IGNORECASE)
_TOKEN = re.compile(r"[A-Za-z]{1,2}\d+|[\u4e00-\u9fff]+|\S+")
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
class Malformed:
    """A command word with arguments the bot cannot read; answered with the usage line."""

    usage: str


Command = Help | ResetSession | DraftScript | Ask | Malformed

SCRIPT_USAGE = "话术指令格式：话术 客户号 [场景] [产品号]，例如“话术 C00012 到期”。场景可选：产品、到期、生日、活动、安抚。"


def parse_command(text: str) -> Command:
    stripped = text.strip()
    if stripped.lower() in HELP_WORDS:
        return Help()
    if stripped in RESET_WORDS:
        return ResetSession()
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


def _only_command_words(args: list[str]) -> bool:
    return all(
        _PRODUCT_ID.match(arg) or arg in SCENARIO_WORDS or arg.lower() in SCENARIOS for arg in args
    )
