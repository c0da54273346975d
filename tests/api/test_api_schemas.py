"""API answers are derived from the read models: a field added to a view reaches the API's schema."""
from __future__ import annotations

import pytest

from api_fakes import FakeServices
from rm_copilot.assistant.sessions import MessageView, SessionView
from rm_copilot.channels.api import create_app, schemas
from rm_copilot.customers.views import AdvisorView, CustomerView, EventView, HoldingView, TagView, UpcomingEvent
from rm_copilot.knowledge.products import Product

DERIVED = [
    (CustomerView, schemas.CustomerDetail),
    (TagView, schemas.TagOut),
    (HoldingView, schemas.HoldingOut),
    (EventView, schemas.EventOut),
    (UpcomingEvent, schemas.UpcomingEventOut),
    (AdvisorView, schemas.AdvisorOut),
    (Product, schemas.ProductOut),
    (SessionView, schemas.SessionOut),
    (MessageView, schemas.MessageOut),
]
# DESIGN.md §4: `customers list --json` (and GET /api/v1/customers) objects
CUSTOMER_LIST_FIELDS = {"id", "advisor_id", "name", "age", "risk_level", "tier", "tags", "events"}


@pytest.mark.parametrize("view, schema", DERIVED, ids=[schema.__name__ for _, schema in DERIVED])
def test_an_answer_schema_has_every_field_of_its_view(view, schema):
    assert issubclass(schema, view)
    assert set(schema.model_fields) == set(view.model_fields)


def test_the_customer_list_is_the_contracts_projection_of_the_customer_view():
    assert set(schemas.CustomerSummary.model_fields) == CUSTOMER_LIST_FIELDS <= set(CustomerView.model_fields)


@pytest.fixture(scope="module")
def openapi() -> dict:
    return create_app(FakeServices(), prepare_on_startup=False).openapi()  # type: ignore[arg-type]


@pytest.mark.parametrize("view, schema", DERIVED, ids=[schema.__name__ for _, schema in DERIVED])
def test_the_published_openapi_schema_lists_every_field_of_the_view(openapi, view, schema):
    components = openapi["components"]["schemas"]
    published = components.get(schema.__name__) or components[f"{schema.__name__}-Output"]
    assert set(view.model_fields) <= set(published["properties"])


def test_answer_datetimes_carry_the_zone():
    from datetime import datetime

    tag = schemas.TagOut(layer="basic", key="city", value="上海", label="城市", source="crm",
                         updated_at=datetime(2026, 1, 2, 3, 4), stale=False)
    assert tag.model_dump(mode="json")["updated_at"] == "2026-01-02T03:04:00Z"
