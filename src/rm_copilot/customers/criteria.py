"""Conditions on a customer's own columns that the store evaluates in SQL.

Campaign segments push their simple atoms (tier, city, occupation, advisor, consent, age, risk)
down as a tree of these; the repository turns the tree into a WHERE clause. Every leaf is
NULL-safe (never SQL NULL), so `Not` means exactly "not", as it does in Python.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

Column = Literal["tier", "city", "occupation", "advisor_id"]


@dataclass(frozen=True)
class Equals:
    column: Column
    value: str


@dataclass(frozen=True)
class AgeAtLeast:
    """Age in whole years on the store's today is at least `years`."""

    years: int


@dataclass(frozen=True)
class RiskIn:
    """An assessed risk level (C1–C5) among `levels`; a customer without one never matches."""

    levels: frozenset[str]


@dataclass(frozen=True)
class Consent:
    """Marketing consent given."""


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Criterion, ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Criterion, ...]


@dataclass(frozen=True)
class Not:
    part: Criterion


Criterion = Equals | AgeAtLeast | RiskIn | Consent | AllOf | AnyOf | Not
EVERYONE: Criterion = AllOf(())


def latest_birth_date(today: date, years: int) -> date | None:
    """The latest birth date of someone at least `years` old on `today` (None: nobody is that old).

    Matches `customers.tags.age_on`: a 29 February birthday counts from 1 March in common years.
    """
    year = today.year - years
    if year < 1:
        return None
    if year > 9999:
        return date.max
    try:
        return today.replace(year=year)
    except ValueError:  # today is 29 February and that year has none
        return date(year, 2, 28)
