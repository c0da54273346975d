"""Simulated A/B outcomes (for the report's and the bandit's acceptance checks and the demo).

Each send issues a script of the given variant to one of the customers and records `sent`; a
conversion (drawn with the variant's rate) adds `replied`. Rows go through the same stores as
real outcomes.
"""
from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from rm_copilot.marketing.outcomes import OutcomeStore
from rm_copilot.marketing.script_log import ScriptLog


def simulate_ab(
    script_log: ScriptLog, outcomes: OutcomeStore, *, customers: Sequence[tuple[str, str]],
    rates: dict[int, float], sends: int, scenario: str = "product", channel: str = "wecom",
    segment: str = "财富", product_id: str | None = None, rng: random.Random | None = None,
) -> dict[int, tuple[int, int]]:
    """`sends` contacts split evenly over `rates`' variants; `customers` are (customer_id, advisor_id)."""
    rng = rng or random.Random(0)
    variants = sorted(rates)
    rows: list[dict[str, Any]] = []
    counts = {v: [0, 0] for v in variants}
    for number in range(sends):
        variant = variants[number % len(variants)]
        customer_id, advisor_id = customers[number % len(customers)]
        script_id = script_log.issue(
            advisor_id=advisor_id, customer_id=customer_id, product_id=product_id, scenario=scenario,
            channel=channel, variant=variant, segment=segment, verdict="pass", text=f"simulated send {number}",
        )
        base = {"advisor_id": advisor_id, "customer_id": customer_id, "script_id": script_id, "variant": variant,
                "scenario": scenario, "channel": channel, "segment": segment, "product_id": product_id,
                "verdict": "pass", "source": "simulation"}
        rows.append({**base, "kind": "sent"})
        counts[variant][0] += 1
        if rng.random() < rates[variant]:
            rows.append({**base, "kind": "replied"})
            counts[variant][1] += 1
    outcomes.add_many(rows)
    return {v: (n, s) for v, (n, s) in counts.items()}
