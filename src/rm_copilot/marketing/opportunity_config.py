"""The validated shape of knowledge_base/marketing/opportunities.yaml (triggers, weights, market)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from rm_copilot.customers.tags import AUM_BANDS
from rm_copilot.marketing.settings import load_yaml
from rm_copilot.vocabulary import EVENT_LABELS

TRIGGERS = ("maturity", "birthday", "large_inflow", "idle_balance", "risk_assessment", "need_gap", "care")
TRIGGER_LABELS = {  # the events' own labels, and those of the triggers that are not events
    **{kind: EVENT_LABELS[kind] for kind in ("maturity", "birthday", "large_inflow")},
    "idle_balance": "资金闲置", "risk_assessment": "风险测评到期", "need_gap": "需求未覆盖", "care": "波动关怀",
}


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TriggerConfig(_Config):
    weight: float = Field(gt=0)
    scenario: str
    window_days: int = Field(default=30, ge=0)
    closeness_boost: float = Field(default=0.0, ge=0)
    product_types: tuple[str, ...] = ()
    min_aum_band: str | None = None
    idle_ratio: float = Field(default=0.3, gt=0, le=1)
    expiring_within_days: int = Field(default=30, ge=0)
    validity_days: int = Field(default=365, ge=1)
    min_confidence: float = Field(default=0.6, ge=0, le=1)


class MarketDown(_Config):
    as_of: date
    products: dict[str, str]


class ValueWeights(_Config):
    tier: dict[str, float]
    aum_band: dict[str, float]


class FitWeights(_Config):
    with_product: float = 1.0
    without_product: float = 0.7
    no_consent: float = 0.8


class OpportunityConfig(_Config):
    version: str
    triggers: dict[str, TriggerConfig]
    anxious_words: tuple[str, ...]
    market_down: MarketDown
    value: ValueWeights
    fit: FitWeights
    max_per_customer: int = Field(default=3, ge=1)
    max_total: int = Field(default=200, ge=1)

    def model_post_init(self, _context: object) -> None:
        unknown = set(self.triggers) - set(TRIGGERS)
        if unknown:
            raise ValueError(f"opportunities.yaml: unknown triggers {sorted(unknown)}")
        bands = set(self.value.aum_band) - set(AUM_BANDS)
        idle = self.triggers.get("idle_balance")
        if bands or (idle and idle.min_aum_band and idle.min_aum_band not in AUM_BANDS):
            raise ValueError("opportunities.yaml: asset bands must be those of customers.tags.AUM_BANDS")


def load_opportunity_config(directory: Path) -> OpportunityConfig:
    return OpportunityConfig.model_validate(load_yaml(directory / "opportunities.yaml"))
