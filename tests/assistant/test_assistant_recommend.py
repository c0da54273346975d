from __future__ import annotations

import pytest

from assistant_fakes import maturing_deposit, profile
from rm_copilot.assistant.brief import build_brief, date_text
from rm_copilot.assistant.recommend import recommend, suitability_issue
from rm_copilot.customers.views import HoldingView
from rm_copilot.knowledge.products import risk_rank


def brief_of(**kwargs):
    return build_brief(profile(**kwargs))


@pytest.mark.parametrize(
    ("risk_level", "age", "stale", "max_rank"),
    [
        ("C1", 40, False, 1),  # the most cautious customer: R1 only
        ("C3", 40, False, 3),
        ("C5", 40, False, 5),
        ("C5", 70, False, 3),  # 65+: never R4/R5, whatever the assessment says
        (None, 40, False, 1),  # never assessed: R1 only
        ("C4", 40, True, 1),  # expired assessment counts as none
    ],
)
def test_recommendations_never_exceed_the_customers_risk_level(catalog, risk_level, age, stale, max_rank):
    brief = brief_of(risk_level=risk_level, age=age, stale=stale, needs=("wealth_growth", "education"))
    ranked = recommend(brief, catalog, limit=50)
    assert ranked, "a suitable product always exists for these customers"
    assert all(r.product.risk_rank <= max_rank for r in ranked)


def test_suitability_issue_explains_in_chinese(catalog):
    risky = max(catalog.all(), key=lambda p: p.risk_rank)
    assert "高于客户风险承受能力C1" in suitability_issue(risky, brief_of(risk_level="C1"))
    assert "R1" in suitability_issue(risky, brief_of(risk_level=None))
    if risky.risk_rank >= 4:
        assert "65岁及以上" in suitability_issue(risky, brief_of(risk_level="C5", age=70))
    assert suitability_issue(risky, brief_of(risk_level="C5", age=40)) is None


def test_products_already_held_are_not_recommended_again(catalog):
    first = recommend(brief_of(needs=("education",)), catalog, limit=1)[0]
    held = HoldingView(product_id=first.product.id, product_name=first.product.name, amount_band="5万-20万")
    again = recommend(build_brief(profile(needs=("education",), holdings=[held])), catalog, limit=50)
    assert first.product.id not in {r.product.id for r in again}


def test_a_maturing_deposit_leads_with_the_maturity_reason(catalog):
    holding, maturity = maturing_deposit(in_days=20)
    brief = build_brief(profile(holdings=[holding], events=[maturity], needs=("retirement",)))
    top = recommend(brief, catalog, limit=1)[0]
    assert top.reasons[0] == f"您的三年期定期存款将于{date_text(maturity.date)}到期"
    assert top.product.type in ("deposit", "wealth")
    assert top.event and top.event["kind"] == "maturity"


def test_need_tags_become_reasons_and_rank_matching_products_first(catalog):
    ranked = recommend(brief_of(needs=("education",), risk_level="C3"), catalog, limit=3)
    assert "education" in ranked[0].product.needs
    assert "需求标签：子女教育" in ranked[0].reasons
    assert ranked[0].need == "子女教育"


def test_recommendation_dict_has_reasons_and_risk_level(catalog):
    data = recommend(brief_of(), catalog, limit=1)[0].to_dict()
    assert set(data) == {"product_id", "name", "type", "risk_level", "score", "reasons"}
    assert risk_rank(data["risk_level"]) is not None
