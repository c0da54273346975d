"""One naming of the risk grades, as the knowledge base writes them.

Customers' risk tolerance C1–C5 uses the names common in bank practice under the 理财销售
rules (商业银行理财业务监督管理办法, 理财公司理财产品销售管理暂行办法); product grades R1–R5 use
the plain 低/中低/中/中高/高风险 wording, so a product grade never borrows a customer name.
`risk_level_names` finds every grade named in a text, so a check can report contradictions.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

CUSTOMER_RISK_NAMES = {"C1": "保守型", "C2": "稳健型", "C3": "平衡型", "C4": "成长型", "C5": "进取型"}
PRODUCT_RISK_NAMES = {"R1": "低风险", "R2": "中低风险", "R3": "中风险", "R4": "中高风险", "R5": "高风险"}

_NAME = r"[\u4e00-\u9fff]{1,4}(?:型|风险)"
_PATTERNS = (
    re.compile(rf"(?<![A-Za-z0-9])([CR][1-5])\s*[（(]\s*({_NAME})\s*[）)]"),  # C3（平衡型）, R2（中低风险）
    re.compile(rf"(?<![A-Za-z0-9])(C[1-5])(?:及以上)?的({_NAME})客户"),  # C2及以上的稳健型客户
    re.compile(rf"(?<![A-Za-z0-9])(C[1-5])\s*[:：]\s*({_NAME})"),  # C1：保守型
)


@dataclass(frozen=True)
class RiskNameUse:
    level: str
    name: str
    source: str


def risk_level_names(text: str, source: str = "") -> list[RiskNameUse]:
    uses: list[RiskNameUse] = []
    for pattern in _PATTERNS:
        uses.extend(RiskNameUse(m.group(1), m.group(2), source) for m in pattern.finditer(text))
    return uses


def contradictions(uses: Iterable[RiskNameUse]) -> dict[str, dict[str, list[str]]]:
    """Levels named in more than one way, or not as the canonical naming: level → name → sources."""
    by_level: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for use in uses:
        by_level[use.level][use.name].append(use.source)
    canonical = {**CUSTOMER_RISK_NAMES, **PRODUCT_RISK_NAMES}
    return {
        level: {name: sorted(set(sources)) for name, sources in names.items()}
        for level, names in sorted(by_level.items())
        if len(names) > 1 or set(names) != {canonical[level]}
    }
