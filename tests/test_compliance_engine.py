"""Engine contract: the DESIGN.md §4 JSON object, verdict rules, input validation, audit trail."""
from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import select

from compliance_support import engine
from rm_copilot.compliance.audit import AuditRecord, SqlAuditSink
from rm_copilot.db import create_schema, make_engine, make_session_factory
from rm_copilot.errors import BadInput

FINDING_KEYS = {"rule_id", "category", "severity", "start", "end", "matched", "message", "suggestion"}


def test_to_dict_has_exactly_the_design_fields():
    payload = engine().check("这款理财保本保息").to_dict()
    assert set(payload) == {"verdict", "text", "findings", "rulebook_version"}
    assert payload["verdict"] == "block"
    (finding,) = payload["findings"]
    assert FINDING_KEYS <= set(finding)
    assert finding | {"basis": None, "pattern": None, "evasion": None} == {
        "rule_id": "guarantee.principal", "category": "guarantee", "severity": "block", "start": 4, "end": 8,
        "matched": "保本保息", "message": finding["message"], "suggestion": finding["suggestion"],
        "basis": None, "pattern": None, "evasion": None,
    }
    assert finding["message"] and finding["suggestion"] and "广告法" in finding["basis"]
    json.dumps(payload, ensure_ascii=False)  # serialisable as is


def test_warn_alone_leaves_the_verdict_pass():
    from datetime import date

    from compliance_support import RULEBOOK_DIR
    from rm_copilot.compliance.engine import ComplianceEngine

    before_in_force = ComplianceEngine.from_directory(RULEBOOK_DIR, today=date(2026, 1, 1))
    result = before_in_force.check("低门槛，一元起投")
    assert [f.severity for f in result.findings] == ["warn"]
    assert result.verdict == "pass"
    assert result.text == "低门槛，一元起投"


def test_rewrite_combines_replacement_masking_and_disclosure():
    result = engine().check("预期收益率3.5%，详询13812345678", product_type="wealth")
    assert result.verdict == "rewrite"
    assert result.text == "业绩比较基准3.5%，详询138****5678。理财非存款、产品有风险、投资须谨慎。"
    assert engine().check(result.text, product_type="wealth").verdict == "pass"


@pytest.mark.parametrize(
    "text, options, message",
    [
        ("", {}, "为空"),
        ("   \n", {}, "为空"),
        ("您好", {"product_type": "stock"}, "未知的产品类型"),
        ("您好", {"channel": "fax"}, "未知的渠道"),
    ],
)
def test_bad_input_is_refused_in_chinese(text, options, message):
    with pytest.raises(BadInput, match=message):
        engine().check(text, **options)


@pytest.fixture
def session_factory(tmp_path):
    db = make_engine(f"sqlite:///{tmp_path / 'audit.db'}")
    create_schema(db)
    return make_session_factory(db)


def test_audit_records_verdict_rules_and_hash_never_the_text(session_factory):
    text = "保本保息，电话13812345678"
    result = engine().check(text)
    SqlAuditSink(session_factory).record(result, advisor_id="A001", channel="wecom", customer_id="C00001",
                                         source="assistant", original_text=text)
    with session_factory() as session:
        (record,) = session.scalars(select(AuditRecord)).all()
    assert (record.advisor_id, record.channel, record.customer_id, record.source) == ("A001", "wecom", "C00001", "assistant")
    assert record.verdict == "block"
    assert record.rule_id_list == ["guarantee.principal", "pii.phone"]
    assert record.text_sha256 == hashlib.sha256(text.encode()).hexdigest()
    assert record.text_length == len(text)
    assert record.rulebook_version == engine().version
    assert record.created_at is not None
    stored = " ".join(str(getattr(record, column.name)) for column in AuditRecord.__table__.columns)
    assert "13812345678" not in stored and "保本保息" not in stored
