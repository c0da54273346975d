"""Shared helpers for the compliance tests: one engine per process from the real rulebook."""
from __future__ import annotations

from datetime import date
from functools import lru_cache

from rm_copilot.compliance.engine import ComplianceEngine
from rm_copilot.compliance.models import CheckResult, ProductRef
from rm_copilot.config import PROJECT_ROOT

RULEBOOK_DIR = PROJECT_ROOT / "knowledge_base" / "compliance"
TODAY = date(2026, 11, 23)

PRODUCTS = (
    ProductRef("WM001", "星河稳享90天持有期理财", "wealth", "R2", ("稳享90天",)),
    ProductRef("FD003", "星河科技成长混合基金", "fund", "R4", ("科技成长",)),
    ProductRef("FD009", "星河沪深300指数基金", "fund", "R3", ()),
    ProductRef("DP001", "星河三年期大额存单", "deposit", "R1", ()),
    ProductRef("FD010", "星河全球精选QDII基金", "fund", "R5", ("全球精选",)),
)


@lru_cache(maxsize=1)
def engine() -> ComplianceEngine:
    return ComplianceEngine.from_directory(RULEBOOK_DIR, products=PRODUCTS, elderly_age=65, today=TODAY)


def assert_offsets_point_into_original(text: str, result: CheckResult) -> None:
    for finding in result.findings:
        assert 0 <= finding.start <= finding.end <= len(text), finding
        if finding.category != "pii":  # PII findings carry the mask, never the raw number
            assert text[finding.start:finding.end] == finding.matched, finding


def blocking_rules(text: str) -> set[str]:
    """The rules (not PII, not warnings) that block or rewrite `text`."""
    return {f.rule_id for f in engine().check(text).findings if f.severity != "warn" and f.category != "pii"}
