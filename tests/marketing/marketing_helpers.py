"""Helpers shared by the marketing tests."""
from __future__ import annotations

from rm_copilot.services import Services


def own_customer(services: Services, advisor_id: str) -> str:
    return next(services.customers.iter_ids(advisor_id=advisor_id))


def foreign_customer(services: Services, advisor_id: str) -> str:
    other = next(a.id for a in services.customers.advisors() if a.id != advisor_id)
    return next(services.customers.iter_ids(advisor_id=other))
