"""The domain's closed word lists, defined once with their Chinese labels (DESIGN.md §1, §4, §8).

Every layer — customers, knowledge, compliance, assistant, marketing, campaigns, channels — takes
its product types, channels, scenarios, event kinds, risk levels, verdicts and outcome kinds from
here. Each list is a `Literal` type (for pydantic models and type checkers), the tuple of its
values in contract order, and a dict of labels an advisor reads. This module imports nothing of
the project, so the bottom layers may use it too.
"""
from __future__ import annotations

from typing import Literal, get_args

ProductType = Literal["wealth", "fund", "insurance", "deposit", "loan", "card"]
PRODUCT_TYPES: tuple[ProductType, ...] = get_args(ProductType)
PRODUCT_TYPE_LABELS: dict[str, str] = {
    "wealth": "理财", "fund": "基金", "insurance": "保险", "deposit": "存款", "loan": "贷款", "card": "信用卡",
}
# A product id is its type's prefix and a number (WM001, DP002).
PRODUCT_ID_PREFIXES: dict[str, str] = {
    "wealth": "WM", "fund": "FD", "insurance": "IN", "deposit": "DP", "loan": "LN", "card": "CD",
}

TagLayer = Literal["basic", "behavior", "need"]
TAG_LAYERS: tuple[TagLayer, ...] = get_args(TagLayer)
TAG_LAYER_LABELS: dict[str, str] = {"basic": "基础标签", "behavior": "行为标签", "need": "需求标签"}

Tier = Literal["大众", "财富", "私行"]
TIERS: tuple[Tier, ...] = get_args(Tier)

Channel = Literal["tablet", "wecom", "sms"]
CHANNELS: tuple[Channel, ...] = get_args(Channel)
CHANNEL_LABELS: dict[str, str] = {"tablet": "平板", "wecom": "企业微信", "sms": "短信"}
# Channels that deliver the text to the customer themselves (the tablet only shows it to the advisor).
SENT_CHANNELS: tuple[Channel, ...] = ("wecom", "sms")

Scenario = Literal["product", "maturity", "birthday", "event", "care"]
SCENARIOS: tuple[Scenario, ...] = get_args(Scenario)
SCENARIO_LABELS: dict[str, str] = {
    "product": "产品推荐", "maturity": "到期续接", "birthday": "生日关怀", "event": "活动邀约", "care": "市场波动安抚",
}

EventKind = Literal["birthday", "maturity", "large_inflow", "life_event"]
EVENT_KINDS: tuple[EventKind, ...] = get_args(EventKind)
EVENT_LABELS: dict[str, str] = {
    "birthday": "生日", "maturity": "产品到期", "large_inflow": "大额资金入账", "life_event": "人生大事",
}

CustomerRiskLevel = Literal["C1", "C2", "C3", "C4", "C5"]
CUSTOMER_RISK_LEVELS: tuple[CustomerRiskLevel, ...] = get_args(CustomerRiskLevel)
ProductRiskLevel = Literal["R1", "R2", "R3", "R4", "R5"]
PRODUCT_RISK_LEVELS: tuple[ProductRiskLevel, ...] = get_args(ProductRiskLevel)

Verdict = Literal["pass", "rewrite", "block"]
VERDICTS: tuple[Verdict, ...] = get_args(Verdict)
VERDICT_LABELS: dict[str, str] = {"pass": "通过", "rewrite": "已改写", "block": "拦截"}

OutcomeKind = Literal["sent", "replied", "meeting", "purchased", "declined", "complaint"]
OUTCOME_KINDS: tuple[OutcomeKind, ...] = get_args(OutcomeKind)
OUTCOME_LABELS: dict[str, str] = {
    "sent": "已发送", "replied": "客户有回复", "meeting": "已约见", "purchased": "已购买",
    "declined": "客户婉拒", "complaint": "客户投诉",
}
