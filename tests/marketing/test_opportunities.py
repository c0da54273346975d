"""Today's opportunities: triggers from the YAML, ranking, suitability, consent, dismissal, the demo acceptance."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from rm_copilot.config import PROJECT_ROOT
from rm_copilot.customers.need_inference import Inference
from rm_copilot.customers.views import EventView, HoldingView, TagView
from rm_copilot.knowledge.products import ProductCatalog
from rm_copilot.marketing.opportunities import NO_CONSENT_NOTE, OpportunityEngine
from rm_copilot.marketing.opportunity_config import load_opportunity_config
from rm_copilot.marketing.triggers import CustomerFacts, TriggerDetector

KNOWLEDGE_BASE = PROJECT_ROOT / "knowledge_base"

TODAY = date(2026, 12, 1)
CATALOG = ProductCatalog.from_directory(KNOWLEDGE_BASE)
CONFIG = load_opportunity_config(KNOWLEDGE_BASE / "marketing")


class FakeView:
    """The fields of a CustomerView trigger detection reads."""

    def __init__(self, **fields):
        self.id = fields.get("id", "C90001")
        self.advisor_id = "A001"
        self.name = "张*"
        self.tier = fields.get("tier", "财富")
        self.age = fields.get("age", 45)
        self.risk_level = fields.get("risk_level", "C3")
        self.risk_assessed_at = fields.get("risk_assessed_at", TODAY - timedelta(days=100))
        self.marketing_consent = fields.get("consent", True)
        self.note = fields.get("note")
        self.holdings = fields.get("holdings", [])
        self.events = fields.get("events", [])
        tags = fields.get("tags", [])
        self.tags = {"basic": [], "behavior": [t for t in tags if t.layer == "behavior"],
                     "need": [t for t in tags if t.layer == "need"]}


def tag(layer: str, key: str, value: str, source: str = "客户经理录入") -> TagView:
    return TagView(layer=layer, key=key, value=value, label=key, source=source,
                   updated_at=datetime(2026, 11, 1), stale=False)


def holding(product_id: str, band: str = "20万-50万", maturity: date | None = None) -> HoldingView:
    return HoldingView(product_id=product_id, product_name=CATALOG.get(product_id).name, amount_band=band,
                       maturity_date=maturity)


def event(kind: str, when: date, detail: str = "") -> EventView:
    return EventView(kind=kind, label=kind, date=when, detail=detail, days_until=(when - TODAY).days)


def triggers(view: FakeView, birth: date | None = None, inferred=()) -> list[str]:
    hits = TriggerDetector(CONFIG, CATALOG).detect(CustomerFacts(view, birth, list(inferred)), TODAY)
    return sorted(h.trigger for h in hits)


AUM = tag("behavior", "aum_band", "20万-50万")


@pytest.mark.parametrize("case, view, birth, expected", [
    ("deposit maturing in 10 days", FakeView(tags=[AUM], holdings=[holding("DP001", maturity=TODAY + timedelta(days=10))]),
     None, ["maturity"]),
    ("deposit maturing in 45 days is outside the 30-day window",
     FakeView(tags=[AUM], holdings=[holding("DP001", maturity=TODAY + timedelta(days=45))]), None, []),
    ("a fund has no maturity trigger", FakeView(tags=[AUM], holdings=[holding("FD002", maturity=TODAY + timedelta(days=5))]),
     None, []),
    ("birthday in 3 days", FakeView(tags=[AUM], holdings=[holding("DP001")]), date(1980, 12, 4), ["birthday"]),
    ("birthday in 9 days is outside the week", FakeView(tags=[AUM], holdings=[holding("DP001")]), date(1980, 12, 10), []),
    ("large inflow 3 days ago", FakeView(tags=[AUM], holdings=[holding("DP001")],
                                         events=[event("large_inflow", TODAY - timedelta(days=3), "他行转入约 50 万元")]),
     None, ["large_inflow"]),
    ("assets of 100万+ but only a 1万-5万 holding is idle",
     FakeView(tags=[tag("behavior", "aum_band", "100万-300万")], holdings=[holding("DP001", "1万-5万")]), None,
     ["idle_balance"]),
    ("risk assessment 400 days old has expired", FakeView(tags=[AUM], holdings=[holding("DP001")],
                                                          risk_assessed_at=TODAY - timedelta(days=400)),
     None, ["risk_assessment"]),
    ("risk assessment expiring in 20 days", FakeView(tags=[AUM], holdings=[holding("DP001")],
                                                     risk_assessed_at=TODAY - timedelta(days=345)),
     None, ["risk_assessment"]),
    ("no risk assessment at all", FakeView(tags=[AUM], holdings=[holding("DP001")], risk_level=None,
                                           risk_assessed_at=None), None, ["risk_assessment"]),
    ("education need without an education holding", FakeView(tags=[AUM, tag("need", "education", "子女教育金储备")],
                                                             holdings=[holding("IN002")]), None, ["need_gap"]),
    ("education need answered by an education deposit", FakeView(tags=[AUM, tag("need", "education", "子女教育金储备")],
                                                                 holdings=[holding("DP001")]), None, []),
    ("anxious customer holding a fund that is down", FakeView(tags=[AUM], note="对收益波动较敏感",
                                                              holdings=[holding("DP001"), holding("FD003")]),
     None, ["care"]),
    ("calm customer holding the same fund", FakeView(tags=[AUM], holdings=[holding("DP001"), holding("FD003")]), None, []),
])
def test_each_trigger_fires_on_its_situation_only(case, view, birth, expected):
    assert triggers(view, birth) == expected, case


@pytest.mark.parametrize("confidence, expected", [(0.9, ["need_gap"]), (0.4, [])])
def test_an_inferred_need_counts_only_above_the_configured_confidence(confidence, expected):
    view = FakeView(tags=[AUM], holdings=[holding("DP001")])
    assert triggers(view, inferred=[Inference("travel", confidence, ["搜索“机票”"])]) == expected


def test_an_entered_need_tag_wins_over_an_inferred_one_in_the_reason():
    view = FakeView(tags=[AUM, tag("need", "travel", "出行频繁")], holdings=[holding("DP001")])
    hits = TriggerDetector(CONFIG, CATALOG).detect(
        CustomerFacts(view, None, [Inference("travel", 0.95, ["搜索“机票”"])]), TODAY)
    assert [h.trigger for h in hits] == ["need_gap"]
    assert "客户经理录入" in hits[0].reason and "模型推断" not in hits[0].reason


def _brief(view: FakeView, *, elderly: bool = False, stale: bool = False) -> dict:
    return {"age": view.age, "elderly": elderly, "tier": view.tier, "risk_level": view.risk_level,
            "risk_assessment_stale": stale, "marketing_consent": view.marketing_consent, "needs": [],
            "behaviors": [], "holdings": [{"product_id": h.product_id, "product_name": h.product_name,
                                           "maturity_date": None} for h in view.holdings], "events": []}


def _engine() -> OpportunityEngine:
    return OpportunityEngine(CONFIG, CATALOG)


@pytest.mark.parametrize("case, view, brief_args, max_rank", [
    ("C4 customer", FakeView(risk_level="C4", tags=[AUM, tag("need", "wealth_growth", "增值")],
                             holdings=[holding("CD002")]), {}, 4),
    ("customer aged 70 with C5 gets no R4/R5", FakeView(age=70, risk_level="C5",
                                                         tags=[AUM, tag("need", "wealth_growth", "增值")],
                                                         holdings=[holding("CD002")]), {"elderly": True}, 3),
    ("expired assessment gets R1 only", FakeView(risk_level="C4", risk_assessed_at=TODAY - timedelta(days=500),
                                                 tags=[AUM, tag("need", "wealth_growth", "增值")],
                                                 holdings=[holding("CD002")]), {"stale": True}, 1),
])
def test_the_suggested_product_follows_the_suitability_rule(case, view, brief_args, max_rank):
    found = _engine().for_customers([(CustomerFacts(view, None), _brief(view, **brief_args))], TODAY)
    products = [CATALOG.get(o.product_id) for o in found if o.product_id]
    assert products, case
    assert all(p.risk_rank <= max_rank for p in products), case


def test_without_consent_an_opportunity_is_face_to_face_only_and_says_so():
    view = FakeView(consent=False, tags=[AUM], holdings=[holding("DP001", maturity=TODAY + timedelta(days=5))])
    [found] = _engine().for_customers([(CustomerFacts(view, None), _brief(view))], TODAY)
    assert found.face_to_face_only and found.to_dict()["contact"] == "face_to_face"
    assert NO_CONSENT_NOTE in found.reason


def test_urgency_value_and_fit_rank_a_private_banking_maturity_above_a_mass_one_on_the_same_day():
    due = TODAY + timedelta(days=7)
    mass = FakeView(id="C1", tier="大众", tags=[tag("behavior", "aum_band", "5万-20万")],
                    holdings=[holding("DP001", "5万-20万", due)])
    private = FakeView(id="C2", tier="私行", tags=[tag("behavior", "aum_band", "600万以上")],
                       holdings=[holding("DP001", "300万以上", due)])
    found = _engine().for_customers([(CustomerFacts(v, None), _brief(v)) for v in (mass, private)], TODAY)
    maturities = [o for o in found if o.trigger == "maturity"]
    assert [o.customer_id for o in maturities] == ["C2", "C1"]
    assert maturities[0].score == pytest.approx(maturities[0].urgency * maturities[0].value * maturities[0].fit)


def test_a_sooner_maturity_is_more_urgent():
    soon = FakeView(id="C1", tags=[AUM], holdings=[holding("DP001", maturity=TODAY + timedelta(days=2))])
    later = FakeView(id="C2", tags=[AUM], holdings=[holding("DP001", maturity=TODAY + timedelta(days=25))])
    found = _engine().for_customers([(CustomerFacts(v, None), _brief(v)) for v in (later, soon)], TODAY)
    assert [o.customer_id for o in found] == ["C1", "C2"]


@pytest.mark.parametrize("case, view", [
    ("idle assets", FakeView(risk_level=None, risk_assessed_at=None,
                             tags=[tag("behavior", "aum_band", "100万-300万"), tag("need", "travel", "出行频繁")],
                             holdings=[holding("DP001", "1万-5万")])),
    ("a large inflow", FakeView(tags=[AUM, tag("need", "travel", "出行频繁")], holdings=[holding("DP001")],
                                events=[event("large_inflow", TODAY - timedelta(days=2), "他行转入约 50 万元")])),
    ("an expired risk assessment", FakeView(risk_assessed_at=TODAY - timedelta(days=400),
                                            tags=[AUM, tag("need", "travel", "出行频繁")], holdings=[holding("DP001")])),
])
def test_money_to_place_is_never_paired_with_a_credit_card_or_a_loan(case, view):
    brief = {**_brief(view, stale=view.risk_level is None or view.risk_assessed_at < TODAY - timedelta(days=365)),
             "needs": [{"key": "travel", "label": "出行旅游", "stale": False}]}
    found = _engine().for_customers([(CustomerFacts(view, None), brief)], TODAY)
    money = [o for o in found if o.trigger in ("idle_balance", "large_inflow", "risk_assessment")]
    assert money, case
    assert all(CATALOG.get(o.product_id).type not in ("card", "loan") for o in money if o.product_id), \
        [(o.trigger, o.product_id) for o in money]


# --- the demo store -------------------------------------------------------------------------

def test_on_the_demo_data_every_maturity_within_30_days_and_birthday_within_7_is_listed_with_a_passing_script(
        demo_services):
    today = date.today()
    for advisor in demo_services.customers.advisors():
        found = demo_services.marketing.opportunities(advisor.id, today)
        assert [o.score for o in found] == sorted((o.score for o in found), reverse=True)
        listed = {(o.customer_id, o.trigger) for o in found}
        views = list(demo_services.customers.iter_views(advisor_id=advisor.id))
        births = demo_services.customers.birth_dates([v.id for v in views])
        from rm_copilot.marketing.triggers import next_birthday

        maturing = {v.id for v in views for h in v.holdings
                    if h.maturity_date and 0 <= (h.maturity_date - today).days <= 30
                    and CATALOG.get(h.product_id).type in ("deposit", "wealth")}
        birthdays = {v.id for v in views if (next_birthday(births[v.id], today) - today).days <= 7}
        assert {(c, "maturity") for c in maturing} <= listed
        assert {(c, "birthday") for c in birthdays} <= listed
        for item in (o for o in found if o.trigger in ("maturity", "birthday")):
            assert item.reason
            [script] = demo_services.copilot.scripts(advisor.id, item.customer_id, product_id=item.product_id,
                                                     scenario=item.scenario).scripts
            assert script.compliance.verdict == "pass", item.reason
            check = demo_services.compliance.check(script.text, product_type=CATALOG.get(script.product_id).type)
            assert check.verdict == "pass"


def test_a_dismissed_opportunity_stays_away_until_its_trigger_changes(demo_services):
    marketing = demo_services.marketing
    advisor = demo_services.customers.advisors()[0].id
    first = next(o for o in marketing.opportunities(advisor) if o.trigger == "maturity")
    result = marketing.dismiss(advisor, customer_id=first.customer_id, trigger="maturity", reason="客户已在他行续存")
    assert first.id in result["dismissed"]
    assert first.id not in {o.id for o in marketing.opportunities(advisor)}
    # The maturity date moves: a new fingerprint, so it comes back.
    views = {v.id: v for v in demo_services.customers.iter_views([first.customer_id])}
    view = views[first.customer_id]
    from rm_copilot.marketing.triggers import CustomerFacts as Facts

    moved = view.model_copy(update={"holdings": [h.model_copy(update={"maturity_date": h.maturity_date + timedelta(days=1)})
                                                 if h.maturity_date == first.due_date else h for h in view.holdings]})
    dismissed = marketing.dismissals.fingerprints(advisor)
    again = marketing.opportunity_engine.for_customers([(Facts(moved, None), {"holdings": [], "events": []})],
                                                       date.today(), dismissed)
    assert any(o.trigger == "maturity" for o in again)


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_dismissal_needs_a_reason(demo_services, reason):
    from rm_copilot.errors import BadInput

    advisor = demo_services.customers.advisors()[0].id
    customer = next(demo_services.customers.iter_ids(advisor_id=advisor))
    with pytest.raises(BadInput):
        demo_services.marketing.dismiss(advisor, customer_id=customer, trigger="maturity", reason=reason)


def test_an_opportunity_reason_the_gate_blocks_is_withheld(demo_services):
    from rm_copilot.marketing.service import WITHHELD_REASON

    marketing = demo_services.marketing
    original = marketing._screen
    marketing._screen = lambda text: None  # a gate that blocks every reason
    try:
        found = marketing.opportunities("A001")
    finally:
        marketing._screen = original
    assert found and all(o.reason == WITHHELD_REASON for o in found)
    assert all(o.reason != WITHHELD_REASON for o in marketing.opportunities("A001"))
