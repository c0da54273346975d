"""`for_answer`: one read gives exactly what get, profile and compliance_context give, for the owner only."""
from __future__ import annotations

from pathlib import Path

import pytest

from factories import customer_row, make_repository, write_jsonl
from rm_copilot.config import get_settings
from rm_copilot.db import make_engine
from rm_copilot.errors import NotFound


@pytest.fixture
def repo(isolated_home: Path, tmp_path: Path):
    get_settings.cache_clear()
    isolated_home.mkdir(parents=True, exist_ok=True)
    engine = make_engine(get_settings().resolved_database_url)
    repository = make_repository(engine)
    repository.ensure_demo_advisors()
    repository.import_file(write_jsonl(tmp_path / "customers.jsonl", [customer_row(advisor_id="A002")]))
    yield repository
    engine.dispose()


def test_one_read_equals_the_three(repo):
    view, profile, context = repo.for_answer("C90001", advisor_id="A002")
    assert view == repo.get("C90001", advisor_id="A002")
    assert profile == repo.profile("C90001", advisor_id="A002")
    assert context == repo.compliance_context("C90001")
    assert context.full_name == "张建国" and "张建国" not in view.model_dump_json() + profile.model_dump_json()


def test_another_advisors_customer_is_not_found(repo):
    with pytest.raises(NotFound):
        repo.for_answer("C90001", advisor_id="A001")


def test_ensure_visible_passes_the_owner_and_refuses_like_get(repo):
    repo.ensure_visible("C90001", advisor_id="A002")  # the owner: no error
    for advisor_id, customer_id in (("A001", "C90001"), ("A002", "C99999")):  # another advisor's, a missing one
        with pytest.raises(NotFound) as refused:
            repo.ensure_visible(customer_id, advisor_id=advisor_id)
        with pytest.raises(NotFound) as by_get:
            repo.get(customer_id, advisor_id=advisor_id)
        assert str(refused.value) == str(by_get.value)
