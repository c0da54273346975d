"""Value objects passed in and out of the compliance engine."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Literal

from rm_copilot.vocabulary import Verdict

Severity = Literal["block", "rewrite", "warn"]

SEVERITY_RANK = {"warn": 1, "rewrite": 2, "block": 3}


@dataclass(frozen=True)
class ProductRef:
    """What the engine needs to know about a product to judge suitability."""

    id: str
    name: str
    type: str
    risk_level: str  # "R1".."R5"
    aliases: tuple[str, ...] = ()

    @property
    def risk_rank(self) -> int:
        return int(self.risk_level[1:])


@dataclass(frozen=True)
class CustomerContext:
    """The one place a customer's full name reaches the engine, so it can be masked."""

    customer_id: str
    full_name: str | None = None
    age: int | None = None
    risk_level: str | None = None  # "C1".."C5" or None when never assessed

    @property
    def risk_rank(self) -> int | None:
        return int(self.risk_level[1:]) if self.risk_level else None


@dataclass(slots=True)
class Finding:
    rule_id: str
    category: str
    severity: Severity
    start: int
    end: int
    matched: str
    message: str
    suggestion: str
    basis: str = ""
    pattern: str = ""
    evasion: str = ""  # how an evaded term was read: 拼音谐音 / 形近字 / 拼音首字母; "" for a literal match
    score: float | None = None  # meaning-layer findings only: the model's score
    explanation: dict | None = None  # meaning-layer findings only: the nearest labelled example

    def to_dict(self) -> dict:
        data = {name: getattr(self, name) for name in _FINDING_FIELDS}  # shallow: asdict is slow per line
        for extra in ("score", "explanation"):
            if data[extra] is None:
                del data[extra]
        return data


_FINDING_FIELDS = tuple(f.name for f in fields(Finding))


@dataclass(slots=True)
class CheckResult:
    verdict: Verdict
    text: str
    findings: list[Finding] = field(default_factory=list)
    rulebook_version: str = ""

    @property
    def rule_ids(self) -> list[str]:
        return [finding.rule_id for finding in self.findings]

    def to_dict(self) -> dict:
        return {
            "verdict": self.verdict,
            "text": self.text,
            "findings": [finding.to_dict() for finding in self.findings],
            "rulebook_version": self.rulebook_version,
        }
