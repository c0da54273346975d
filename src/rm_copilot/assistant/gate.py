"""The compliance gate: every text a channel shows passes the engine here, with an audit entry."""
from __future__ import annotations

from typing import Any, Protocol

from rm_copilot.compliance.models import CheckResult


class CheckingEngine(Protocol):
    """The compliance engine as the gate uses it (`rm_copilot.compliance.engine.ComplianceEngine`)."""

    def check(self, text: str, *, product_type: str | None = None, channel: str | None = None,
              customer: Any = None) -> CheckResult: ...


class CustomerContexts(Protocol):
    """Where the gate reads a customer's compliance context (the customer repository)."""

    def compliance_context(self, customer_id: str) -> Any: ...


class AuditSink(Protocol):
    """Where verdicts are recorded (`rm_copilot.compliance.audit.SqlAuditSink`)."""

    def record(self, result: CheckResult, *, advisor_id: str | None, channel: str | None,
               customer_id: str | None, source: str, original_text: str | None) -> Any: ...


class ComplianceGate:
    def __init__(self, engine: CheckingEngine, customers: CustomerContexts, audit: AuditSink | None):
        self.engine = engine
        self.customers = customers
        self.audit = audit

    def check(
        self,
        text: str,
        *,
        product_type: str | None = None,
        channel: str | None = None,
        customer_id: str | None = None,
        advisor_id: str | None = None,
        source: str = "assistant",
        customer_context: Any = None,
        record: bool = True,
    ) -> CheckResult:
        """Run the engine with the customer's context; record the verdict unless `record=False`.

        `customer_context` lets a caller that checks many texts for one customer fetch it once.
        """
        if customer_context is None and customer_id is not None:
            customer_context = self.customers.compliance_context(customer_id)
        result = self.engine.check(text, product_type=product_type, channel=channel, customer=customer_context)
        if record:
            self.record(result, text, channel=channel, customer_id=customer_id, advisor_id=advisor_id, source=source)
        return result

    def record(self, result: CheckResult, text: str, *, channel: str | None = None, customer_id: str | None = None,
               advisor_id: str | None = None, source: str = "assistant", **_check: Any) -> None:
        """Audit a verdict `check(text, record=False)` gave, with the same arguments: the text is
        delivered under it, so it is recorded without running the engine on the same text again."""
        if self.audit is not None:
            self.audit.record(result, advisor_id=advisor_id, channel=channel, customer_id=customer_id,
                              source=source, original_text=text)

    def prime(self, texts: list[str]) -> None:
        """Before checking many texts: the engine's meaning layer embeds their sentences in batches."""
        prime = getattr(self.engine, "prime", None)
        if prime is not None:
            prime(texts)

    def context_for(self, customer_id: str | None) -> Any:
        return self.customers.compliance_context(customer_id) if customer_id else None


def deliverable(result: CheckResult) -> str | None:
    """The text a channel may show: the (possibly rewritten) text, or None when blocked."""
    return None if result.verdict == "block" else result.text
