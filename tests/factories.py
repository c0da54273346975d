"""Small builders for tests: valid customer rows, customer files, a fake product catalogue, stores."""
from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from typing import Any

from stdnum import luhn
from stdnum.cn import ric

from rm_copilot.config import PROJECT_ROOT

DEMO_DIR = PROJECT_ROOT / "knowledge_base" / "demo"
TODAY = date(2026, 11, 23)


def id_number(birth: date = date(1985, 3, 14), *, area: str = "110105", order: str = "123") -> str:
    body = f"{area}{birth:%Y%m%d}{order}"
    return body + ric.calc_check_digit(body + "0")


def card_number(prefix: str = "622202", length: int = 16, fill: str = "4") -> str:
    body = prefix + fill * (length - len(prefix) - 1)
    return body + luhn.calc_check_digit(body)


def customer_row(**overrides: Any) -> dict[str, Any]:
    """A valid import row (JSONL shape); override any field."""
    birth = overrides.pop("birth", date(1985, 3, 14))
    row: dict[str, Any] = {
        "id": "C90001",
        "advisor_id": "A001",
        "full_name": "张建国",
        "id_number": id_number(birth),
        "phone": "13912345678",
        "card_number": card_number(),
        "gender": "男",
        "birth_date": birth.isoformat(),
        "city": "北京",
        "occupation": "工程师",
        "tier": "财富",
        "risk_level": "C3",
        "risk_assessed_at": "2026-03-01",
        "marketing_consent": True,
        "tags": [
            {"layer": "need", "key": "education", "value": "子女教育金储备", "source": "客户经理录入",
             "updated_at": "2026-10-01T09:00:00"},
            {"layer": "behavior", "key": "channel", "value": "手机银行", "source": "渠道日志",
             "updated_at": "2025-01-05T09:00:00"},
        ],
        "holdings": [
            {"product_id": "DP001", "product_name": "星河三年期定期存款", "amount_band": "50万-100万",
             "start_date": "2023-12-20", "maturity_date": "2026-12-20"},
        ],
        "events": [{"kind": "maturity", "date": "2026-12-20", "detail": "三年期定期存款到期"}],
    }
    row.update(overrides)
    return row


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    """CSV with tags in the compact `layer:key=value;…` form and holdings/events as JSON cells."""
    columns = list(rows[0])
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            cells = dict(row)
            if isinstance(cells.get("tags"), list):
                cells["tags"] = ";".join(f"{t['layer']}:{t['key']}={t['value']}" for t in cells["tags"])
            for key in ("holdings", "events"):
                if isinstance(cells.get(key), list):
                    cells[key] = json.dumps(cells[key], ensure_ascii=False)
            if isinstance(cells.get("marketing_consent"), bool):
                cells["marketing_consent"] = "是" if cells["marketing_consent"] else "否"
            writer.writerow(cells)
    return path


def fake_catalog():
    """A few products of each type the generator uses, with the catalogue's real classes."""
    from rm_copilot.knowledge.products import Product, ProductCatalog

    specs = [
        ("WM001", "测试现金管理理财", "wealth", "R1", ["liquidity"], "无固定期限"),
        ("WM002", "测试稳健理财", "wealth", "R2", ["retirement", "education", "wealth_growth"], "封闭期365天"),
        ("WM003", "测试进取理财", "wealth", "R4", ["wealth_growth"], "180天持有期"),
        ("FD001", "测试货币基金", "fund", "R1", ["liquidity"], "开放式，无固定期限"),
        ("FD002", "测试股票基金", "fund", "R5", ["wealth_growth"], "开放式，无固定期限"),
        ("IN001", "测试医疗险", "insurance", "R1", ["medical", "protection"], "保险期间1年"),
        ("IN002", "测试教育金保险", "insurance", "R1", ["education", "child_birth"], None),
        ("DP001", "测试定期存款", "deposit", "R1", ["retirement", "liquidity"], "6个月、1年、3年"),
        ("DP002", "测试大额存单", "deposit", "R1", ["wealth_growth"], "3年"),
        ("LN001", "测试经营贷", "loan", "R1", ["business_cashflow"], "1年至5年"),
        ("LN002", "测试房贷", "loan", "R1", ["housing"], None),
        ("CD001", "测试信用卡", "card", "R1", ["travel", "consumption"], None),
    ]
    return ProductCatalog([
        Product(id=pid, doc_id=f"products/{pid}", name=name, type=kind, risk_level=risk, needs=needs, term=term)
        for pid, name, kind, risk, needs, term in specs
    ])


def make_repository(engine, *, today: date = TODAY):
    """A repository over a fresh schema on `engine`, its clock fixed at `today`."""
    import rm_copilot.customers.models  # noqa: F401
    from rm_copilot.customers.repository import CustomerRepository
    from rm_copilot.db import Base, make_session_factory

    Base.metadata.create_all(engine)
    return CustomerRepository(make_session_factory(engine), demo_dir=DEMO_DIR, clock=lambda: today)
