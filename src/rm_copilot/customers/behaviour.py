"""Synthetic behaviour that implies a customer's needs: app searches, consultations, transactions.

The generator draws a customer's hidden needs (the entered need tags plus needs nobody typed in)
and emits, for each, the traces such a need leaves — with realistic gaps (a need may leave one
trace or none) and noise (traces of needs the customer does not have). Need inference is measured
against these hidden needs.
"""
from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from rm_copilot.customers.tags import NEED_LABELS

SIGNAL_KEYS = ("search", "consultation", "transaction")
SIGNAL_SOURCES = {"search": "渠道日志", "consultation": "咨询记录", "transaction": "交易流水"}

# Traces per need and kind. Some words are shared on purpose (a 大额存单 search says little).
TRACES: dict[str, dict[str, tuple[str, ...]]] = {
    "education": {"search": ("教育金", "留学费用", "少儿英语", "学区", "大学学费", "大额存单"),
                  "consultation": ("子女教育金规划", "留学换汇"),
                  "transaction": ("每月培训机构扣款", "学费缴纳", "早教中心消费")},
    "retirement": {"search": ("个人养老金", "养老理财", "退休金计算", "养老社区", "大额存单"),
                   "consultation": ("个人养老金账户", "养老规划"),
                   "transaction": ("养老金按月入账", "个人养老金缴存")},
    "travel": {"search": ("境外取现", "机票", "签证办理", "外币兑换", "酒店预订"),
               "consultation": ("境外用卡", "旅行保险"),
               "transaction": ("航空公司消费", "境外酒店消费", "机场贵宾厅消费")},
    "medical": {"search": ("医保报销", "重疾险", "住院押金", "体检套餐"),
                "consultation": ("医疗保险", "住院费用安排"),
                "transaction": ("医院缴费", "药店消费", "体检机构消费")},
    "housing": {"search": ("房贷利率", "首付比例", "公积金贷款", "装修贷"),
                "consultation": ("房贷办理", "首付资金安排"),
                "transaction": ("售楼处定金", "建材家居消费", "物业费缴纳")},
    "child_birth": {"search": ("奶粉", "育儿补贴", "少儿医保", "月子中心"),
                    "consultation": ("少儿保险", "生育津贴"),
                    "transaction": ("母婴店消费", "妇幼医院缴费", "月子中心消费")},
    "business_cashflow": {"search": ("经营贷", "对公账户", "POS机", "发票贷"),
                          "consultation": ("经营性贷款", "对公结算"),
                          "transaction": ("批量代发工资", "供应商货款支付", "POS收单入账")},
    "wealth_growth": {"search": ("基金定投", "理财收益", "指数基金", "资产配置", "大额存单"),
                      "consultation": ("资产配置", "基金产品"),
                      "transaction": ("基金申购", "理财到期赎回再投资")},
    "liquidity": {"search": ("活期理财", "七天通知存款", "随时取", "货币基金"),
                  "consultation": ("短期资金安排",),
                  "transaction": ("活期余额波动大", "频繁大额转入转出")},
    "protection": {"search": ("定期寿险", "意外险", "家庭保障", "保额怎么算"),
                   "consultation": ("家庭保障规划", "寿险"),
                   "transaction": ("保险保费扣款",)},
    "consumption": {"search": ("信用卡优惠", "分期免息", "商场满减", "外卖红包"),
                    "consultation": ("信用卡分期",),
                    "transaction": ("超市高频消费", "网购消费")},
    "inheritance": {"search": ("家族信托", "遗嘱", "保险金信托", "财富传承"),
                    "consultation": ("家族信托", "保险金信托"),
                    "transaction": ("大额保单缴费",)},
}
assert set(TRACES) == set(NEED_LABELS)

UNTYPED_PERSONA_NEED = 0.5   # a persona need nobody typed in is still held this often
EXTRA_NEED = 0.12            # a need outside the persona (a retiree who travels)
SEARCH_CHANCE, CONSULT_CHANCE, TRANSACTION_CHANCE = 0.85, 0.4, 0.6
NOISE_WEIGHTS = (0.45, 0.4, 0.15)  # 0, 1 or 2 traces of needs the customer does not have


def hidden_needs(typed: Sequence[str], persona_needs: Sequence[str], rng: random.Random) -> list[str]:
    needs = list(dict.fromkeys(typed))
    for need in persona_needs:
        if need not in needs and rng.random() < UNTYPED_PERSONA_NEED:
            needs.append(need)
    if rng.random() < EXTRA_NEED:
        outside = sorted(set(TRACES) - set(needs))
        needs.append(rng.choice(outside))
    return needs


def _trace(need: str, kind: str, rng: random.Random) -> tuple[str, str]:
    value = rng.choice(TRACES[need][kind])
    return kind, value if kind == "search" else (f"咨询{value}" if kind == "consultation" else value)


def behaviour_traces(needs: Sequence[str], rng: random.Random) -> list[tuple[str, str]]:
    """(key, value) behaviour tags for these hidden needs, gaps and noise included; no repeats."""
    traces: list[tuple[str, str]] = []
    for need in needs:
        if rng.random() < SEARCH_CHANCE:
            traces += [_trace(need, "search", rng) for _ in range(rng.randint(1, 3))]
        if rng.random() < CONSULT_CHANCE:
            traces.append(_trace(need, "consultation", rng))
        if rng.random() < TRANSACTION_CHANCE:
            traces.append(_trace(need, "transaction", rng))
    others = sorted(set(TRACES) - set(needs))
    for _ in range(rng.choices(range(len(NOISE_WEIGHTS)), weights=NOISE_WEIGHTS)[0]):
        traces.append(_trace(rng.choice(others), rng.choice(SIGNAL_KEYS), rng))
    return list(dict.fromkeys(traces))


def behaviour_tags(traces: Sequence[tuple[str, str]], now: datetime, rng: random.Random) -> list[dict[str, Any]]:
    return [{"layer": "behavior", "key": key, "value": value, "source": SIGNAL_SOURCES[key],
             "updated_at": (now - timedelta(days=rng.randint(1, 90))).isoformat()} for key, value in traces]
