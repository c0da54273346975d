"""Today's opportunities: trigger hits ranked by urgency × value × fit, each with a one-tap script plan.

The product, when one applies, is chosen under the assistant's suitability rule (R ≤ C, 65+ no
R4/R5, no valid assessment → R1 only). A customer without marketing consent keeps the opportunity,
marked face-to-face only.
"""
from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date
from typing import Any

from rm_copilot.assistant.recommend import INFLOW_TYPES, Recommendation, recommend
from rm_copilot.assistant.scripts import CARE_TYPES
from rm_copilot.marketing.opportunity_config import TRIGGER_LABELS, OpportunityConfig
from rm_copilot.marketing.triggers import CustomerFacts, TriggerDetector, TriggerHit

NO_CONSENT_NOTE = "客户未授权营销：仅可当面沟通，请勿通过企业微信或短信主动发送"
SHORTLIST = 5  # the script writer's own shortlist when it picks a product by itself
MONEY_TRIGGERS = ("large_inflow", "idle_balance", "risk_assessment")  # money to place: never a card or loan


@dataclass(frozen=True)
class Opportunity:
    customer_id: str
    name: str
    trigger: str
    reason: str
    score: float
    scenario: str
    product_id: str | None
    product_name: str | None
    fingerprint: str
    due_date: date | None
    urgency: float
    value: float
    fit: float
    face_to_face_only: bool

    @property
    def id(self) -> str:
        return f"{self.customer_id}:{self.trigger}:{self.fingerprint[:12]}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "customer_id": self.customer_id, "name": self.name, "trigger": self.trigger,
            "trigger_label": TRIGGER_LABELS[self.trigger], "reason": self.reason, "score": round(self.score, 3),
            "scenario": self.scenario, "product_id": self.product_id, "product_name": self.product_name,
            "due_date": self.due_date.isoformat() if self.due_date else None,
            "urgency": round(self.urgency, 3), "value": round(self.value, 3), "fit": round(self.fit, 3),
            "contact": "face_to_face" if self.face_to_face_only else "any",
            "face_to_face_only": self.face_to_face_only, "fingerprint": self.fingerprint,
        }


class OpportunityEngine:
    def __init__(self, config: OpportunityConfig, catalog: Any, *, elderly_age: int = 65):
        self.config = config
        self.catalog = catalog
        self.detector = TriggerDetector(config, catalog)
        self.elderly_age = elderly_age

    def for_customers(self, customers: Iterable[tuple[CustomerFacts, dict[str, Any]]], today: date,
                      dismissed: AbstractSet[str] = frozenset()) -> list[Opportunity]:
        """Ranked opportunities of these customers (facts, brief), dismissed fingerprints left out."""
        found: list[Opportunity] = []
        for facts, brief in customers:
            hits = [h for h in self.detector.detect(facts, today) if h.fingerprint not in dismissed]
            if not hits:
                continue
            # Suitable products ranked once per customer (suitability first: R ≤ C, 65+, R1 only without a valid test).
            ranked = recommend(brief, self.catalog, limit=len(self.catalog.all()), elderly_age=self.elderly_age)
            mine = [self._opportunity(facts.view, hit, _product(ranked, hit)) for hit in hits]
            mine.sort(key=_order)
            found.extend(mine[: self.config.max_per_customer])
        found.sort(key=_order)
        return found[: self.config.max_total]

    def _opportunity(self, view: Any, hit: TriggerHit, product: Any) -> Opportunity:
        value = self._value(view)
        fit = self.config.fit.with_product if product is not None else self.config.fit.without_product
        consent = bool(view.marketing_consent)
        reason = hit.reason
        if product is not None:
            reason += f"；可结合{product.name}（{product.risk_level}）沟通"
        if not consent:
            fit *= self.config.fit.no_consent
            reason += f"。{NO_CONSENT_NOTE}"
        return Opportunity(
            customer_id=view.id, name=view.name, trigger=hit.trigger, reason=reason,
            score=hit.urgency * value * fit, scenario=hit.scenario,
            product_id=product.id if product else None, product_name=product.name if product else None,
            fingerprint=hit.fingerprint, due_date=hit.due_date, urgency=hit.urgency, value=value, fit=fit,
            face_to_face_only=not consent,
        )


    def _value(self, view: Any) -> float:
        weights = self.config.value
        aum = next((t.value for t in view.tags.get("behavior", []) if t.key == "aum_band"), None)
        return weights.tier.get(view.tier, 1.0) * (weights.aum_band.get(aum, 1.0) if aum is not None else 1.0)


def _product(ranked: list[Recommendation], hit: TriggerHit) -> Any:
    """The product a one-tap script would use: the script writer's choice rule on the same ranking."""
    if hit.trigger == "need_gap":
        return next((r.product for r in ranked if hit.need in r.product.needs), None)
    if hit.trigger in MONEY_TRIGGERS:
        return next((r.product for r in ranked if r.product.type in INFLOW_TYPES), None)
    shortlist = ranked[:SHORTLIST]
    if not shortlist:
        return None  # nothing suitable on sale: the call is still worth making
    if hit.scenario != "product":
        shortlist = [r for r in shortlist if r.product.type in CARE_TYPES] or shortlist
    if hit.scenario == "maturity":
        return next((r for r in shortlist if r.event and r.event["kind"] == "maturity"), shortlist[0]).product
    if hit.scenario == "care":
        return min(shortlist[:3], key=lambda r: r.product.risk_rank).product
    return shortlist[0].product


def _order(opportunity: Opportunity) -> tuple[float, str, str]:
    return (-opportunity.score, opportunity.customer_id, opportunity.trigger)
