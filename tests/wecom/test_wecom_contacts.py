"""Customers as WeCom external contacts: the `external_userid` import column (CSV and JSONL), its
validation, the repository view, and the generator giving every demo customer one."""
from __future__ import annotations

import pytest

from factories import customer_row, write_csv, write_jsonl
from rm_copilot.customers.generator import generate_customers
from rm_copilot.customers.importer import read_records
from rm_copilot.errors import ImportRejected
from rm_copilot.services import Services

EXTERNAL = "wmAJ2GCAAAXtWyujaWJHDDGi0mACHAAA"


@pytest.mark.parametrize("write", [write_csv, write_jsonl], ids=["csv", "jsonl"])
def test_external_userid_column_is_read_and_blank_means_none(tmp_path, write):
    rows = [customer_row(id="C90001", external_userid=EXTERNAL), customer_row(id="C90002", external_userid="")]
    path = write(tmp_path / f"c.{'csv' if write is write_csv else 'jsonl'}", rows)

    records = [numbered.record for numbered in read_records(path, {"A001"})]

    assert [r.external_userid for r in records] == [EXTERNAL, None]


def test_malformed_external_userid_is_rejected_with_its_chinese_label(tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [customer_row(external_userid="wm 1; DROP")])
    with pytest.raises(ImportRejected) as rejected:
        read_records(path, {"A001"})
    assert "external_userid（企业微信外部联系人ID）" in rejected.value.errors[0]


def test_imported_external_userid_reaches_the_view_and_generated_customers_have_one(tmp_path):
    services = Services()
    services.customers.ensure_demo_advisors()
    path = write_jsonl(tmp_path / "c.jsonl", [customer_row(id="C90003", external_userid=EXTERNAL)])
    services.customers.import_file(path)

    generated = generate_customers(3, 1, services.catalog, ["A001"])

    assert services.customers.get("C90003").external_userid == EXTERNAL
    assert all(row["external_userid"].startswith("wm") and len(row["external_userid"]) == 32 for row in generated)
    assert len({row["external_userid"] for row in generated}) == 3
