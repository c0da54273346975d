"""Risk grades are named one way across the knowledge base (C1–C5 customers, R1–R5 products)."""
from __future__ import annotations

import pytest

from rm_copilot.config import PROJECT_ROOT
from rm_copilot.knowledge.documents import load_documents
from rm_copilot.knowledge.risk_levels import CUSTOMER_RISK_NAMES, RiskNameUse, contradictions, risk_level_names

KNOWLEDGE_BASE = PROJECT_ROOT / "knowledge_base"


def _shipped_uses() -> list[RiskNameUse]:
    uses = []
    for doc in load_documents(KNOWLEDGE_BASE):
        text = doc.body + "\n" + "\n".join(map(str, doc.meta.get("target_customers") or []))
        uses.extend(risk_level_names(text, doc.doc_id))
    return uses


def test_shipped_knowledge_base_names_every_risk_grade_one_way():
    uses = _shipped_uses()
    assert {u.level for u in uses} >= set(CUSTOMER_RISK_NAMES)  # the check really reads the files
    assert contradictions(uses) == {}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("等级从低到高为：C1（保守型）、C2（谨慎型）、C3（稳健型）", [("C1", "保守型"), ("C2", "谨慎型"), ("C3", "稳健型")]),
        ("风险等级为R2(中低风险)。", [("R2", "中低风险")]),
        ("风险承受能力C4及以上的成长型客户", [("C4", "成长型")]),
        ("C5：进取型", [("C5", "进取型")]),
        ("ABC1（保守型）不是等级", []),
    ],
)
def test_risk_level_names_are_found_in_the_forms_the_documents_use(text, expected):
    assert [(u.level, u.name) for u in risk_level_names(text)] == expected


def test_two_names_for_one_grade_are_reported_with_their_sources():
    uses = risk_level_names("C2（谨慎型）", "faq/a") + risk_level_names("C2（稳健型）", "policies/b")
    assert contradictions(uses) == {"C2": {"谨慎型": ["faq/a"], "稳健型": ["policies/b"]}}


def test_a_single_non_canonical_name_is_reported():
    assert contradictions(risk_level_names("C5（激进型）", "faq/x")) == {"C5": {"激进型": ["faq/x"]}}
