"""What the bot says: fixed texts (checked against the compliance rulebook in tests) and the layout
of Copilot answers, whose text already passed the compliance gate inside the Copilot."""
from __future__ import annotations

from typing import Any

from rm_copilot.channels.wecom.commands import RESULT_USAGE, SCRIPT_USAGE
from rm_copilot.vocabulary import SCENARIO_LABELS

UNBOUND_USER = "您好，您的企业微信账号尚未绑定客户经理身份，请联系管理员。"
CUSTOMER_NOT_FOUND = "未找到该客户或无权查看"
SESSION_RESET = "好的，已开始新的对话。"
UNSUPPORTED_MESSAGE = "目前仅支持文字消息，请直接输入您的问题。"
TEMPORARY_FAILURE = "抱歉，暂时无法处理您的请求，请稍后再试。"
BLOCKED = "该内容未通过合规检查，未予发送，请调整问题后重试。"
NO_OPPORTUNITIES = "今天暂无需要跟进的商机。"
TODAY_CARDS_ONLY = "今日商机已整理为下方卡片，请逐条查看。"
UNKNOWN_CARD = "该卡片已失效，请重新生成。"
HELP = (
    "您好，我是客户经理助手，可以这样使用：\n"
    "1. 直接提问，例如“养老规划可以了解哪些产品”；\n"
    "2. 以客户号开头提问，例如“C00012 近期有哪些需要关注的事项”；\n"
    "3. 生成话术：话术 客户号 [场景] [产品号]，例如“话术 C00012 到期”，"
    "场景可选：产品、到期、生日、活动、安抚；\n"
    "4. 发送“今日”查看今天按优先级排好的商机，每条可一键生成话术；\n"
    "5. 记录结果：结果 客户号 结果 [产品号]，例如“结果 C00012 已购买 WM004”，"
    "结果可选：已发送、有回复、已预约、已购买、不合适、投诉；话术卡片上的按钮也可直接记录；\n"
    "6. 发送“新对话”开始新的会话。\n"
    "发送给客户前，请再次核对内容。"
)

FIXED_TEXTS = (
    UNBOUND_USER, CUSTOMER_NOT_FOUND, SESSION_RESET, UNSUPPORTED_MESSAGE, TEMPORARY_FAILURE, BLOCKED, HELP,
    SCRIPT_USAGE, RESULT_USAGE, NO_OPPORTUNITIES, TODAY_CARDS_ONLY, UNKNOWN_CARD,
)


def _citation_lines(citations: list[dict[str, Any]]) -> list[str]:
    """Numbered in list order, the same numbers as the [n] markers in the answer text."""
    return [
        f"[{n}] {citation.get('title') or citation.get('source') or ''}".rstrip()
        for n, citation in enumerate(citations, 1)
    ]


def format_chat(answer: dict[str, Any]) -> str:
    """An answer dict (DESIGN.md §5 chat object) as one WeCom text."""
    if answer.get("compliance", {}).get("verdict") == "block" or not answer.get("answer"):
        return BLOCKED
    lines = _citation_lines(answer.get("citations") or [])
    return answer["answer"] + ("\n\n参考资料：\n" + "\n".join(lines) if lines else "")


NO_CONSENT_PREFIX = "客户未授权营销"


def format_scripts(answer: dict[str, Any]) -> str:
    """A scripts dict (DESIGN.md §5 scripts object): each passing script with its scenario and product."""
    usable = [
        script
        for script in answer.get("scripts") or []
        if script.get("text") and script.get("compliance", {}).get("verdict") != "block"
    ]
    if not usable:
        return BLOCKED
    warnings = dict.fromkeys(r for s in usable for r in s.get("reasons") or [] if r.startswith(NO_CONSENT_PREFIX))
    parts = [f"【注意】{warning}" for warning in warnings]
    for n, script in enumerate(usable, 1):
        label = SCENARIO_LABELS.get(script.get("scenario") or "", "话术")
        product = f"，产品 {script['product_id']}" if script.get("product_id") else ""
        number = f"{n}" if len(usable) > 1 else ""
        parts.append(f"【话术{number}｜{label}{product}】\n{script['text']}")
    return "\n\n".join(parts)
