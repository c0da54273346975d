"""Read models handed out by the repository. PII is already masked; the ORM never leaves it.

`CustomerProfile` is what prompts and the builtin composer may see: no ID, phone or card number.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from rm_copilot.compliance.pii import mask_card, mask_id_number, mask_name, mask_phone, redact_pii
from rm_copilot.customers import models
from rm_copilot.customers.names import honorific
from rm_copilot.customers.tags import NEED_LABELS, age_on, is_stale, label_for
from rm_copilot.vocabulary import EVENT_LABELS, TAG_LAYERS

# Events this many days old are still a timely reason to call (a large inflow last week).
RECENT_EVENT_DAYS = 7
PROFILE_EVENT_HORIZON_DAYS = 90


class _View(BaseModel):
    model_config = ConfigDict(frozen=True)


class TagView(_View):
    layer: str
    key: str
    value: str
    label: str
    source: str
    updated_at: datetime
    stale: bool


class HoldingView(_View):
    product_id: str
    product_name: str
    amount_band: str
    start_date: date | None = None
    maturity_date: date | None = None


class EventView(_View):
    kind: str
    label: str
    date: date
    detail: str
    days_until: int


class AdvisorView(_View):
    id: str
    name: str
    wecom_userid: str | None = None


class CustomerView(_View):
    id: str
    advisor_id: str
    name: str
    gender: str
    age: int
    city: str
    occupation: str
    tier: str
    risk_level: str | None
    risk_assessed_at: date | None
    risk_assessment_stale: bool
    marketing_consent: bool
    external_userid: str | None = None
    phone: str
    id_number: str
    card_number: str | None
    note: str | None
    tags: dict[str, list[TagView]]
    holdings: list[HoldingView]
    events: list[EventView]

    def summary(self) -> dict[str, Any]:
        """The `customers list --json` object (DESIGN.md §4)."""
        return self.model_dump(
            mode="json",
            include={"id", "advisor_id", "name", "age", "risk_level", "tier", "tags", "events"},
        )

    def tag_values(self, layer: str, key: str) -> list[str]:
        return [tag.value for tag in self.tags.get(layer, []) if tag.key == key]


class CustomerProfile(_View):
    """A customer as a prompt may describe them: masked name and honorific, never ID/phone/card."""

    customer_id: str
    name: str
    honorific: str
    gender: str
    age: int
    city: str
    occupation: str
    tier: str
    risk_level: str | None
    risk_assessment_stale: bool
    marketing_consent: bool
    needs: list[TagView]
    behaviors: list[TagView]
    holdings: list[HoldingView]
    events: list[EventView]

    @property
    def need_keys(self) -> list[str]:
        return [tag.key for tag in self.needs]

    @property
    def need_labels(self) -> list[str]:
        return [NEED_LABELS.get(tag.key, tag.label) for tag in self.needs]


class UpcomingEvent(_View):
    customer_id: str
    name: str
    event: EventView


def tag_view(tag: models.CustomerTag | Any, today: date) -> TagView:
    return TagView(
        layer=tag.layer, key=tag.key, value=tag.value, label=label_for(tag.key),
        source=tag.source, updated_at=tag.updated_at, stale=is_stale(tag.key, tag.updated_at, today),
    )


def holding_view(holding: models.Holding | Any) -> HoldingView:
    return HoldingView(
        product_id=holding.product_id, product_name=holding.product_name,
        amount_band=holding.amount_band, start_date=holding.start_date,
        maturity_date=holding.maturity_date,
    )


def event_view(event: models.CustomerEvent | Any, today: date) -> EventView:
    return EventView(
        kind=event.kind, label=EVENT_LABELS.get(event.kind, event.kind), date=event.event_date,
        detail=redact_pii(event.detail), days_until=(event.event_date - today).days,
    )


def advisor_view(advisor: models.Advisor) -> AdvisorView:
    return AdvisorView(id=advisor.id, name=advisor.name, wecom_userid=advisor.wecom_userid)


def _tags_by_layer(tags: Iterable[Any], today: date) -> dict[str, list[TagView]]:
    layers: dict[str, list[TagView]] = {layer: [] for layer in TAG_LAYERS}
    for tag in tags:
        layers.setdefault(tag.layer, []).append(tag_view(tag, today))
    return layers


def _risk_stale(customer: models.Customer, today: date) -> bool:
    if customer.risk_level is None or customer.risk_assessed_at is None:
        return True
    return is_stale("risk_level", customer.risk_assessed_at, today)


def customer_view(
    customer: models.Customer,
    today: date,
    children: tuple[Iterable[Any], Iterable[Any], Iterable[Any]] | None = None,
) -> CustomerView:
    """`children` = (tags, holdings, events) rows when loaded in bulk; else the ORM relationships."""
    tags, holdings, events = children or (customer.tags, customer.holdings, customer.events)
    return CustomerView(
        id=customer.id,
        advisor_id=customer.advisor_id,
        name=mask_name(customer.full_name),
        gender=customer.gender,
        age=age_on(customer.birth_date, today),
        city=customer.city,
        occupation=customer.occupation,
        tier=customer.tier,
        risk_level=customer.risk_level,
        risk_assessed_at=customer.risk_assessed_at,
        risk_assessment_stale=_risk_stale(customer, today),
        marketing_consent=customer.marketing_consent,
        external_userid=customer.external_userid,
        phone=mask_phone(customer.phone),
        id_number=mask_id_number(customer.id_number),
        card_number=mask_card(customer.card_number) if customer.card_number else None,
        note=redact_pii(customer.note, names=(customer.full_name,)) if customer.note else None,
        tags=_tags_by_layer(tags, today),
        holdings=[holding_view(h) for h in holdings],
        events=[event_view(e, today) for e in events],
    )


def customer_profile(
    customer: models.Customer,
    today: date,
    children: tuple[Iterable[Any], Iterable[Any], Iterable[Any]] | None = None,
) -> CustomerProfile:
    """`children` as in `customer_view`."""
    tag_rows, holding_rows, event_rows = children or (customer.tags, customer.holdings, customer.events)
    tags = _tags_by_layer(tag_rows, today)
    events = [
        event_view(e, today) for e in event_rows
        if -RECENT_EVENT_DAYS <= (e.event_date - today).days <= PROFILE_EVENT_HORIZON_DAYS
    ]
    return CustomerProfile(
        customer_id=customer.id,
        name=mask_name(customer.full_name),
        honorific=honorific(customer.full_name, customer.gender),
        gender=customer.gender,
        age=age_on(customer.birth_date, today),
        city=customer.city,
        occupation=customer.occupation,
        tier=customer.tier,
        risk_level=customer.risk_level,
        risk_assessment_stale=_risk_stale(customer, today),
        marketing_consent=customer.marketing_consent,
        needs=tags["need"],
        behaviors=tags["behavior"],
        holdings=[holding_view(h) for h in holding_rows],
        events=events,
    )
