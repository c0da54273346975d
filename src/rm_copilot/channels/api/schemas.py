"""Request and response models of the HTTP API (DESIGN.md §5). Field names are the contract.

Answers that show a read model (customers, events, products, advisors, sessions) are derived from it by
subclassing, so a field added to a view reaches the API; only datetimes (RFC 3339, with the zone) and
the message citations are retyped. The customer list is the contract's projection of the customer view.
"""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from rm_copilot.assistant.sessions import MessageView, SessionView
from rm_copilot.clock import as_utc
from rm_copilot.customers.views import AdvisorView, CustomerView, EventView, HoldingView, TagView, UpcomingEvent
from rm_copilot.knowledge.products import Product
from rm_copilot.vocabulary import Channel, ProductType, Scenario, Verdict

ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
MAX_MESSAGE = 2000
MAX_CHECK_TEXT = 20000


# The store keeps naive UTC; answers carry the zone so they are RFC 3339 date-times.
UtcDateTime = Annotated[datetime, AfterValidator(as_utc)]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("内容不能为空")
    return value


class ErrorResponse(BaseModel):
    detail: str


# --- compliance -----------------------------------------------------------------------------

class FindingOut(BaseModel):
    # Findings may carry explanation keys beyond the contract's (evasion read, score, nearest example).
    model_config = ConfigDict(extra="allow")

    rule_id: str
    category: str
    severity: Literal["block", "rewrite", "warn"]
    start: int
    end: int
    matched: str
    message: str
    suggestion: str
    basis: str = ""
    pattern: str = ""


class ComplianceSummary(BaseModel):
    verdict: Verdict
    findings: list[FindingOut]


class CheckRequest(_Request):
    text: str = Field(min_length=1, max_length=MAX_CHECK_TEXT, description="待检查的文本")
    product_type: ProductType | None = None
    channel: Channel | None = None
    customer_id: str | None = Field(default=None, pattern=ID_PATTERN)

    _text_not_blank = field_validator("text")(_not_blank)


class CheckResponse(BaseModel):
    """Same object as `rm-copilot check --json`."""

    verdict: Verdict
    text: str
    findings: list[FindingOut]
    rulebook_version: str


# --- chat and scripts ------------------------------------------------------------------------

class Citation(BaseModel):
    source: str
    title: str
    product_id: str | None = None
    chunk_id: str


class ChatRequest(_Request):
    message: str = Field(min_length=1, max_length=MAX_MESSAGE, description="客户经理的问题")
    customer_id: str | None = Field(default=None, pattern=ID_PATTERN)
    session_id: str | None = Field(default=None, pattern=ID_PATTERN)

    _message_not_blank = field_validator("message")(_not_blank)


class ChatResponse(BaseModel):
    session_id: str
    answer: str
    citations: list[Citation]
    compliance: ComplianceSummary
    rewritten_question: str | None = Field(default=None, description="实际检索的问题（追问已结合上文改写）")
    route: str | None = Field(default=None, description="问题类型：fact|list|yesno|compare|recommend|profile|refuse")


class ScriptsRequest(_Request):
    customer_id: str = Field(pattern=ID_PATTERN)
    product_id: str | None = Field(default=None, pattern=ID_PATTERN)
    scenario: Scenario | None = None
    channel: Channel = "tablet"
    variants: int = Field(default=1, ge=1, le=5)


class ScriptOut(BaseModel):
    script_id: str | None = Field(default=None, description="话术编号：记录结果（POST /api/v1/outcomes）时引用")
    text: str
    product_id: str | None
    scenario: str
    channel: str
    variant: int
    reasons: list[str]
    citations: list[Citation]
    compliance: ComplianceSummary
    segments: list[str] | None = Field(default=None, description="短信渠道：按条拆分后的文本")


class ScriptsResponse(BaseModel):
    scripts: list[ScriptOut]


# --- customers -------------------------------------------------------------------------------

class TagOut(TagView):
    updated_at: UtcDateTime


HoldingOut = HoldingView
EventOut = EventView


TagsByLayer = dict[str, list[TagOut]]


class CustomerSummary(BaseModel):
    """One row of the customer list: the `customers list --json` object."""

    id: str
    advisor_id: str
    name: str
    age: int
    risk_level: str | None
    tier: str
    tags: TagsByLayer = Field(description="按层分组：basic 基础、behavior 行为、need 需求")
    events: list[EventOut]


class CustomerDetail(CustomerView):
    """The customer card: every field of the (masked) customer view."""

    # The answer's tags carry the zone on `updated_at` (pydantic re-declares the field; mypy sees a narrowing).
    tags: TagsByLayer = Field(description="按层分组：basic 基础、behavior 行为、need 需求")  # type: ignore[assignment]


class UpcomingEventOut(UpcomingEvent):
    pass


# --- products --------------------------------------------------------------------------------

class ProductOut(Product):
    risk_level: str = Field(pattern=r"^R[1-5]$")


# --- sessions and advisor --------------------------------------------------------------------

class AdvisorOut(AdvisorView):
    pass


class SessionOut(SessionView):
    created_at: UtcDateTime
    updated_at: UtcDateTime


class MessageOut(MessageView):
    citations: list[Citation] | None = None  # type: ignore[assignment]  # the citation objects, typed
    created_at: UtcDateTime


class HealthResponse(BaseModel):
    status: Literal["ok"]


class UnhealthyResponse(BaseModel):
    status: Literal["unavailable"]
    failing: dict[str, str]
    detail: str
