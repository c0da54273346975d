"""Segment grammar: table-driven matches over hand-built customers, and errors that name a position."""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from rm_copilot.campaigns.segment import parse_segment
from rm_copilot.errors import CampaignError


@dataclass
class Tag:
    key: str
    value: str = ""


@dataclass
class Holding:
    product_id: str


@dataclass
class Event:
    kind: str
    days_until: int | None


@dataclass
class Customer:
    age: int | None = 35
    risk_level: str | None = "C3"
    tier: str = "大众"
    city: str = "上海"
    occupation: str = "教师"
    advisor_id: str = "A001"
    marketing_consent: bool = True
    tags: dict = field(default_factory=lambda: {"basic": [], "behavior": [], "need": []})
    holdings: list = field(default_factory=list)
    events: list = field(default_factory=list)


PARENT = Customer(age=38, risk_level="C3", tags={"basic": [], "behavior": [Tag("travel")], "need": [Tag("education")]})
RETIREE = Customer(
    age=67, risk_level="C2", tier="财富", holdings=[Holding("DP003")], events=[Event("maturity", 12)],
    tags={"basic": [], "behavior": [], "need": [Tag("retirement")]},
)
NO_CONSENT = Customer(age=30, risk_level=None, marketing_consent=False)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("all", [True, True, True]),
        ("need:education", [True, False, False]),
        ("need:education and age:30-45 and risk>=C3", [True, False, False]),
        ("age>=65", [False, True, False]),
        ("risk<=C2", [False, True, False]),  # unknown risk level never matches a comparison
        ("tier:财富 or behavior:travel", [True, True, False]),
        ("holds:DP003", [False, True, False]),
        ("holds:deposit", [False, True, False]),  # by product type
        ("event:maturity", [False, True, False]),
        ("event:maturity<=10", [False, False, False]),  # 12 days away is outside 10
        ("event:maturity<=30", [False, True, False]),
        ("not consent", [False, False, True]),
        ("(need:education or need:retirement) and not age>=65", [True, False, False]),
        ("tag:retirement", [False, True, False]),
        ("advisor:A001 AND NOT need:education", [False, True, True]),  # keywords are case-insensitive
    ],
)
def test_segment_selects_expected_customers(expression: str, expected: list[bool]) -> None:
    segment = parse_segment(expression)
    assert [segment.matches(c) for c in (PARENT, RETIREE, NO_CONSENT)] == expected


@pytest.mark.parametrize(
    ("expression", "position"),
    [
        ("need:education and", 19),  # dangling operator: the end of the text
        ("age>=abc", 6),  # value starts at character 6
        ("colour:red", 1),  # unknown field
        ("(need:education", 16),  # missing closing parenthesis
        ("need:education )", 16),
        ("risk>=C9", 7),
        ("age:50-30", 5),
        ("event:holiday", 7),
        ("__import__('os')", 1),
    ],
)
def test_bad_expression_names_its_position(expression: str, position: int) -> None:
    with pytest.raises(CampaignError, match=f"第 {position} 个字符"):
        parse_segment(expression)


def test_empty_expression_is_refused() -> None:
    with pytest.raises(CampaignError, match="为空"):
        parse_segment("   ")
