"""Rank suitable products for a customer from need tags, behaviour tags, holdings and events.

Suitability first (product R-level ≤ customer C-level; 65+ never R4/R5; no valid assessment → R1
only), then products already held are skipped, then the rest is scored with reasons in Chinese.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rm_copilot.errors import NotFound
from rm_copilot.knowledge.products import Product, ProductCatalog, risk_rank

MATURITY_HORIZON_DAYS = 60
SCENE_WORDS = {
    "consumption": ("消费", "购物", "信用卡", "餐饮"),
    "travel": ("出行", "旅游", "旅行", "差旅", "出境", "境外"),
    "education": ("教育", "学费", "留学", "培训"),
    "medical": ("医疗", "健康", "体检"),
    "social": ("社区", "社交", "公益"),
    "retirement": ("养老", "退休"),
}
INFLOW_TYPES = ("wealth", "deposit", "fund")
# Needs only some product types meet: a credit card's medical perks do not meet a 医疗健康 need.
NEED_TYPES = {"medical": ("insurance",), "protection": ("insurance",),
              "inheritance": ("insurance", "deposit", "wealth"), "retirement": ("insurance", "wealth", "fund", "deposit")}
CREDIT_TYPES = ("loan", "card")


def meets_need(product: Product, need: str) -> bool:
    return product.type in NEED_TYPES.get(need, (product.type,))


@dataclass(frozen=True)
class Recommendation:
    product: Product
    score: float
    reasons: list[str]
    need: str | None = None
    event: dict[str, Any] | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "product_id": self.product.id,
            "name": self.product.name,
            "type": self.product.type,
            "risk_level": self.product.risk_level,
            "score": round(self.score, 2),
            "reasons": self.reasons,
        }


def effective_risk_level(brief: dict[str, Any]) -> str | None:
    """An expired or missing risk assessment counts as none (only R1 may be offered)."""
    if brief.get("risk_assessment_stale"):
        return None
    return brief.get("risk_level")


def suitability_issue(product: Product, brief: dict[str, Any], elderly_age: int = 65) -> str | None:
    """Why this product must not be recommended to this customer, or None when it may."""
    if product.status != "on_sale":
        return f"{product.name}当前不在售"
    level = effective_risk_level(brief)
    if level is None and product.risk_rank > 1:
        return "客户没有有效的风险承受能力评估，只能介绍风险等级R1的产品"
    if level is not None and product.risk_rank > (risk_rank(level) or 1):
        return f"产品风险等级{product.risk_level}高于客户风险承受能力{level}"
    if brief.get("age", 0) >= elderly_age and product.risk_rank >= 4:
        return f"{elderly_age}岁及以上客户不主动推荐R4、R5产品"
    return None


def recommend(
    brief: dict[str, Any], catalog: ProductCatalog, *, limit: int = 3, elderly_age: int = 65
) -> list[Recommendation]:
    held = {h["product_id"] for h in brief.get("holdings", [])}
    candidates = [
        p for p in catalog.all()
        if p.id not in held and suitability_issue(p, brief, elderly_age) is None
    ]
    ranked = [explain(product, brief, catalog) for product in candidates]
    ranked.sort(key=lambda r: (-r.score, r.product.risk_rank, r.product.id))
    return ranked[:limit]


def explain(product: Product, brief: dict[str, Any], catalog: ProductCatalog) -> Recommendation:
    """Score one product for this customer, with the reasons in Chinese."""
    score, reasons = 0.0, []
    need_label, event = None, None
    for event_brief in _maturing(brief):
        held_type = _held_type(event_brief, brief, catalog)
        if held_type == product.type or (held_type == "deposit" and product.type == "wealth" and product.risk_rank <= 2):
            score += 4 if held_type == product.type else 3
            reasons.append(f"您的{event_brief['product_name'] or '产品'}将于{event_brief['date_text']}到期")
            event = event_brief
            break
    for need in brief.get("needs", []):
        if need["key"] in product.needs and meets_need(product, need["key"]):
            score += 1.5 if need["stale"] else 3
            reasons.append(f"需求标签：{need['label']}")
            need_label = need_label or need["label"]
    for behavior in brief.get("behaviors", []):
        words = [w for scene in product.scenes for w in SCENE_WORDS.get(scene, ())] + product.tags_match
        if any(word and word in behavior["value"] for word in words):
            score += 1.5
            reasons.append(f"行为标签：{behavior['label']}（{behavior['value']}）")
            break
    inflow = next((e for e in brief.get("events", []) if e["kind"] == "large_inflow"), None)
    if inflow and product.type in INFLOW_TYPES:
        score += 2
        reasons.append(f"{inflow['date_text']}有大额资金入账，可做闲置资金安排")
        event = event or inflow
    if not reasons:
        reasons.append(f"风险等级{product.risk_level}，在您的风险承受能力范围内")
        if product.type in ("loan", "card"):
            score -= 1
    return Recommendation(product, score, reasons, need_label, event)


def _maturing(brief: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        e for e in brief.get("events", [])
        if e["kind"] == "maturity" and -7 <= e["days_until"] <= MATURITY_HORIZON_DAYS
    ]


def _held_type(event: dict[str, Any], brief: dict[str, Any], catalog: ProductCatalog) -> str | None:
    for holding in brief.get("holdings", []):
        if holding.get("maturity_date") == event["date"]:
            try:
                return catalog.get(holding["product_id"]).type
            except NotFound:  # a product no longer in the catalogue: judge by its name
                break
    return "deposit" if "存" in (event.get("product_name") or "") else None
