"""Schema migrations: a store made by the previous release upgrades in place; models never drift from revisions."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from rm_copilot import schema
from rm_copilot.assistant.sessions import SessionStore
from rm_copilot.customers.repository import CustomerRepository
from rm_copilot.db import StoreProbe, make_engine, make_session_factory
from rm_copilot.migrations import current_revision, head_revision, upgrade_to_head

DATA = Path(__file__).parent / "data"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_engine(request, tmp_path: Path):
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_server").create_database()
    else:
        url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = make_engine(url)
    yield engine
    engine.dispose()


def _run_script(engine: Engine, path: Path) -> None:
    statements = [part.strip() for part in _without_comments(path.read_text("utf-8")).split(";")]
    with engine.begin() as connection:
        for statement in filter(None, statements):
            connection.exec_driver_sql(statement)


def _without_comments(sql: str) -> str:
    return "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))


def _previous_release_store(engine: Engine) -> None:
    _run_script(engine, DATA / f"schema_983b550.{engine.dialect.name}.sql")
    _run_script(engine, DATA / "rows_983b550.sql")


def test_store_of_the_previous_release_upgrades_to_head_keeping_its_rows(empty_engine: Engine, tmp_path: Path):
    _previous_release_store(empty_engine)
    assert "alembic_version" not in inspect(empty_engine).get_table_names()

    upgrade_to_head(empty_engine)

    assert current_revision(empty_engine) == head_revision() != "0001"
    factory = make_session_factory(empty_engine)
    customers = CustomerRepository(factory, demo_dir=tmp_path / "no-demo")
    assert [view.id for view in customers.list(advisor_id="A001")] == ["C00001"]
    assert customers.count() == 2
    assert customers.advisor("A001").wecom_userid == "wang.jl"
    history = SessionStore(factory).history("s1", advisor_id="A001")
    assert [message.content for message in history] == ["客户理财快到期了怎么沟通？"]
    with empty_engine.connect() as connection:
        assert connection.execute(text("SELECT status, processed FROM campaign_jobs")).one() == ("done", 2)
        assert connection.execute(text("SELECT count(*) FROM customer_tags")).scalar() == 1
    assert StoreProbe(empty_engine).problems() == {}  # a table added after the baseline is written


def test_upgrading_a_store_already_at_head_changes_nothing(empty_engine: Engine):
    upgrade_to_head(empty_engine)
    tables = set(inspect(empty_engine).get_table_names())
    upgrade_to_head(empty_engine)
    assert set(inspect(empty_engine).get_table_names()) == tables
    assert current_revision(empty_engine) == head_revision()


def test_migrations_build_exactly_the_tables_the_models_declare(empty_engine: Engine):
    """Fails when a model gains a table, column or index without a revision (python -m rm_copilot.migrations revision)."""
    upgrade_to_head(empty_engine)
    with empty_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, schema.metadata())
    assert differences == []


def test_the_cli_upgrades_a_home_of_the_previous_release_when_it_opens_it(isolated_home: Path):
    from typer.testing import CliRunner

    from rm_copilot.cli import app

    isolated_home.mkdir(parents=True)
    engine = make_engine(f"sqlite:///{isolated_home / 'rm_copilot.db'}")
    _previous_release_store(engine)
    result = CliRunner().invoke(app, ["customers", "list", "--advisor", "A001", "--json"])
    assert result.exit_code == 0, result.output
    assert [row["id"] for row in json.loads(result.stdout)] == ["C00001"]  # kept, not replaced by demo data
    assert current_revision(engine) == head_revision()
    engine.dispose()
