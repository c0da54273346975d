"""Builds the inferred-need store from the application's services (the composition root's helper)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from rm_copilot.customers.need_inference import NeedScorer, load_need_model
from rm_copilot.customers.need_store import InferredNeedStore

if TYPE_CHECKING:
    from rm_copilot.services import Services


def need_scorer(knowledge_base, catalog) -> NeedScorer:
    model = load_need_model(knowledge_base / "marketing" / "needs.yaml")
    return NeedScorer(model, {p.id: tuple(p.needs) for p in catalog.all()})


def need_store_from_services(services: "Services") -> InferredNeedStore:
    return InferredNeedStore(services.session_factory, need_scorer(services.settings.knowledge_base, services.catalog))
