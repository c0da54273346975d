"""Explainable need inference: weighted rules from YAML over a customer's behaviour traces.

Input is the behaviour layer (searches, consultations, transactions, spending), life events,
holdings and age — never the entered need tags, which stay apart and win. Each inferred need
carries its confidence and the evidence (the traces that raised it).
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from rm_copilot.customers.tags import AUM_BANDS, NEED_LABELS, age_on

INFERRED_SOURCE = "模型推断"
TRACE_KINDS = ("search", "consultation", "transaction", "spending")
EVIDENCE_LABELS = {"search": "搜索“{}”", "consultation": "{}", "transaction": "交易：{}", "spending": "消费：{}",
                   "life_event": "事件：{}"}


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WordRule(_Rule):
    words: tuple[str, ...]
    weight: float = Field(gt=0)
    max: int = Field(default=1, ge=1)


class AgeRule(_Rule):
    min: int
    max: int
    weight: float = Field(gt=0)


class AumRule(_Rule):
    min_band: str
    weight: float = Field(gt=0)


class NeedRules(_Rule):
    search: WordRule | None = None
    consultation: WordRule | None = None
    transaction: WordRule | None = None
    spending: WordRule | None = None
    life_event: WordRule | None = None
    holding: float | None = Field(default=None, gt=0)
    age: AgeRule | None = None
    aum: AumRule | None = None


class NeedModel(_Rule):
    version: str
    scale: float = Field(gt=0)
    min_confidence: float = Field(ge=0, le=1)
    needs: dict[str, NeedRules]

    def model_post_init(self, _context: Any) -> None:
        unknown = set(self.needs) - set(NEED_LABELS)
        if unknown:
            raise ValueError(f"needs.yaml: unknown needs {sorted(unknown)}")


@dataclass(frozen=True)
class Signals:
    """What inference reads about one customer."""

    traces: tuple[tuple[str, str], ...]     # (kind, value) behaviour tags
    life_events: tuple[str, ...] = ()
    held_needs: frozenset[str] = frozenset()
    age: int | None = None
    aum_band: str | None = None


@dataclass(frozen=True)
class Inference:
    key: str
    confidence: float
    evidence: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return NEED_LABELS[self.key]

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "confidence": round(self.confidence, 3),
                "evidence": self.evidence, "source": INFERRED_SOURCE}


def load_need_model(path: Path) -> NeedModel:
    with path.open(encoding="utf-8") as handle:
        return NeedModel.model_validate(yaml.safe_load(handle))


class NeedScorer:
    def __init__(self, model: NeedModel, product_needs: dict[str, tuple[str, ...]] | None = None):
        self.model = model
        self.product_needs = product_needs or {}

    def infer(self, signals: Signals) -> list[Inference]:
        found = []
        for key, rules in self.model.needs.items():
            score, evidence = self._score(rules, key, signals)
            confidence = 1 - math.exp(-score / self.model.scale)
            if confidence >= self.model.min_confidence:
                found.append(Inference(key, confidence, evidence))
        return sorted(found, key=lambda i: (-i.confidence, i.key))

    def _score(self, rules: NeedRules, key: str, signals: Signals) -> tuple[float, list[str]]:
        score, evidence = 0.0, []
        for kind in TRACE_KINDS:
            rule: WordRule | None = getattr(rules, kind)
            if rule is None:
                continue
            hits = [value for k, value in signals.traces if k == kind and any(w in value for w in rule.words)]
            for value in hits[: rule.max]:
                score += rule.weight
                evidence.append(EVIDENCE_LABELS[kind].format(value))
        if rules.life_event:
            hits = [d for d in signals.life_events if any(w in d for w in rules.life_event.words)]
            if hits:
                score += rules.life_event.weight
                evidence.append(EVIDENCE_LABELS["life_event"].format(hits[0]))
        if rules.holding and key in signals.held_needs:
            score += rules.holding
            evidence.append("持有服务该需求的产品")
        if rules.age and signals.age is not None and rules.age.min <= signals.age <= rules.age.max:
            score += rules.age.weight
            evidence.append(f"年龄{signals.age}岁")
        if rules.aum and signals.aum_band in AUM_BANDS and \
                AUM_BANDS.index(signals.aum_band) >= AUM_BANDS.index(rules.aum.min_band):
            score += rules.aum.weight
            evidence.append(f"资产规模{signals.aum_band}")
        return score, evidence

    # signal builders ------------------------------------------------------------------------

    def held_needs(self, product_ids: Iterable[str]) -> frozenset[str]:
        return frozenset(n for pid in product_ids for n in self.product_needs.get(pid, ()))

    def signals_from_row(self, row: dict[str, Any], today: date) -> Signals:
        """From an import/generator row (tags, holdings, events, birth date)."""
        tags = [t for t in row.get("tags", []) if t["layer"] == "behavior"]
        birth = row.get("birth_date")
        return Signals(
            traces=tuple((t["key"], t["value"]) for t in tags if t["key"] in (*TRACE_KINDS,)),
            life_events=tuple(e.get("detail") or "" for e in row.get("events", []) if e["kind"] == "life_event"),
            held_needs=self.held_needs(h["product_id"] for h in row.get("holdings", [])),
            age=age_on(date.fromisoformat(birth), today) if birth else None,
            aum_band=next((t["value"] for t in tags if t["key"] == "aum_band"), None),
        )

    def signals_from_view(self, view: Any) -> Signals:
        """From a stored customer's masked view."""
        tags = view.tags.get("behavior", [])
        return Signals(
            traces=tuple((t.key, t.value) for t in tags if t.key in TRACE_KINDS),
            life_events=tuple(e.detail for e in view.events if e.kind == "life_event"),
            held_needs=self.held_needs(h.product_id for h in view.holdings),
            age=view.age,
            aum_band=next((t.value for t in tags if t.key == "aum_band"), None),
        )


def need_scorer(knowledge_base: Path, catalog: Any) -> NeedScorer:
    """The scorer of a knowledge base (`marketing/needs.yaml`) over a catalog's products' needs."""
    model = load_need_model(knowledge_base / "marketing" / "needs.yaml")
    return NeedScorer(model, {p.id: tuple(p.needs) for p in catalog.all()})
