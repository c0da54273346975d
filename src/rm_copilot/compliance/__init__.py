"""Compliance gate: rulebook-driven wording checks, suitability, disclosures and PII masking."""
from rm_copilot.compliance.models import CheckResult, CustomerContext, Finding, ProductRef

__all__ = ["CheckResult", "ComplianceEngine", "CustomerContext", "Finding", "ProductRef"]


def __getattr__(name: str):
    if name == "ComplianceEngine":
        from rm_copilot.compliance.engine import ComplianceEngine

        return ComplianceEngine
    raise AttributeError(name)
