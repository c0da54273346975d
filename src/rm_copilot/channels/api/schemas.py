"""Request and response models of the HTTP API (DESIGN.md §5). Field names are the contract."""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from rm_copilot.clock import as_utc
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

class TagOut(BaseModel):
    layer: str
    key: str
    value: str
    label: str
    source: str
    updated_at: UtcDateTime
    stale: bool


class HoldingOut(BaseModel):
    product_id: str
    product_name: str
    amount_band: str
    start_date: date | None = None
    maturity_date: date | None = None


class EventOut(BaseModel):
    kind: str
    label: str
    date: date
    detail: str
    days_until: int


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


class CustomerDetail(CustomerSummary):
    gender: str
    city: str
    occupation: str
    risk_assessed_at: date | None
    risk_assessment_stale: bool
    marketing_consent: bool
    phone: str
    id_number: str
    card_number: str | None
    note: str | None
    holdings: list[HoldingOut]


class UpcomingEventOut(BaseModel):
    customer_id: str
    name: str
    event: EventOut


# --- products --------------------------------------------------------------------------------

class ProductOut(BaseModel):
    id: str
    name: str
    type: ProductType
    risk_level: str = Field(pattern=r"^R[1-5]$")
    doc_id: str
    issuer: str | None = None
    term: str | None = None
    min_amount: float = 0
    min_amount_text: str | None = None
    benchmark: str | None = None
    rate: str | None = None
    fees: str | None = None
    liquidity: str | None = None
    target_customers: list[str] = []
    needs: list[str] = []
    scenes: list[str] = []
    disclosures: list[str] = []
    selling_points: list[str] = []
    risks: list[str] = []
    status: str = "on_sale"


# --- sessions and advisor --------------------------------------------------------------------

class AdvisorOut(BaseModel):
    id: str
    name: str
    wecom_userid: str | None = None


class SessionOut(BaseModel):
    id: str
    customer_id: str | None
    title: str
    created_at: UtcDateTime
    updated_at: UtcDateTime
    message_count: int = 0


class MessageOut(BaseModel):
    role: str
    content: str
    citations: list[Citation] | None = None
    created_at: UtcDateTime


class HealthResponse(BaseModel):
    status: Literal["ok"]


class UnhealthyResponse(BaseModel):
    status: Literal["unavailable"]
    failing: dict[str, str]
    detail: str
