"""Suitability: products mentioned to a customer must not exceed the customer's risk level."""
from __future__ import annotations

import re
from dataclasses import dataclass

from rm_copilot.compliance.matcher import ProductMention
from rm_copilot.compliance.models import CustomerContext

BASIS_MATCH = ("《理财公司理财产品销售管理暂行办法》第二十五条第（一）项；"
               "《证券期货投资者适当性管理办法》第二十二条第（三）项")
BASIS_ELDERLY = ("《银行业金融机构销售专区录音录像管理暂行规定》（2017）及行内老年客户适当性制度"
                 "（条号待核实）")
BASIS_UNKNOWN = "《理财公司理财产品销售管理暂行办法》风险承受能力评估相关条款（条号待核实）"
INVESTMENT_WORDS = re.compile(r"理财|基金|保险|投资|股票|债券|产品")


@dataclass(frozen=True)
class SuitabilityIssue:
    rule_id: str
    severity: str
    start: int  # normalised text
    end: int
    message: str
    suggestion: str
    basis: str


class SuitabilityChecker:
    def __init__(self, *, elderly_age: int = 65):
        self.elderly_age = elderly_age

    def check(self, normalized_text: str, mentions: list[ProductMention],
              customer: CustomerContext | None) -> list[SuitabilityIssue]:
        if customer is None:
            return []
        issues: list[SuitabilityIssue] = []
        seen: set[str] = set()
        for mention in sorted(mentions, key=lambda m: (m.start - m.end, m.start)):  # longest mention first
            product = mention.product
            if product.id in seen:
                continue
            seen.add(product.id)
            rank = customer.risk_rank
            if rank is not None and product.risk_rank > rank:
                issues.append(SuitabilityIssue(
                    "suitability.above_risk_level", "block", mention.start, mention.end,
                    f"{product.name}风险等级为{product.risk_level}，高于客户的风险承受能力{customer.risk_level}，不得推荐。",
                    f"只推荐风险等级不高于R{rank}的产品；客户主动要求时须出具书面风险警示，不得推介。",
                    BASIS_MATCH))
            elif customer.age is not None and customer.age >= self.elderly_age and product.risk_rank >= 4:
                issues.append(SuitabilityIssue(
                    "suitability.elderly_high_risk", "block", mention.start, mention.end,
                    f"客户年满{self.elderly_age}岁，不主动推荐{product.risk_level}级产品{product.name}。",
                    "改为推荐R3及以下的产品，并提示销售专区录音录像（双录）。",
                    BASIS_ELDERLY))
        if customer.risk_level is None and (mentions or INVESTMENT_WORDS.search(normalized_text)):
            start, end = (mentions[0].start, mentions[0].end) if mentions else (0, 0)
            issues.append(SuitabilityIssue(
                "suitability.unknown_risk_level", "warn", start, end,
                "客户尚未完成风险承受能力评估（或评估已失效），无法判断产品是否适合。",
                "请先邀请客户本人完成风险测评，再推荐投资类产品。",
                BASIS_UNKNOWN))
        return issues
