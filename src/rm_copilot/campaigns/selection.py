"""Which customers a campaign covers: segment or id file, advisor scope, deterministic shard, limit; streamed.

The advisor scope and the segment's column atoms are applied by the store in SQL, so a job for one
advisor reads only that advisor's customers, and its progress counts only them.
"""
from __future__ import annotations

import csv
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rm_copilot.campaigns.segment import Segment
from rm_copilot.errors import CampaignError


@dataclass(frozen=True)
class Shard:
    index: int  # 1-based, as written on the command line
    count: int

    @classmethod
    def parse(cls, text: str | None) -> Shard | None:
        if text is None:
            return None
        try:
            index_text, count_text = text.split("/")
            shard = cls(int(index_text), int(count_text))
        except ValueError:
            raise CampaignError(f"--shard 应写成 i/n（如 1/4），收到“{text}”") from None
        if not 1 <= shard.index <= shard.count:
            raise CampaignError(f"--shard {text}：i 必须在 1 到 n 之间")
        return shard

    def owns(self, customer_id: str) -> bool:
        return zlib.crc32(customer_id.encode("utf-8")) % self.count == self.index - 1

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def read_customer_ids(path: Path) -> list[str]:
    """Ids from a .txt (one per line), .csv (column customer_id or the first) or .jsonl file."""
    if not path.is_file():
        raise CampaignError(f"客户名单文件不存在：{path}")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise CampaignError(f"客户名单文件不是 UTF-8 编码：{path}") from None
    if path.suffix.lower() == ".jsonl":
        ids = [_jsonl_id(line, number) for number, line in enumerate(text.splitlines(), 1) if line.strip()]
    elif path.suffix.lower() == ".csv":
        rows = list(csv.reader(text.splitlines()))
        column = rows[0].index("customer_id") if rows and "customer_id" in rows[0] else 0
        start = 1 if rows and "customer_id" in rows[0] else 0
        ids = [row[column].strip() for row in rows[start:] if row and row[column].strip()]
    else:
        ids = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    if not ids:
        raise CampaignError(f"客户名单文件为空：{path}")
    return list(dict.fromkeys(ids))


def _jsonl_id(line: str, number: int) -> str:
    try:
        value: Any = json.loads(line)
        return str(value["customer_id"] if isinstance(value, dict) else value)
    except (ValueError, KeyError):
        raise CampaignError(f"客户名单第 {number} 行不是合法 JSON 或缺少 customer_id") from None


def check_listed_ids(customers: Any, customer_ids: list[str]) -> None:
    """Every listed id must exist (an unknown id is a typo in the list, not a customer to skip)."""
    missing = sorted(set(customer_ids) - customers.known_ids(customer_ids))
    if missing:
        shown = "、".join(missing[:5]) + ("等" if len(missing) > 5 else "")
        raise CampaignError(f"客户名单中有 {len(missing)} 个不存在的客户号：{shown}")


def candidate_ids(
    customers: Any,
    *,
    customer_ids: list[str] | None,
    shard: Shard | None,
    advisor_id: str | None = None,
    segment: Segment | None = None,
    batch: int = 500,
) -> Iterator[str]:
    """Ids to scan, in id order: the listed ones or the book, within the advisor's customers and
    the segment's SQL condition (a superset of the segment, exactly it when `segment.exact`); then
    the shard.

    Only ids travel here; a segment that is not exact is finished by the workers on the customers
    they load anyway, so the coordinating process never builds a customer view.
    """
    where = segment.criterion if segment is not None else None
    if customer_ids is None:
        source: Iterator[str] = customers.iter_ids(advisor_id=advisor_id, where=where, batch=batch)
    else:
        check_listed_ids(customers, customer_ids)
        source = customers.filter_ids(sorted(customer_ids), advisor_id=advisor_id, where=where, batch=batch)
    return (customer_id for customer_id in source if shard is None or shard.owns(customer_id))
