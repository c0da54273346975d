"""The customer vocabulary: tag keys and their Chinese labels, bands, staleness (tag layers, tiers, event
kinds and risk levels are in rm_copilot.vocabulary, shared by every layer).

Need keys are shared with the product catalogue's `needs` field (docs/ARCHITECTURE.md).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

GENDERS: tuple[str, ...] = ("男", "女")

NEED_LABELS = {
    "education": "子女教育",
    "retirement": "养老规划",
    "travel": "出行旅游",
    "medical": "医疗健康",
    "housing": "购房安居",
    "child_birth": "生育养育",
    "business_cashflow": "经营周转",
    "wealth_growth": "财富增值",
    "liquidity": "流动性管理",
    "protection": "家庭保障",
    "consumption": "日常消费",
    "inheritance": "财富传承",
}

KEY_LABELS = {
    "age_band": "年龄段",
    "occupation": "职业",
    "city": "城市",
    "tier": "客户层级",
    "risk_level": "风险等级",
    "marital_status": "婚姻状况",
    "channel": "常用渠道",
    "spending": "消费特征",
    "aum_band": "资产规模",
    "products_held": "持有产品",
    "activity": "活跃度",
    "search": "搜索关键词",
    "consultation": "咨询记录",
    "transaction": "交易特征",
    **NEED_LABELS,
}

AUM_BANDS: tuple[str, ...] = (
    "5万以下", "5万-20万", "20万-50万", "50万-100万", "100万-300万", "300万-600万", "600万以上",
)

STALE_AFTER = timedelta(days=180)
# A risk assessment (风险测评) is valid for one year; a year-old one must be redone before selling.
STALE_AFTER_BY_KEY = {"risk_level": timedelta(days=365)}


def label_for(key: str) -> str:
    return KEY_LABELS.get(key, key)


def is_stale(key: str, updated_at: datetime | date, today: date) -> bool:
    updated = updated_at.date() if isinstance(updated_at, datetime) else updated_at
    return today - updated > STALE_AFTER_BY_KEY.get(key, STALE_AFTER)


def age_on(birth_date: date, today: date) -> int:
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - before_birthday


def age_band(age: int) -> str:
    for upper, band in ((25, "25岁以下"), (35, "25-34岁"), (45, "35-44岁"), (55, "45-54岁"), (65, "55-64岁")):
        if age < upper:
            return band
    return "65岁及以上"
