"""The masked customer brief handed to composers and LLM prompts (built from `CustomerProfile`).

Only what a script needs: honorific and masked name, age, tier, risk level, need and behaviour
tags, held products, upcoming events. Never an ID, phone or card number; the advisor's free-text
note is redacted and marked as untrusted data by the prompt templates.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from rm_copilot.compliance.pii import redact_pii

# Asset size, searches, consultations and transaction traces: evidence for need inference, never
# needed to write copy and never said back to the customer.
UNSPOKEN_BEHAVIORS = {"aum_band", "search", "consultation", "transaction"}


def date_text(value: date) -> str:
    return f"{value.month}月{value.day}日"


def event_brief(event: Any, holdings: list[Any]) -> dict[str, Any]:
    product_name = None
    if event.kind == "maturity":
        matching = [h for h in holdings if h.maturity_date == event.date]
        product_name = matching[0].product_name if matching else None
    return {
        "kind": event.kind,
        "label": event.label,
        "date": event.date.isoformat(),
        "date_text": date_text(event.date),
        "days_until": event.days_until,
        "detail": event.detail,
        "product_name": product_name or (event.detail if event.kind == "maturity" else None),
    }


def build_brief(
    profile: Any, *, elderly_age: int = 65, note: str | None = None, names: tuple[str, ...] = ()
) -> dict[str, Any]:
    holdings = list(profile.holdings)
    brief: dict[str, Any] = {
        "name": profile.name,
        "honorific": profile.honorific,
        "age": profile.age,
        "elderly": profile.age >= elderly_age,
        "city": profile.city,
        "occupation": profile.occupation,
        "tier": profile.tier,
        "risk_level": profile.risk_level,
        "risk_assessment_stale": profile.risk_assessment_stale,
        "marketing_consent": profile.marketing_consent,
        "needs": [{"key": t.key, "label": t.label, "stale": t.stale} for t in profile.needs],
        "behaviors": [{"key": t.key, "label": t.label, "value": t.value} for t in profile.behaviors
                      if t.key not in UNSPOKEN_BEHAVIORS],
        "holdings": [
            {
                "product_id": h.product_id,
                "product_name": h.product_name,
                "maturity_date": h.maturity_date.isoformat() if h.maturity_date else None,
            }
            for h in holdings
        ],
        "events": [event_brief(e, holdings) for e in sorted(profile.events, key=lambda e: e.days_until)],
    }
    if note:
        brief["note"] = redact_pii(note, names=names)
    return brief
