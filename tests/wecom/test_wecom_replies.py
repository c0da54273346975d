"""Script replies to the advisor in WeCom: the do-not-send warning for customers without consent comes first."""
from __future__ import annotations

from rm_copilot.channels.wecom.replies import format_scripts

PASS = {"verdict": "pass", "findings": []}


def _script(text: str, reasons: list[str]) -> dict:
    return {"text": text, "product_id": "DP001", "scenario": "product", "reasons": reasons, "compliance": PASS}


def test_no_consent_warning_leads_the_reply_once() -> None:
    warning = "客户未授权营销：请勿通过企业微信或短信主动发送，仅可在客户主动咨询或面谈时参考"
    reply = format_scripts({"scripts": [_script("话术一", [warning]), _script("话术二", [warning])]})
    assert reply.startswith(f"【注意】{warning}")
    assert reply.count("客户未授权营销") == 1 and "话术一" in reply and "话术二" in reply


def test_reply_for_a_consenting_customer_has_no_warning() -> None:
    reply = format_scripts({"scripts": [_script("话术一", ["需求标签：养老规划"])]})
    assert "注意" not in reply and reply.endswith("话术一")
