"""Recommendations for a need the question describes ("C2客户有10万一年内不用…推荐什么？").

The customer's risk level and age are read from the question (C1–C5 or the questionnaire's type
names, "70岁"). Candidates are the suitable on-sale products (R ≤ C, 65+ never R4/R5); they are
ranked by how strongly retrieval ties the described need to each product's documents, and a product
type the question names restricts them. The need itself narrows them too: "稳一点" keeps R1–R2,
"不想冒风险" R1; what the customer moves away from ("收益比定期高") is not offered again, and a
product whose stated return is above that product's rate comes first. Without a stated level only
R1 products are offered, unless the need allows more: then each product above R1 is offered with the
assessment it requires (R2 → C2及以上), which the advisor confirms before recommending it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rm_copilot.assistant.recommend import CREDIT_TYPES, suitability_issue
from rm_copilot.knowledge.products import Product, ProductCatalog

_LEVEL = re.compile(r"[Cc]([1-5])")
_LEVEL_NAMES = {"保守型": 1, "谨慎型": 2, "稳健型": 2, "平衡型": 3, "成长型": 4, "进取型": 5, "激进型": 5}
_AGE = re.compile(r"(\d{2,3})\s*(?:岁|周岁)")
_TYPE_WORDS = {"理财": "wealth", "基金": "fund", "定投": "fund", "保险": "insurance", "险": "insurance",
               "保障": "insurance", "存款": "deposit", "存单": "deposit", "贷款": "loan", "信用卡": "card", "卡": "card"}
_AVOIDS_RISK = re.compile(r"不想(?:冒|承担|有)(?:投资)?风险|不能亏|不想亏|保守|本金(?:要|安全|稳)")
_STEADY = re.compile(r"稳一点|稳一些|稳点|稳妥|稳当|求稳|稳的|稳健一点|低风险|风险(?:低|小)|波动小")
# "收益比定期高", "想比活期好点": the product (type) the customer moves away from, and its words
_ABOVE = re.compile(r"(?:比|超过|跑赢|高于)(?P<what>[\u4e00-\u9fff]{1,6}?)(?:的)?(?:收益|利息|利率|回报)?(?:再|更)?(?:高|好|多)")
_AWAY_TYPES = {"定期": "deposit", "活期": "deposit", "存款": "deposit", "存单": "deposit", "储蓄": "deposit",
               "理财": "wealth", "基金": "fund", "货基": "fund", "余额宝": "fund"}
SEARCH_DEPTH = 30
_CREDIT_NEED = re.compile(r"贷|借|周转|分期|刷卡|消费|装修|买房|购房|首付|额度|出国|境外|旅游|旅行|出行")


@dataclass(frozen=True)
class DescribedCustomer:
    risk_level: str | None
    age: int | None
    types: frozenset[str]
    avoids_risk: bool
    ceiling: int | None = None  # the highest product risk the need allows (稳一点 → 2), None: not said
    away_from: str | None = None  # the words of what the customer moves away from ("定期")
    away_type: str | None = None  # its product type, never offered again ("deposit")
    amount: float | None = None  # the money to place, in yuan ("10W", "五十万"), None: not said
    horizon_days: int | None = None  # how long the money stays unused ("三个月左右不用" → 90), None: not said

    def brief(self) -> dict[str, Any]:
        return {"risk_level": self.risk_level, "age": self.age or 0, "risk_assessment_stale": False,
                "needs": [], "behaviors": [], "events": [], "holdings": []}

    def describe(self) -> str:
        parts = []
        if self.age:
            parts.append(f"{self.age}岁")
        if self.risk_level:
            parts.append(f"风险承受能力{self.risk_level}")
        if self.amount:
            parts.append(f"资金约{self.amount / 10000:g}万元")
        if self.horizon_days:
            parts.append(f"约{self.horizon_days}天内不动用")
        elif self.unassessed_limit > 1:
            parts.append("未说明风险测评等级：R1产品可直接介绍，其余须先确认客户的有效测评等级")
        else:
            parts.append("未说明风险测评等级（仅列R1产品）")
        return "，".join(parts)

    @property
    def unassessed_limit(self) -> int:
        """Without a stated level: R1, or the level the need allows, each offered with its required assessment."""
        return self.ceiling or 1 if not self.risk_level else 0



def describe_customer(question: str) -> DescribedCustomer:
    level = None
    if match := _LEVEL.search(question):
        level = int(match.group(1))
    else:
        level = next((rank for name, rank in _LEVEL_NAMES.items() if name in question), None)
    age_match = _AGE.search(question)
    types = frozenset(t for word, t in _TYPE_WORDS.items() if word in question and _names_type(question, word))
    need = _LEVEL_WORDS.sub(" ", question)
    avoids = bool(_AVOIDS_RISK.search(need))
    ceiling = 1 if avoids else 2 if _STEADY.search(need) else None
    away_from, away_type = None, None
    if (above := _ABOVE.search(need)) is not None:
        away_from = above.group("what")
        away_type = next((t for word, t in _AWAY_TYPES.items() if word in away_from), None)
    types = frozenset(t for t in types if t != away_type)
    age = int(age_match.group(1)) if age_match else None
    if age is None and (born := _BORN.search(question)):
        age = clock_year() - int(born.group(1))
    return DescribedCustomer(f"C{level}" if level else None, age, types, avoids, ceiling, away_from, away_type,
                             stated_amount(question), stated_horizon(question))


_BORN = re.compile(r"((?:19|20)\d{2})年出生")
_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
              "半": 0.5}
_NUMBER = r"\d+(?:\.\d+)?|[一二两三四五六七八九十半]+"
_AMOUNT = re.compile(rf"(?P<before>[\u4e00-\u9fff]{{0,4}}?)(?P<n>{_NUMBER})\s*(?:万|[wW](?![a-zA-Z]))")
_NOT_PLACED = ("收入", "年薪", "工资", "资产", "额度", "装修", "贷", "借", "周转", "保额")  # money that is not placed
_SPAN = re.compile(rf"(?P<n>{_NUMBER})\s*(?:个)?(?P<unit>天|周|星期|月|年)(?:到(?:{_NUMBER})\s*(?:个)?(?:天|周|星期|月|年))?"
                   r"(?P<after>内|以上|左右|后|之内)?")
_UNIT_DAYS = {"天": 1, "周": 7, "星期": 7, "月": 30, "年": 365}
_UNUSED = re.compile(r"不用|不动|闲|要用|要付|用钱|上学|上初中|上高中|上大学|攒|储备|到期")


def _number(text: str) -> float | None:
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    if text == "十":
        return 10.0
    if len(text) == 2 and text[0] == "十":  # 十二
        return 10 + _CN_DIGITS.get(text[1], 0)
    if len(text) == 2 and text[1] == "十":  # 五十
        return _CN_DIGITS.get(text[0], 0) * 10.0
    if len(text) == 3 and text[1] == "十":  # 五十五
        return _CN_DIGITS.get(text[0], 0) * 10.0 + _CN_DIGITS.get(text[2], 0)
    return float(_CN_DIGITS[text]) if text in _CN_DIGITS else None


def stated_amount(question: str) -> float | None:
    """The smallest sum the customer has to place ("10W闲钱", "五十万卖房款"); incomes, assets and loans excluded."""
    amounts = [value * 10000 for m in _AMOUNT.finditer(question)
               if not any(word in m.group("before") for word in _NOT_PLACED) and (value := _number(m.group("n")))]
    return min(amounts) if amounts else None


def stated_horizon(question: str) -> int | None:
    """How many days the money stays unused, from a span said with its use ("一年内不用", "孩子3年后上初中")."""
    for match in _SPAN.finditer(question):
        tail = question[match.end():match.end() + 10]
        value = _number(match.group("n"))
        if value and (match.group("after") or _UNUSED.search(tail)) and _UNUSED.search(question[match.start():]):
            before = question[max(0, match.start() - 2):match.start()]
            if "经营" in before or "满" in before:
                continue  # "经营5年": how long the business runs, not how long money waits
            return int(value * _UNIT_DAYS[match.group("unit")])
    return None


_PROTECTION = re.compile(r"保险|保障|医疗|重疾|大病|意外|养老|传承|受益人|年金|身故")
# "不想开个人养老金账户", "没有个人养老金账户": a condition the customer will not meet
_REFUSED = re.compile(r"(?:不想|不要|不愿意?|不打算|没有|没)(?:开|办|用|开立|办理)?(?:个)?(?P<what>[\u4e00-\u9fff]{4,10}?)(?:[，,。；;]|$)")


def _requires(product: Product, what: str) -> bool:
    """The product is bought only through what the customer will not have ("须通过个人养老金资金账户购买")."""
    condition = " ".join(t for t in (product.min_amount_text, product.term) if t)
    if not re.search(r"须|只能|仅限|仅向", condition):
        return False
    pairs = {what[i:i + 2] for i in range(len(what) - 1)}
    return bool(pairs) and sum(pair in condition for pair in pairs) >= 0.6 * len(pairs)


_OPEN_ENDED = re.compile(r"无固定期限|开放式|不约定存期")
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(?:个)?(天|周|月|年)")


def lock_up_days(product: Product) -> int | None:
    """How long money placed in the product is tied up: its shortest term or holding period in days.

    Open-ended products count their notice ("提前7天通知") or nothing; insurance and credit are not placements.
    """
    if product.type not in ("deposit", "wealth", "fund"):
        return None
    term = product.term or ""
    if _OPEN_ENDED.search(term):
        notice = re.search(r"提前(\d+)天", term)
        return int(notice.group(1)) if notice else 0
    days = [float(n) * _UNIT_DAYS[unit] for n, unit in _DURATION.findall(term) if float(n) < 1000]
    return int(min(days)) if days else None


def clock_year() -> int:
    from rm_copilot.clock import utc_now

    return utc_now().year


_LEVEL_WORDS = re.compile(r"(?:风险)?(?:保守|谨慎|稳健|平衡|成长|进取|激进)型")


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
    if not customer.risk_level and customer.unassessed_limit > 1:
        brief["risk_level"] = f"C{customer.unassessed_limit}"  # offered with the assessment each requires
    suitable = [p for p in catalog.all() if suitability_issue(p, brief, elderly_age) is None]
    if customer.ceiling:
        suitable = [p for p in suitable if p.risk_rank <= customer.ceiling] or suitable
    if customer.away_type:
        suitable = [p for p in suitable if p.type != customer.away_type] or suitable
    if customer.amount:
        suitable = [p for p in suitable if p.min_amount <= customer.amount] or suitable
    if customer.horizon_days and not customer.types and not _PROTECTION.search(question):
        suitable = [p for p in suitable if p.type != "insurance"]  # money to place for a while: not a policy
    if (refused := _REFUSED.search(question)) is not None:
        suitable = [p for p in suitable if not _requires(p, refused.group("what"))] or suitable
    if customer.horizon_days:
        suitable = [p for p in suitable if (lock := lock_up_days(p)) is None or lock <= customer.horizon_days] \
            or suitable
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
    reference = _reference_rate(customer, catalog)
    above = {p.id for p in suitable if reference is not None and (low := lowest_return(p)) is not None
             and low > reference}
    ranked = sorted(scores.items(), key=lambda item: (item[0] not in above, -item[1]))
    return [(catalog.get(pid), score) for pid, score in ranked[:limit]]


_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%")


def lowest_return(product: Product) -> float | None:
    """The lowest return the product's front matter states (业绩比较基准 or 利率), in percent."""
    values = [float(v) for v in _PERCENT.findall(product.benchmark or product.rate or "")]
    return min(values) if values else None


def _reference_rate(customer: DescribedCustomer, catalog: ProductCatalog) -> float | None:
    """The best rate of the product the customer moves away from ("定期" → 星河整存整取定期存款's rates)."""
    if not customer.away_from:
        return None
    rates = [float(v) for p in catalog.all() if p.type == customer.away_type
             and any(customer.away_from in tag for tag in [p.name, *p.tags_match])
             for v in _PERCENT.findall(p.rate or p.benchmark or "")]
    return max(rates) if rates else None


_DESCRIPTION = re.compile(r"[Cc][1-5]|\d{2,3}\s*(?:岁|周岁)|测评(?:是|为)?|(?:风险)?(?:保守|谨慎|稳健|平衡|进取|激进)型|客户")


def need_text(question: str) -> str:
    """The need alone: the customer's level, age and the word 客户 say nothing about which product fits."""
    return _DESCRIPTION.sub(" ", question).strip()
