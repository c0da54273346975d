"""Reading and validating customer files (no store): each bad field is named with its line."""
from __future__ import annotations

from pathlib import Path

import pytest

from factories import card_number, customer_row, id_number, write_csv, write_jsonl
from rm_copilot.customers.importer import read_records
from rm_copilot.errors import BadInput, ImportRejected

ADVISORS = {"A001"}
WRONG_CHECK_DIGIT = id_number()[:-1] + ("0" if id_number()[-1] != "0" else "1")
LUHN_OFF_BY_ONE = card_number()[:-1] + str((int(card_number()[-1]) + 1) % 10)
EVENT_KINDS = "'birthday'、'maturity'、'large_inflow'、'life_event'"


def _errors(path: Path) -> list[str]:
    with pytest.raises(ImportRejected) as rejected:
        read_records(path, ADVISORS)
    return rejected.value.errors


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        # a wrong check digit
        ("id_number", WRONG_CHECK_DIGIT, "字段 id_number（身份证号）身份证号校验位不正确"),
        # too short to be an ID number
        ("id_number", "1101051985", "字段 id_number（身份证号）身份证号应为 18 位（末位可为 X）"),
        # a landline is not a mobile number
        ("phone", "01012345678", "字段 phone（手机号）手机号应为 11 位、以 1 开头的号码"),
        # one digit off: fails Luhn
        ("card_number", LUHN_OFF_BY_ONE, "字段 card_number（银行卡号）银行卡号校验位（Luhn）不正确"),
        ("gender", "未知", "字段 gender（性别）性别应为 男 或 女"),
        ("birth_date", "1985-02-30", "字段 birth_date（出生日期）应为日期，格式 YYYY-MM-DD"),
        ("tier", "钻石", "字段 tier（客户层级）取值无效，应为 '大众'、'财富'、'私行'"),
        ("risk_level", "C7", "字段 risk_level（风险等级）取值无效，应为 'C1'、'C2'、'C3'、'C4'、'C5'"),
        ("marketing_consent", "也许", "字段 marketing_consent（营销授权）营销授权应为 是/否（true/false）"),
        ("id", "C 1", "字段 id（客户编号）格式不正确（只能包含字母、数字、- 和 _）"),
        ("tags", "need education", "字段 tags（标签）标签应写成 layer:key=value，多个用分号分隔，或 JSON 数组"),
        ("events", '[{"kind": "party", "date": "2026-12-01"}]', f"字段 events（客户事件）第 1 项 kind 取值无效，应为 {EVENT_KINDS}"),
    ],
)
def test_a_bad_field_is_reported_with_line_and_field_and_without_its_value(tmp_path, field, value, message):
    rows = [customer_row(id="C90001"), customer_row(**{"id": "C90002", field: value})]
    errors = _errors(write_csv(tmp_path / "customers.csv", rows))
    assert errors == [f"第 3 行：{message}"]
    if field in ("id_number", "phone", "card_number"):
        assert value not in "\n".join(errors)


def test_id_number_must_match_the_birth_date(tmp_path):
    row = customer_row(birth_date="1990-01-01")
    assert _errors(write_jsonl(tmp_path / "c.jsonl", [row])) == [
        "第 1 行：身份证号中的出生日期与 birth_date 不一致"
    ]


def test_missing_required_cells_and_all_bad_lines_are_listed(tmp_path):
    rows = [customer_row(id="C90001", city=""), customer_row(id="C90002"), customer_row(id="C90003", phone="1")]
    errors = _errors(write_csv(tmp_path / "c.csv", rows))
    assert errors == [
        "第 2 行：字段 city（城市）缺少必填值",
        "第 4 行：字段 phone（手机号）手机号应为 11 位、以 1 开头的号码",
    ]


def test_jsonl_counts_physical_lines_and_reports_broken_json(tmp_path):
    path = tmp_path / "c.jsonl"
    write_jsonl(path, [customer_row()])
    path.write_text(path.read_text(encoding="utf-8") + "\n{not json\n[1, 2]\n", encoding="utf-8")
    assert _errors(path) == ["第 3 行：不是有效的 JSON", "第 4 行：应为 JSON 对象"]


def test_csv_tags_compact_form_and_chinese_yes_no_are_read(tmp_path):
    [numbered] = read_records(write_csv(tmp_path / "c.csv", [customer_row()]), ADVISORS)
    record = numbered.record
    assert (numbered.line, record.marketing_consent) == (2, True)
    assert [(t.layer, t.key, t.value) for t in record.tags] == [
        ("need", "education", "子女教育金储备"), ("behavior", "channel", "手机银行"),
    ]
    assert record.holdings[0].maturity_date.isoformat() == "2026-12-20"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("c.xlsx", "x", "不支持的文件类型 .xlsx：请使用 .csv 或 .jsonl"),
        ("c.csv", "id,shoe_size\nC1,42\n", "第 1 行：无法识别的列 shoe_size"),
    ],
)
def test_unusable_files_are_bad_input(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BadInput) as error:
        read_records(path, ADVISORS)
    assert str(error.value).startswith(message)


def test_an_empty_file_is_rejected(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text("\n", encoding="utf-8")
    assert _errors(path) == ["文件 c.jsonl 中没有客户数据"]
