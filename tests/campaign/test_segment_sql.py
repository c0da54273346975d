"""A segment's column atoms run in SQL: the store picks exactly the customers the Python predicate
matches (or, with tag/holding/event atoms, a superset of them), on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factories import customer_row, fake_catalog, make_repository, write_jsonl
from rm_copilot.campaigns.segment import parse_segment
from rm_copilot.campaigns.selection import candidate_ids
from rm_copilot.config import get_settings
from rm_copilot.customers.generator import generate_customers
from rm_copilot.db import make_engine

TODAY = date(2024, 2, 29)  # a leap day: the age boundaries of 29 February births are the tricky ones

COLUMN_ATOMS = [
    "all", "consent", "tier:财富", "tier:私行", "tier:大众", "city:北京", "city:上海", "occupation:工程师",
    "advisor:A001", "advisor:A002", "age>=65", "age<30", "age:30-45", "age=41", "age>50", "age<=40", "age:20",
    "age>=120", "risk<=C3", "risk>C2", "risk=C5", "risk:C1", "risk<C1",
]
VIEW_ATOMS = ["need:education", "holds:deposit", "event:maturity<=30", "behavior:channel", "tag:education"]


def _expressions(atoms: list[str]) -> st.SearchStrategy[str]:
    leaf = st.sampled_from(atoms)
    return st.recursive(leaf, lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        inner.map(lambda e: f"not {e}"),
    ), max_leaves=6)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def book(request, isolated_home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """A generated book plus edge cases (birthdays on and around the boundary, no risk assessment)."""
    if request.param == "postgres":
        monkeypatch.setenv("RM_COPILOT_DATABASE_URL", request.getfixturevalue("postgres_server").create_database())
    get_settings.cache_clear()
    isolated_home.mkdir(parents=True, exist_ok=True)
    engine = make_engine(get_settings().resolved_database_url)
    repo = make_repository(engine, today=TODAY)
    repo.ensure_demo_advisors()
    rows = generate_customers(160, 7, fake_catalog(), ["A001", "A002", "A003"], today=TODAY)
    edges = [
        customer_row(id=f"C9{n:04d}", birth=birth, risk_level=risk, risk_assessed_at=None if risk is None else "2023-06-01",
                     marketing_consent=n % 2 == 0, city="上海" if n % 3 else "北京")
        for n, (birth, risk) in enumerate([
            (date(1959, 2, 28), "C1"), (date(1960, 2, 29), None), (date(1959, 3, 1), "C5"),
            (date(1983, 2, 28), "C2"), (date(1983, 3, 1), "C3"), (date(1984, 2, 29), "C4"),
            (date(2004, 2, 29), None), (date(1904, 2, 29), "C1"), (date(1964, 2, 29), "C2"),
        ])
    ]
    repo.import_file(write_jsonl(tmp_path / "book.jsonl", rows + edges))
    views = list(repo.iter_views())
    yield repo, views
    engine.dispose()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(expression=_expressions(COLUMN_ATOMS))
def test_column_atoms_select_in_sql_exactly_what_the_predicate_matches(book, expression: str) -> None:
    repo, views = book
    segment = parse_segment(expression)
    assert segment.exact and segment.criterion is not None
    selected = list(candidate_ids(repo, customer_ids=None, shard=None, segment=segment))
    assert selected == [view.id for view in views if segment.matches(view)]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(expression=_expressions(COLUMN_ATOMS + VIEW_ATOMS))
def test_mixed_segments_narrow_in_sql_to_a_superset(book, expression: str) -> None:
    repo, views = book
    segment = parse_segment(expression)
    selected = set(candidate_ids(repo, customer_ids=None, shard=None, segment=segment))
    matched = {view.id for view in views if segment.matches(view)}
    assert matched <= selected
    if segment.exact:
        assert selected == matched


def test_the_advisor_scope_is_applied_by_the_store(book) -> None:
    repo, views = book
    segment = parse_segment("age>=40 or need:education")
    selected = list(candidate_ids(repo, customer_ids=None, shard=None, advisor_id="A002", segment=segment))
    assert selected and all(view.advisor_id == "A002" for view in views if view.id in selected)
    assert {view.id for view in views if view.advisor_id == "A002" and view.age >= 40} <= set(selected)
    listed = [view.id for view in views][:30]
    scoped = list(candidate_ids(repo, customer_ids=listed, shard=None, advisor_id="A001", segment=None))
    assert scoped == [view.id for view in views[:30] if view.advisor_id == "A001"]


def test_a_segment_of_tags_only_cannot_narrow() -> None:
    assert parse_segment("need:education or holds:deposit").criterion is None
    assert parse_segment("not need:education").criterion is None
    mixed = parse_segment("tier:财富 and need:education")
    assert mixed.criterion is not None and not mixed.exact
