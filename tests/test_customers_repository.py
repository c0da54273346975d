"""The customer store, run on SQLite and on a real PostgreSQL (marker `postgres`).

The PostgreSQL server is started once per session in a temp dir and each test gets a fresh
database through RM_COPILOT_DATABASE_URL, so the same cases prove the same code on both.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import text

from factories import card_number, customer_row, fake_catalog, id_number, make_repository, write_csv, write_jsonl
from rm_copilot.config import get_settings
from rm_copilot.db import make_engine
from rm_copilot.errors import BadInput, ImportRejected, NotFound

RAW_ID = id_number()
RAW_PHONE = "13912345678"
RAW_CARD = card_number()
UNMASKED = re.compile(r"\d{17}[\dX]|1[3-9]\d{9}|\d{16,19}")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request, isolated_home: Path, monkeypatch: pytest.MonkeyPatch):
    if request.param == "postgres":
        server = request.getfixturevalue("postgres_server")
        monkeypatch.setenv("RM_COPILOT_DATABASE_URL", server.create_database())
    get_settings.cache_clear()
    isolated_home.mkdir(parents=True, exist_ok=True)
    url = get_settings().resolved_database_url
    assert url.startswith("postgresql+psycopg" if request.param == "postgres" else "sqlite")
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def repo(engine):
    repository = make_repository(engine)
    repository.ensure_demo_advisors()
    return repository


def _import(repo, tmp_path: Path, rows: list[dict]) -> None:
    repo.import_file(write_jsonl(tmp_path / "customers.jsonl", rows))


def _assert_no_raw_pii(payload: str) -> None:
    for raw in (RAW_ID, RAW_PHONE, RAW_CARD, "张建国"):
        assert raw not in payload
    assert not UNMASKED.search(payload), UNMASKED.search(payload)


def test_get_masks_name_id_phone_and_card(repo, tmp_path):
    _import(repo, tmp_path, [customer_row()])
    view = repo.get("C90001")
    assert view.name == "张**"
    assert view.phone == "139****5678"
    assert view.id_number == RAW_ID[:3] + "*" * 11 + RAW_ID[-4:]
    assert view.card_number == f"6222 **** **** {RAW_CARD[-4:]}"
    assert view.age == 41


def test_every_read_model_is_masked(repo, tmp_path):
    _import(repo, tmp_path, [customer_row()])
    payloads = [
        repo.get("C90001").model_dump_json(),
        json.dumps(repo.get("C90001").summary(), ensure_ascii=False),
        *(v.model_dump_json() for v in repo.list()),
        *(v.model_dump_json() for v in repo.iter_views()),
        repo.profile("C90001").model_dump_json(),
        *(e.model_dump_json() for e in repo.upcoming_events("A001", 60)),
    ]
    for payload in payloads:
        _assert_no_raw_pii(payload)


def test_profile_has_honorific_and_never_id_phone_or_card(repo, tmp_path):
    _import(repo, tmp_path, [customer_row(full_name="欧阳娜娜", gender="女")])
    profile = repo.profile("C90001")
    assert profile.honorific == "欧阳女士"
    assert profile.need_keys == ["education"]
    assert [e.kind for e in profile.events] == ["maturity"]
    dumped = profile.model_dump()
    assert not {"phone", "id_number", "card_number"} & dumped.keys()
    assert "欧阳娜娜" not in profile.model_dump_json()


def test_other_advisors_customer_is_not_found_exactly_like_a_missing_one(repo, tmp_path):
    _import(repo, tmp_path, [customer_row(advisor_id="A002")])
    assert repo.get("C90001", advisor_id="A002").id == "C90001"
    with pytest.raises(NotFound) as other:
        repo.get("C90001", advisor_id="A001")
    with pytest.raises(NotFound) as missing:
        repo.get("C90002", advisor_id="A001")
    assert str(other.value) == str(missing.value).replace("C90002", "C90001")
    with pytest.raises(NotFound):
        repo.profile("C90001", advisor_id="A001")


def test_list_filters_by_advisor_and_search(repo, tmp_path):
    _import(repo, tmp_path, [
        customer_row(id="C90001", advisor_id="A001", city="北京"),
        customer_row(id="C90002", advisor_id="A001", city="上海"),
        customer_row(id="C90003", advisor_id="A002", city="上海"),
    ])
    assert [v.id for v in repo.list(advisor_id="A001")] == ["C90001", "C90002"]
    assert [v.id for v in repo.list(search="上海")] == ["C90002", "C90003"]
    assert [v.id for v in repo.list(limit=1, offset=1)] == ["C90002"]
    assert repo.count(advisor_id="A002") == 1


@pytest.mark.parametrize("term", ["%", "_", "上%", "\\"])
def test_search_wildcards_match_literally_not_the_whole_book(repo, tmp_path, term):
    _import(repo, tmp_path, [
        customer_row(id="C90001", advisor_id="A001", city="北京"),
        customer_row(id="C90002", advisor_id="A001", city="上海"),
    ])
    assert repo.list(advisor_id="A001", search=term) == []
    assert [v.id for v in repo.list(advisor_id="A001", search="上")] == ["C90002"]


def test_iter_ids_and_views_stream_in_batches_in_order(repo, tmp_path):
    _import(repo, tmp_path, [customer_row(id=f"C9000{i}") for i in range(1, 6)])
    assert list(repo.iter_ids(batch=2)) == [f"C9000{i}" for i in range(1, 6)]
    wanted = ["C90004", "C99999", "C90001"]
    assert [v.id for v in repo.iter_views(wanted, batch=2)] == ["C90004", "C90001"]
    assert len(list(repo.iter_views(batch=2))) == 5


def test_tags_are_stale_after_180_days_and_risk_level_after_a_year(repo, tmp_path):
    _import(repo, tmp_path, [customer_row(risk_assessed_at="2026-01-10")])
    view = repo.get("C90001")
    stale = {tag.key: tag.stale for layer in view.tags.values() for tag in layer}
    assert stale["channel"] is True  # updated 2025-01-05
    assert stale["education"] is False  # updated 2026-10-01
    assert stale["risk_level"] is False  # 317 days: a risk assessment is valid for a year
    assert view.risk_assessment_stale is False
    _import(repo, tmp_path, [customer_row(risk_assessed_at="2025-06-01")])
    view = repo.get("C90001")
    assert view.risk_assessment_stale is True
    assert [t.stale for t in view.tags["basic"] if t.key == "risk_level"] == [True]


def test_basic_tags_are_derived_from_the_customer_columns(repo, tmp_path):
    _import(repo, tmp_path, [customer_row()])
    basic = {tag.key: (tag.value, tag.source) for tag in repo.get("C90001").tags["basic"]}
    assert basic["age_band"] == ("35-44岁", "客户信息")
    assert basic["risk_level"] == ("C3", "风险测评")
    assert basic["tier"][0] == "财富"


def test_compliance_context_carries_the_full_name_for_masking(repo, tmp_path):
    _import(repo, tmp_path, [customer_row()])
    context = repo.compliance_context("C90001")
    assert (context.customer_id, context.full_name, context.age, context.risk_level) == (
        "C90001", "张建国", 41, "C3")


def test_token_is_stored_only_as_its_sha256_and_reissue_revokes_the_old(repo, engine):
    first = repo.issue_token("A003")
    assert repo.advisor_for_token(first).id == "A003"
    with engine.connect() as connection:
        stored = [tuple(row) for row in connection.execute(text("SELECT * FROM advisors"))]
    assert first not in json.dumps(stored, default=str)
    second = repo.issue_token("A003")
    assert repo.advisor_for_token(first) is None
    assert repo.advisor_for_token(second).id == "A003"
    assert repo.advisor_for_token("") is None
    assert repo.advisor_for_token("not-a-token") is None


def test_bind_wecom_maps_the_user_and_refuses_a_user_bound_elsewhere(repo):
    repo.bind_wecom("A001", "rm_new_id")
    assert repo.advisor_for_wecom("rm_new_id").id == "A001"
    assert repo.advisor_for_wecom("zhangwei") is None
    assert repo.advisor_for_wecom("wangfang").id == "A002"
    with pytest.raises(BadInput):
        repo.bind_wecom("A003", "wangfang")
    with pytest.raises(NotFound):
        repo.issue_token("A999")


def test_upcoming_events_include_last_week_and_the_window_ahead(repo, tmp_path):
    events = [
        {"kind": "large_inflow", "date": "2026-11-18", "detail": "他行转入"},
        {"kind": "large_inflow", "date": "2026-11-01", "detail": "太早"},
        {"kind": "birthday", "date": "2026-12-10", "detail": "生日"},
        {"kind": "life_event", "date": "2027-03-01", "detail": "太晚"},
    ]
    _import(repo, tmp_path, [customer_row(events=events)])
    upcoming = repo.upcoming_events("A001", within_days=30)
    assert [(u.event.kind, u.event.days_until) for u in upcoming] == [("large_inflow", -5), ("birthday", 17)]
    assert upcoming[0].name == "张**"
    assert repo.upcoming_events("A002", within_days=30) == []


def test_csv_with_one_malformed_row_names_the_line_and_leaves_the_store_unchanged(repo, tmp_path):
    _import(repo, tmp_path, [customer_row(id="C90001", city="北京")])
    rows = [customer_row(id=f"C9000{i}", city="上海") for i in range(1, 5)]
    rows[2]["phone"] = "12345"  # third data row = line 4 of the file
    path = write_csv(tmp_path / "customers.csv", rows)
    with pytest.raises(ImportRejected) as rejected:
        repo.import_file(path)
    assert rejected.value.errors == ["第 4 行：字段 phone（手机号）手机号应为 11 位、以 1 开头的号码"]
    assert "12345" not in str(rejected.value)
    assert repo.count() == 1
    assert repo.get("C90001").city == "北京"
    rows[2]["phone"] = "13700001111"
    report = repo.import_file(write_csv(tmp_path / "fixed.csv", rows))
    assert (report.created, report.updated) == (3, 1)
    assert repo.get("C90001").tags["need"][0].source == "导入"


def test_jsonl_upsert_replaces_tags_holdings_and_events(repo, tmp_path):
    _import(repo, tmp_path, [customer_row()])
    updated = customer_row(
        tier="私行", tags=[{"layer": "need", "key": "inheritance", "value": "考虑家族信托"}],
        holdings=[], events=[],
    )
    report = repo.import_file(write_jsonl(tmp_path / "again.jsonl", [updated]))
    assert (report.created, report.updated) == (0, 1)
    view = repo.get("C90001")
    assert view.tier == "私行"
    assert [t.key for t in view.tags["need"]] == ["inheritance"]
    assert view.tags["behavior"] == []
    assert (view.holdings, view.events) == ([], [])


def test_import_rejects_unknown_advisor_and_duplicate_ids_naming_lines(repo, tmp_path):
    rows = [customer_row(), customer_row(id="C90002", advisor_id="A999"), customer_row()]
    with pytest.raises(ImportRejected) as rejected:
        repo.import_file(write_jsonl(tmp_path / "bad.jsonl", rows))
    assert rejected.value.errors == [
        "第 2 行：字段 advisor_id（客户经理编号）A999 不存在",
        "第 3 行：客户编号 C90001 与第 1 行重复",
    ]
    assert repo.count() == 0


def test_demo_data_loads_once_spread_over_at_least_eight_advisors(engine):
    repository = make_repository(engine)
    assert repository.ensure_demo_data(fake_catalog(), seed=7, count=48) == 48
    assert repository.ensure_demo_data(fake_catalog(), seed=7, count=48) == 0
    advisors = repository.advisors()
    assert len(advisors) >= 8
    per_advisor = Counter(view.advisor_id for view in repository.iter_views())
    assert set(per_advisor) == {a.id for a in advisors}
    assert repository.count() == 48


@pytest.mark.postgres
def test_the_cli_runs_on_postgresql_through_the_database_url_setting(postgres_server, monkeypatch):
    from typer.testing import CliRunner

    from rm_copilot.cli import app
    from rm_copilot.services import get_services, reset_services

    monkeypatch.setenv("RM_COPILOT_DATABASE_URL", postgres_server.create_database())
    get_settings.cache_clear()
    reset_services(None)
    result = CliRunner().invoke(app, ["customers", "list", "--advisor", "A001", "--json"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == 40
    assert get_services().engine.dialect.name == "postgresql"
    get_services().engine.dispose()


def test_the_advisor_of_a_token_is_the_listed_advisor_with_name_and_wecom_id(repo):
    token = repo.issue_token("A003")
    bound = repo.bind_wecom("A003", "wx-a003")
    assert repo.advisor_for_token(token) == bound
    assert bound.name and bound.wecom_userid == "wx-a003"
