"""Why this product fits this customer: the customer's need or event joined to the product's own facts.

Reasons are built per product from what it offers (its selling points and target customers most
related to the need described or tagged) and from the customer's risk level, so two recommended
products never share the same reason text.
"""
from __future__ import annotations

import re
from typing import Any

from rm_copilot.assistant.recommend import explain
from rm_copilot.knowledge.products import Product, ProductCatalog

_CHARS = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")


def _pairs(text: str) -> set[str]:
    chars = "".join(_CHARS.findall(text))
    return {chars[i:i + 2] for i in range(len(chars) - 1)}


def relevant_fact(product: Product, wanted: str) -> str | None:
    """The selling point or target-customer line sharing most with what the customer wants."""
    candidates = [*product.selling_points, *product.target_customers]
    if not candidates:
        return None
    want = _pairs(wanted)
    best = max(candidates, key=lambda c: (len(want & _pairs(c)), -candidates.index(c)))
    return best.strip().rstrip("。；;")


def stated_return(product: Product) -> str | None:
    """The product's own 业绩比较基准 or 利率 when it is a figure (a textual benchmark says nothing comparable)."""
    if product.benchmark and re.fullmatch(r"[\d.]+%(?:\s*[-–~至]\s*[\d.]+%)?", product.benchmark.strip()):
        return f"业绩比较基准{product.benchmark}（不代表未来收益）"
    if product.rate and re.search(r"\d%", product.rate) and len(product.rate) <= 40:
        return product.rate
    return None


def fit_reasons(product: Product, profile: dict[str, Any], question: str, catalog: ProductCatalog) -> list[str]:
    reasons: list[str] = []
    if profile.get("needs") or profile.get("events"):
        tagged = explain(product, profile, catalog).reasons
        reasons.extend(r.replace("您的", "客户的").replace("需求标签：", "客户有需求：") for r in tagged
                       if "风险承受能力范围内" not in r)
    needs = "、".join(n["label"] for n in profile.get("needs", []))
    if fact := relevant_fact(product, f"{question} {needs}"):
        reasons.append(f"产品特点：{fact}")
    if (stated := stated_return(product)) is not None:
        reasons.append(stated)
    level = profile.get("risk_level") if not profile.get("risk_assessment_stale") else None
    if level:
        reasons.append(f"风险等级{product.risk_level}，不高于客户的风险承受能力{level}")
    elif product.risk_rank > 1:
        reasons.append(f"风险等级{product.risk_level}，须客户风险测评为C{product.risk_rank}及以上（在有效期内）方可推介")
    elif profile.get("described"):
        reasons.append(f"风险等级{product.risk_level}，各风险测评等级的客户均可购买")
    else:
        reasons.append(f"风险等级{product.risk_level}（客户未提供有效测评，仅限R1产品）")
    return list(dict.fromkeys(reasons))
