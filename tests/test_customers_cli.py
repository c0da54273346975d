"""`rm-copilot customers …` / `advisors …` through Typer's CliRunner: no unmasked PII ever printed."""
from __future__ import annotations

import json
import logging
import re

import pytest
from typer.testing import CliRunner

from factories import customer_row, write_csv, write_jsonl
from rm_copilot.cli import app
from rm_copilot.customers.generator import generate_customers
from rm_copilot.services import get_services

runner = CliRunner()
UNMASKED_PII = [
    re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)"),  # ID number
    re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)"),  # mobile
    re.compile(r"(?<!\d)\d{16,19}(?!\d)"),  # card
    re.compile(r"(?<!\d)\d{4} \d{4} \d{4} \d{4}"),  # card, grouped
]


def invoke(*args: str):
    result = runner.invoke(app, list(args))
    for pattern in UNMASKED_PII:
        assert not pattern.search(result.output), f"unmasked PII in output of {args}"
    return result


def demo_rows() -> list[dict]:
    """The raw rows the demo load wrote (same seed, catalogue, advisors and date)."""
    services = get_services()
    settings = services.settings
    return generate_customers(settings.demo_customer_count, settings.demo_seed, services.catalog,
                              services.customers.advisors())


def test_list_json_on_a_fresh_home_shows_the_masked_demo_customers():
    result = invoke("customers", "list", "--json")
    assert result.exit_code == 0, result.output
    customers = json.loads(result.stdout)
    assert len(customers) == 320
    assert set(customers[0]) == {"id", "advisor_id", "name", "age", "risk_level", "tier", "tags", "events"}
    assert set(customers[0]["tags"]) == {"basic", "behavior", "need"}
    assert len({c["advisor_id"] for c in customers}) >= 8
    raw = demo_rows()
    for secret in [value for row in raw for value in (row["id_number"], row["phone"], row["card_number"])]:
        assert secret not in result.output
    full_names = {row["full_name"] for row in raw}
    assert not any(c["name"] in full_names for c in customers)


def test_list_filters_by_advisor_and_refuses_an_unknown_one():
    result = invoke("customers", "list", "--advisor", "A003", "--json")
    assert {c["advisor_id"] for c in json.loads(result.stdout)} == {"A003"}
    table = invoke("customers", "list", "--advisor", "A003", "--limit", "2")
    assert table.exit_code == 0 and "A003" in table.stdout
    unknown = invoke("customers", "list", "--advisor", "A999")
    assert unknown.exit_code == 2
    assert "没有找到客户经理 A999" in unknown.stderr


def test_show_prints_masked_pii_tag_layers_holdings_and_events():
    invoke("customers", "list", "--limit", "1")
    raw = next(r for r in demo_rows() if r["events"] and r["holdings"])
    result = invoke("customers", "show", raw["id"])
    assert result.exit_code == 0, result.output
    for heading in ("基础标签", "行为标签", "需求标签", "持有产品", "客户事件", "风险等级"):
        assert heading in result.stdout
    assert raw["phone"][:3] + "****" + raw["phone"][-4:] in result.stdout
    assert raw["full_name"] not in result.stdout
    assert raw["holdings"][0]["product_id"] in result.stdout


def test_show_marks_stale_tags():
    repo = get_services().customers
    repo.ensure_demo_advisors()
    old_tag = {"layer": "need", "key": "travel", "value": "常出差", "source": "问卷",
               "updated_at": "2020-01-01T00:00:00"}
    write_jsonl(get_services().settings.resolved_home / "c.jsonl", [customer_row(tags=[old_tag])])
    assert invoke("customers", "import", str(get_services().settings.resolved_home / "c.jsonl")).exit_code == 0
    result = invoke("customers", "show", "C90001")
    assert "已过期" in result.stdout


def test_show_of_an_unknown_customer_is_exit_2():
    result = invoke("customers", "show", "C99999")
    assert result.exit_code == 2
    assert "没有找到客户 C99999" in result.stderr


def test_import_of_a_csv_with_a_bad_row_exits_2_names_the_line_and_writes_nothing(tmp_path):
    rows = [customer_row(id="C90001"), customer_row(id="C90002", id_number="110105198503141234")]
    result = invoke("customers", "import", str(write_csv(tmp_path / "c.csv", rows)))
    assert result.exit_code == 2
    assert "第 3 行：字段 id_number（身份证号）" in result.stderr
    assert "110105198503141234" not in result.output
    assert get_services().customers.count() == 0


def test_import_of_a_good_file_reports_counts(tmp_path):
    rows = [customer_row(id="C90001"), customer_row(id="C90002")]
    result = invoke("customers", "import", str(write_jsonl(tmp_path / "c.jsonl", rows)))
    assert result.exit_code == 0, result.output
    assert "新增 2" in result.stdout
    assert get_services().customers.count() == 2


@pytest.mark.parametrize("name", ["missing.csv", "customers.xlsx"])
def test_import_of_an_unusable_path_is_exit_2(tmp_path, name):
    path = tmp_path / name
    if name.endswith(".xlsx"):
        path.write_text("x", encoding="utf-8")
    result = invoke("customers", "import", str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith("错误：")


def test_generate_writes_into_the_store_after_existing_ids_and_out_writes_a_file(tmp_path):
    first = invoke("customers", "generate", "--count", "5", "--seed", "3")
    assert first.exit_code == 0, first.output
    assert "C00001–C00005" in first.stdout
    second = invoke("customers", "generate", "--count", "2", "--seed", "3")
    assert "C00006–C00007" in second.stdout
    assert get_services().customers.count() == 7

    out = tmp_path / "gen.jsonl"
    result = invoke("customers", "generate", "--count", "5", "--seed", "3", "--out", str(out))
    assert result.exit_code == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    # --out numbers after the store's highest id too, so importing the file adds instead of overwriting
    expected = generate_customers(5, 3, get_services().catalog, get_services().customers.advisors(), start=8)
    assert rows == expected and rows[0]["id"] == "C00008"
    assert get_services().customers.count() == 7


def test_advisors_list_token_and_bind_wecom():
    listed = json.loads(invoke("advisors", "list", "--json").stdout)
    assert len(listed) >= 8
    assert listed[0] == {"id": "A001", "name": "张伟", "wecom_userid": "zhangwei"}

    issued = invoke("advisors", "token", "A002")
    assert issued.exit_code == 0
    token = issued.stdout.strip()
    assert get_services().customers.advisor_for_token(token).id == "A002"

    bound = invoke("advisors", "bind-wecom", "A002", "wf_new")
    assert bound.exit_code == 0
    assert get_services().customers.advisor_for_wecom("wf_new").id == "A002"
    taken = invoke("advisors", "bind-wecom", "A003", "wf_new")
    assert taken.exit_code == 2
    assert "已绑定客户经理 A002" in taken.stderr
    assert invoke("advisors", "token", "A999").exit_code == 2


def test_logs_written_during_customer_commands_hold_no_pii(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    bad = [customer_row(id="C90001"), customer_row(id="C90002", phone="12345678901")]
    invoke("customers", "import", str(write_csv(tmp_path / "bad.csv", bad)))
    invoke("customers", "import", str(write_jsonl(tmp_path / "good.jsonl", [customer_row()])))
    invoke("customers", "show", "C90001")
    invoke("customers", "list", "--json")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for pattern in UNMASKED_PII:
        assert not pattern.search(logged)
    assert "张建国" not in logged
