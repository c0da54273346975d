"""Recommendations for a need the question describes ("C2客户有10万一年内不用…推荐什么？").

The customer's risk level and age are read from the question (C1–C5 or the questionnaire's type
names, "70岁"); without a stated level only R1 products are offered. Candidates are the suitable
on-sale products (R ≤ C, 65+ never R4/R5); they are ranked by how strongly retrieval ties the
described need to each product's documents, and a product type the question names restricts them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rm_copilot.assistant.recommend import CREDIT_TYPES, suitability_issue
from rm_copilot.knowledge.products import Product, ProductCatalog

_LEVEL = re.compile(r"[Cc]([1-5])")
_LEVEL_NAMES = {"保守型": 1, "谨慎型": 2, "稳健型": 2, "平衡型": 3, "进取型": 4, "激进型": 5}
_AGE = re.compile(r"(\d{2,3})\s*(?:岁|周岁)")
_TYPE_WORDS = {"理财": "wealth", "基金": "fund", "定投": "fund", "保险": "insurance", "险": "insurance",
               "存款": "deposit", "存单": "deposit", "贷款": "loan", "信用卡": "card", "卡": "card"}
_AVOIDS_RISK = re.compile(r"不想(?:冒|承担|有)(?:投资)?风险|不能亏|不想亏|保守")
SEARCH_DEPTH = 30
_CREDIT_NEED = re.compile(r"贷|借|周转|分期|刷卡|消费|装修|买房|购房|首付|额度|出国|境外|旅游|旅行|出行")


@dataclass(frozen=True)
class DescribedCustomer:
    risk_level: str | None
    age: int | None
    types: frozenset[str]
    avoids_risk: bool

    def brief(self) -> dict[str, Any]:
        return {"risk_level": self.risk_level, "age": self.age or 0, "risk_assessment_stale": False,
                "needs": [], "behaviors": [], "events": [], "holdings": []}

    def describe(self) -> str:
        parts = []
        if self.age:
            parts.append(f"{self.age}岁")
        parts.append(f"风险承受能力{self.risk_level}" if self.risk_level else "未说明风险测评等级（仅列R1产品）")
        return "，".join(parts)


def describe_customer(question: str) -> DescribedCustomer:
    level = None
    if match := _LEVEL.search(question):
        level = int(match.group(1))
    else:
        level = next((rank for name, rank in _LEVEL_NAMES.items() if name in question), None)
    age_match = _AGE.search(question)
    types = frozenset(t for word, t in _TYPE_WORDS.items() if word in question and _names_type(question, word))
    avoids = bool(_AVOIDS_RISK.search(question))
    return DescribedCustomer(f"C{level}" if level else None, int(age_match.group(1)) if age_match else None,
                             types, avoids)


def _names_type(question: str, word: str) -> bool:
    """"卡" in 信用卡 is a card; "险" inside 风险 is not insurance."""
    if word == "险":
        return bool(re.search(r"(?<!风)险", question))
    if word == "卡":
        return "卡" in question.replace("信用卡", "卡")
    return True


def rank_for_need(question: str, customer: DescribedCustomer, catalog: ProductCatalog, retriever: Any, *,
                  elderly_age: int = 65, limit: int = 3) -> list[tuple[Product, float]]:
    brief = customer.brief()
    suitable = [p for p in catalog.all() if suitability_issue(p, brief, elderly_age) is None]
    if customer.avoids_risk:
        suitable = [p for p in suitable if p.risk_rank <= 1] or suitable
    if customer.types:
        suitable = [p for p in suitable if p.type in customer.types] or suitable
    elif not _CREDIT_NEED.search(question):
        suitable = [p for p in suitable if p.type not in CREDIT_TYPES]  # no card or loan unless credit is asked for
    allowed = {p.id for p in suitable}
    scores: dict[str, float] = {}
    need = need_text(question)
    hits = retriever.search(need, k=SEARCH_DEPTH, product_ids=sorted(allowed)) if allowed and need else []
    for rank, hit in enumerate(hits):
        product_id = hit.chunk.product_id
        if product_id in allowed:
            scores[product_id] = scores.get(product_id, 0.0) + 1.0 / (rank + 3)
    ranked = sorted(scores.items(), key=lambda item: -item[1])
    return [(catalog.get(pid), score) for pid, score in ranked[:limit]]


_DESCRIPTION = re.compile(r"[Cc][1-5]|\d{2,3}\s*(?:岁|周岁)|测评(?:是|为)?|(?:风险)?(?:保守|谨慎|稳健|平衡|进取|激进)型|客户")


def need_text(question: str) -> str:
    """The need alone: the customer's level, age and the word 客户 say nothing about which product fits."""
    return _DESCRIPTION.sub(" ", question).strip()
