"""Trigger detection: which situations of one customer, on one day, are worth a call.

Each hit carries a fingerprint of the facts that raised it (which holding matures when, which
birthday, which inflow…): a dismissal is keyed by it, so a dismissed hit comes back only when its
facts change. Reasons are plain Chinese for the advisor; no ID, phone or card number in them.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from rm_copilot.customers.tags import AUM_BANDS, NEED_LABELS
from rm_copilot.marketing.opportunity_config import OpportunityConfig, TriggerConfig

_NUMBER = re.compile(r"(\d+(?:\.\d+)?)万")
INVESTMENT_TYPES = ("wealth", "fund", "deposit", "insurance")


@dataclass(frozen=True)
class TriggerHit:
    trigger: str
    reason: str
    urgency: float
    scenario: str
    fingerprint: str
    due_date: date | None = None
    need: str | None = None
    product_hint: str | None = None  # the held product the hit is about (maturity, care)
    facts: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class CustomerFacts:
    """What trigger detection reads about a customer (from the masked view, plus the birth date)."""

    view: Any
    birth_date: date | None
    inferred_needs: list[Any] = field(default_factory=list)  # objects with key, confidence, evidence


def fingerprint(customer_id: str, trigger: str, *parts: object) -> str:
    raw = "\x1f".join([customer_id, trigger, *(str(p) for p in parts)])
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()


def band_floor(band: str) -> float:
    """Lower bound in 万 of an asset or holding band ("20万-50万" → 20, "5万以下" → 0)."""
    if band.endswith("以下"):
        return 0.0
    numbers = _NUMBER.findall(band)
    return float(numbers[0]) if numbers else 0.0


def date_text(value: date) -> str:
    return f"{value.month}月{value.day}日"


def next_birthday(birth: date, today: date) -> date | None:
    """The next birthday on or after `today` (None past the calendar's end, year 9999)."""
    for year in (today.year, today.year + 1):
        if year > date.max.year:
            return None
        try:
            candidate = birth.replace(year=year)
        except ValueError:  # 29 February in a common year
            candidate = date(year, 3, 1)
        if candidate >= today:
            return candidate
    return None


def _urgency(rule: TriggerConfig, days: int) -> float:
    if rule.window_days <= 0:
        return rule.weight
    closeness = min(1.0, max(0.0, 1 - days / rule.window_days))
    return rule.weight * (1 + rule.closeness_boost * closeness)


class TriggerDetector:
    def __init__(self, config: OpportunityConfig, catalog: Any):
        self.config = config
        self.catalog = catalog

    def detect(self, facts: CustomerFacts, today: date) -> list[TriggerHit]:
        hits: list[TriggerHit] = []
        for name, detect in (("maturity", self._maturity), ("birthday", self._birthday),
                             ("large_inflow", self._inflow), ("idle_balance", self._idle),
                             ("risk_assessment", self._risk), ("need_gap", self._need_gap),
                             ("care", self._care)):
            rule = self.config.triggers.get(name)
            if rule is not None:
                hits.extend(detect(facts, today, rule))
        return hits

    def _type(self, product_id: str) -> str | None:
        try:
            return self.catalog.get(product_id).type
        except Exception:  # a holding of a product no longer in the catalogue
            return None

    def _maturity(self, facts: CustomerFacts, today: date, rule: TriggerConfig) -> Iterable[TriggerHit]:
        view, seen = facts.view, set()
        for holding in view.holdings:
            due = holding.maturity_date
            if due is None or not 0 <= (due - today).days <= rule.window_days:
                continue
            kind = self._type(holding.product_id) or ("deposit" if "存" in holding.product_name else None)
            if rule.product_types and kind not in rule.product_types:
                continue
            seen.add(due)
            days = (due - today).days
            when = "今天" if days == 0 else f"还有{days}天"
            yield TriggerHit(
                "maturity", f"{holding.product_name or '持有产品'}将于{date_text(due)}到期（{when}），"
                f"到期资金需要提前安排去向", _urgency(rule, days), rule.scenario,
                fingerprint(view.id, "maturity", holding.product_id, due), due, product_hint=holding.product_id,
            )
        for event in view.events:  # imported maturities without a holding row
            if event.kind == "maturity" and event.date not in seen and 0 <= (event.date - today).days <= rule.window_days:
                days = (event.date - today).days
                yield TriggerHit(
                    "maturity", f"{event.detail or '产品'}（{date_text(event.date)}，还有{days}天），到期资金需要提前安排去向",
                    _urgency(rule, days), rule.scenario, fingerprint(view.id, "maturity", event.detail, event.date),
                    event.date,
                )

    def _birthday(self, facts: CustomerFacts, today: date, rule: TriggerConfig) -> Iterable[TriggerHit]:
        view = facts.view
        birthday = next_birthday(facts.birth_date, today) if facts.birth_date else None
        if birthday is None:
            birthday = next((e.date for e in view.events if e.kind == "birthday" and e.date >= today), None)
        if birthday is None or (birthday - today).days > rule.window_days:
            return
        days = (birthday - today).days
        when = "今天" if days == 0 else f"{days}天后"
        yield TriggerHit(
            "birthday", f"{date_text(birthday)}是客户生日（{when}），适合致电或当面送上祝福",
            _urgency(rule, days), rule.scenario, fingerprint(view.id, "birthday", birthday), birthday,
        )

    def _inflow(self, facts: CustomerFacts, today: date, rule: TriggerConfig) -> Iterable[TriggerHit]:
        view = facts.view
        for event in view.events:
            ago = (today - event.date).days
            if event.kind == "large_inflow" and 0 <= ago <= rule.window_days:
                detail = f"（{event.detail}）" if event.detail else ""
                yield TriggerHit(
                    "large_inflow", f"{date_text(event.date)}有大额资金入账{detail}，如暂无用款计划可做资金安排",
                    _urgency(rule, ago), rule.scenario, fingerprint(view.id, "large_inflow", event.date, event.detail),
                    event.date,
                )

    def _idle(self, facts: CustomerFacts, today: date, rule: TriggerConfig) -> Iterable[TriggerHit]:
        view = facts.view
        aum = next((t.value for t in view.tags.get("behavior", []) if t.key == "aum_band"), None)
        if aum not in AUM_BANDS or (rule.min_aum_band and AUM_BANDS.index(aum) < AUM_BANDS.index(rule.min_aum_band)):
            return
        invested = [(band_floor(h.amount_band), h.amount_band) for h in view.holdings
                    if (self._type(h.product_id) or "") in INVESTMENT_TYPES]
        largest, band = max(invested, default=(0.0, ""))
        if largest >= rule.idle_ratio * band_floor(aum):
            return
        held = f"理财、存款和保险持仓最大一笔仅在{band}档" if band else "名下没有理财、存款或保险持仓"
        yield TriggerHit(
            "idle_balance", f"资产规模{aum}，{held}，可能有资金闲置，可了解客户的资金安排",
            rule.weight, rule.scenario, fingerprint(view.id, "idle_balance", aum, largest),
        )

    def _risk(self, facts: CustomerFacts, today: date, rule: TriggerConfig) -> Iterable[TriggerHit]:
        view = facts.view
        assessed = view.risk_assessed_at
        if view.risk_level is None or assessed is None:
            yield TriggerHit("risk_assessment", "客户尚未做风险承受能力评估，测评前只能介绍风险等级R1的产品，建议邀请客户完成测评",
                             rule.weight, rule.scenario, fingerprint(view.id, "risk_assessment", "missing"))
            return
        expires = assessed + timedelta(days=rule.validity_days)
        left = (expires - today).days
        if left < 0:
            yield TriggerHit(
                "risk_assessment", f"风险测评已于{date_text(expires)}过期，重新测评前只能介绍风险等级R1的产品，建议邀请客户重新测评",
                rule.weight * (1 + rule.closeness_boost), rule.scenario,
                fingerprint(view.id, "risk_assessment", assessed), expires,
            )
        elif left <= rule.expiring_within_days:
            yield TriggerHit(
                "risk_assessment", f"风险测评将于{date_text(expires)}到期（还有{left}天），到期后只能介绍R1产品，建议提前邀请客户重新测评",
                _urgency(rule, left), rule.scenario, fingerprint(view.id, "risk_assessment", assessed), expires,
            )

    def _need_gap(self, facts: CustomerFacts, today: date, rule: TriggerConfig) -> Iterable[TriggerHit]:
        view = facts.view
        entered = {t.key: t for t in view.tags.get("need", []) if t.key in NEED_LABELS}
        needs: dict[str, str] = {key: f"需求标签（{tag.source}）" for key, tag in entered.items()}
        for need in facts.inferred_needs:  # entered tags win; inferred ones only add new keys
            if need.key not in needs and need.key in NEED_LABELS and need.confidence >= rule.min_confidence:
                evidence = "、".join(need.evidence[:2])
                needs[need.key] = f"模型推断（置信度{need.confidence:.2f}：{evidence}）"
        answered = set()
        for holding in view.holdings:
            try:
                answered.update(self.catalog.get(holding.product_id).needs)
            except Exception:
                continue
        for key, origin in needs.items():
            if key in answered:
                continue
            yield TriggerHit(
                "need_gap", f"{NEED_LABELS[key]}需求尚无对应持仓（依据：{origin}），可了解客户的打算",
                rule.weight, rule.scenario,
                fingerprint(view.id, "need_gap", key, sorted(h.product_id for h in view.holdings)), need=key,
            )

    def _care(self, facts: CustomerFacts, today: date, rule: TriggerConfig) -> Iterable[TriggerHit]:
        view = facts.view
        texts = [t.value for layer in view.tags.values() for t in layer] + [view.note or ""]
        if not any(word in text for word in self.config.anxious_words for text in texts):
            return
        down = self.config.market_down
        for holding in view.holdings:
            change = down.products.get(holding.product_id)
            if change is None:
                continue
            yield TriggerHit(
                "care", f"客户对收益波动较为在意，持有的{holding.product_name or holding.product_id}"
                f"截至{date_text(down.as_of)}较买入时下跌{change.lstrip('-')}，建议先致电安抚、回顾资产配置，不急于推荐新产品",
                rule.weight, rule.scenario, fingerprint(view.id, "care", holding.product_id, down.as_of, change),
                product_hint=holding.product_id,
            )
