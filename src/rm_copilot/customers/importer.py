"""Read a customer file (CSV or JSONL, by extension) into validated records, or reject it whole.

Every row is validated; all problems are collected as `第 N 行：…` (N is the line in the file) and
raised together as ImportRejected, so nothing is written unless the whole file is clean.
"""
from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from rm_copilot.customers.records import CustomerRecord
from rm_copilot.errors import BadInput, ImportRejected

COLUMNS: tuple[str, ...] = (
    "id", "advisor_id", "full_name", "id_number", "phone", "card_number", "gender", "birth_date",
    "city", "occupation", "tier", "risk_level", "risk_assessed_at", "marketing_consent", "note",
    "tags", "holdings", "events", "external_userid",
)
FIELD_LABELS = {
    "id": "客户编号", "advisor_id": "客户经理编号", "full_name": "姓名", "id_number": "身份证号",
    "phone": "手机号", "card_number": "银行卡号", "gender": "性别", "birth_date": "出生日期",
    "city": "城市", "occupation": "职业", "tier": "客户层级", "risk_level": "风险等级",
    "risk_assessed_at": "风险测评日期", "marketing_consent": "营销授权", "note": "备注",
    "tags": "标签", "holdings": "持有产品", "events": "客户事件", "external_userid": "企业微信外部联系人ID",
}
_MESSAGES = {
    "missing": "缺少必填值",
    "extra_forbidden": "不是可识别的字段",
    "string_pattern_mismatch": "格式不正确（只能包含字母、数字、- 和 _）",
    "string_too_short": "内容过短",
    "string_too_long": "内容过长",
    "string_type": "应为文本",
    "bool_parsing": "应为 是/否（true/false）",
    "bool_type": "应为 是/否（true/false）",
    "list_type": "应为数组",
    "model_type": "应为对象",
    "dict_type": "应为对象",
}
MAX_ERRORS = 200


@dataclass(frozen=True)
class ImportReport:
    path: str
    created: int
    updated: int

    @property
    def total(self) -> int:
        return self.created + self.updated

    def describe(self) -> str:
        return f"导入完成：共 {self.total} 位客户（新增 {self.created}，更新 {self.updated}）。"


@dataclass(frozen=True)
class NumberedRecord:
    line: int
    record: CustomerRecord


def read_records(path: Path, known_advisors: set[str]) -> list[NumberedRecord]:
    """Validated records of the whole file, or ImportRejected listing every bad line."""
    records: list[NumberedRecord] = []
    errors: list[str] = []
    first_line: dict[str, int] = {}
    for line, row in _rows(path):
        if isinstance(row, str):
            errors.append(f"第 {line} 行：{row}")
            continue
        try:
            record = CustomerRecord.model_validate(row)
        except ValidationError as error:
            errors.extend(f"第 {line} 行：{message}" for message in describe_errors(error))
            continue
        if record.id in first_line:
            errors.append(f"第 {line} 行：客户编号 {record.id} 与第 {first_line[record.id]} 行重复")
            continue
        first_line[record.id] = line
        if record.advisor_id not in known_advisors:
            errors.append(f"第 {line} 行：字段 advisor_id（客户经理编号）{record.advisor_id} 不存在")
            continue
        records.append(NumberedRecord(line, record))
    if errors:
        shown = errors[:MAX_ERRORS]
        if len(errors) > MAX_ERRORS:
            shown.append(f"……另有 {len(errors) - MAX_ERRORS} 处错误未列出")
        raise ImportRejected(shown)
    if not records:
        raise ImportRejected([f"文件 {path.name} 中没有客户数据"])
    return records


def describe_errors(error: ValidationError) -> list[str]:
    """Chinese messages naming the field; the offending input is never repeated (it may be PII)."""
    messages = []
    for item in error.errors(include_input=False, include_url=False):
        loc = item["loc"]
        message = _message(item)
        if not loc:
            messages.append(message)
            continue
        field = str(loc[0])
        where = f"字段 {field}（{FIELD_LABELS[field]}）" if field in FIELD_LABELS else f"字段 {field}"
        if len(loc) > 1:
            where += f"第 {int(loc[1]) + 1} 项" if isinstance(loc[1], int) else f"{loc[1]}"
            where += "".join(f" {part}" for part in loc[2:]) + " "
        messages.append(f"{where}{message}")
    return messages


def _message(item: ErrorDetails) -> str:
    kind = item["type"]
    if kind == "value_error":
        return str(item["ctx"]["error"])
    if kind == "literal_error":
        return "取值无效，应为 " + re.sub(r", | or ", "、", item["ctx"]["expected"])
    if kind.startswith(("date", "datetime")):
        return "应为日期，格式 YYYY-MM-DD"
    return _MESSAGES.get(kind, "取值无效")


def _rows(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    if not path.is_file():
        raise BadInput(f"找不到文件 {path}")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_rows(path)
    if suffix in (".jsonl", ".ndjson"):
        return _jsonl_rows(path)
    raise BadInput(f"不支持的文件类型 {suffix or '(无扩展名)'}：请使用 .csv 或 .jsonl")


def _open(path: Path):
    try:
        return path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        raise BadInput(f"无法读取文件 {path}：{error.strerror}") from None


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    with _open(path) as handle:
        reader = csv.reader(handle)
        try:
            header = [name.strip() for name in next(reader)]
        except StopIteration:
            return
        except (csv.Error, UnicodeDecodeError):
            raise BadInput("第 1 行：无法解析表头（需要 UTF-8 编码的 CSV）") from None
        unknown = [name for name in header if name not in COLUMNS]
        if unknown:
            raise BadInput(f"第 1 行：无法识别的列 {', '.join(unknown)}；可用的列：{', '.join(COLUMNS)}")
        start = reader.line_num + 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except (csv.Error, UnicodeDecodeError):
                yield start, "无法解析这一行（引号不匹配或编码不是 UTF-8）"
                return
            if any(cell.strip() for cell in cells):
                if len(cells) != len(header):
                    yield start, f"有 {len(cells)} 列，表头有 {len(header)} 列"
                else:
                    yield start, {name: cell for name, cell in zip(header, cells, strict=True) if cell.strip()}
            start = reader.line_num + 1


def _jsonl_rows(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    with _open(path) as handle:
        try:
            for number, text in enumerate(handle, start=1):
                if not text.strip():
                    continue
                try:
                    row = json.loads(text)
                except json.JSONDecodeError:
                    yield number, "不是有效的 JSON"
                    continue
                yield number, row if isinstance(row, dict) else "应为 JSON 对象"
        except UnicodeDecodeError:
            raise BadInput("文件不是 UTF-8 编码") from None
