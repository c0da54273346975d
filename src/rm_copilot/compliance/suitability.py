"""Suitability: products mentioned to a customer must not exceed the customer's risk level.

Also in words alone, without a customer record: a sentence that names a customer's level (C1–C5 or
保守型…进取型) and a higher product level (R1–R5) is a bypass ("您是稳健型，买R5也没关系",
"您是C2，这款R4我给您操作") unless it says the product is not for them (a negation, 超出, 高于,
不匹配: "您是C2，R4的产品不适合您"), asks or reports a question, or defines the scale ("…分为C1至C5五级").
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from rm_copilot.compliance.matcher import ProductMention
from rm_copilot.compliance.models import CustomerContext, Severity

BASIS_MATCH = ("《理财公司理财产品销售管理暂行办法》第二十五条第（一）项；"
               "《证券期货投资者适当性管理办法》第二十二条第（三）项")
BASIS_ELDERLY = ("《银行业金融机构销售专区录音录像管理暂行规定》（2017）及行内老年客户适当性制度"
                 "（条号待核实）")
BASIS_UNKNOWN = "《理财公司理财产品销售管理暂行办法》风险承受能力评估相关条款（条号待核实）"
INVESTMENT_WORDS = re.compile(r"理财|基金|保险|投资|股票|债券|产品")
CUSTOMER_TYPES = {"保守型": 1, "谨慎型": 2, "稳健型": 2, "平衡型": 3, "成长型": 4, "进取型": 5, "激进型": 5}
_CUSTOMER_LEVEL = re.compile(r"(?<![a-z0-9])c([1-5])(?![0-9])|" + "|".join(CUSTOMER_TYPES))
_PRODUCT_LEVEL = re.compile(r"(?<![a-z0-9])r([1-5])(?![0-9])")
_SENTENCE = re.compile(r"[^。!?！？\n]+[。!?！？]?")
# "我的等级是C3，能买R4的吗？": a customer's question; so is one reported ("…买R4产品，问行不行。")
_ASKED = re.compile(r"(吗|么|呢)?[?？]$|吗$|问[^，,。]{0,8}(行不行|能不能|可不可以|可以不可以|行吗|可以吗|能买吗)[。.]?$")
# A clause that defines the scale names every level without giving any to a customer
# ("客户风险承受能力分为C1（保守型）…C5（进取型）五级，产品风险等级分为R1至R5五级").
_DEFINES = re.compile(r"分为|分成|划分为|是指|指的是|定义为")
_CLAUSE = re.compile(r"[^，,；;：:]+")
_NOT_FOR_THEM = re.compile(r"不适合|不匹配|不符合|不能|不可以|不可|不得|不宜|不建议|不推荐|不应|无法|禁止|严禁|"
                           r"别买|勿|超出|超过|高于|只能|仅限|及以下|以下|以内|之内|需要重新|须重新|应重新|不给|没有推荐|没推荐|"
                           r"风险警示|不介绍|不主动|不在[^，,。]{0,8}范围内?[。.!！]?$")
# ...unless the sentence waves the limit away ("R4不在您的范围内也没关系，照样可以买")
_ANYWAY = re.compile(r"也没关系|没关系|没问题|无所谓|不要紧|照样|照买|也可以买|也能买")
BASIS_WORDS = ("《证券期货投资者适当性管理办法》第二十二条；《理财公司理财产品销售管理暂行办法》第二十五条第（一）、（八）项")


@dataclass(frozen=True)
class SuitabilityIssue:
    rule_id: str
    severity: Severity
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
        issues = self._mismatch_in_words(normalized_text)
        if customer is None:
            return issues
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

    @staticmethod
    def _mismatch_in_words(text: str) -> list[SuitabilityIssue]:
        if "r" not in text:
            return []
        issues = []
        for sentence in _SENTENCE.finditer(text):
            body = sentence.group()
            products = list(_PRODUCT_LEVEL.finditer(body))
            customers = [m for clause in _CLAUSE.finditer(body) if not _DEFINES.search(clause.group())
                         for m in _CUSTOMER_LEVEL.finditer(body, clause.start(), clause.end())]
            if not products or not customers or (_NOT_FOR_THEM.search(body) and not _ANYWAY.search(body)) or _ASKED.search(body):
                continue
            clauses = [clause.span() for clause in _CLAUSE.finditer(body)]
            above = [m for m in products if int(m.group(1)) > _level_for(m.start(), customers, clauses)]
            if above:
                start, end = sentence.start() + above[0].start(), sentence.start() + above[0].end()
                issues.append(SuitabilityIssue(
                    "suitability.mismatch_in_words", "block", start, end,
                    f"把{above[0].group().upper()}级产品说给风险承受能力更低的客户，等于绕过适当性管理。",
                    "只推荐风险等级不高于客户风险承受能力的产品；不适合时如实告知“该产品超出您的风险承受能力”。",
                    BASIS_WORDS))
        return issues


def _rank(match: re.Match) -> int:
    return int(match.group(1)) if match.group(1) else CUSTOMER_TYPES[match.group()]


def _level_for(position: int, customers: list[re.Match], clauses: list[tuple[int, int]]) -> int:
    """The customer level a product level at `position` is said of: the one in its own clause
    ("C4成长型客户可以购买R1至R4产品，R5产品只适合C5进取型客户"), else the nearest before it ("您是C2，这款R4
    我给您操作"), else the lowest in the sentence."""
    clause = next(((s, e) for s, e in clauses if s <= position < e), (position, position))
    own = [m for m in customers if clause[0] <= m.start() < clause[1]]
    if own:
        return min(_rank(m) for m in own)
    before = [m for m in customers if m.start() < position]
    return _rank(before[-1]) if before else min(_rank(m) for m in customers)
