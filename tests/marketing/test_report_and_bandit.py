"""The A/B report (intervals, significance, suppression, no identity) and the phrasing bandit."""
from __future__ import annotations

import json
import random
from collections import Counter

import pytest

from rm_copilot.config import PROJECT_ROOT
from rm_copilot.marketing.bandit import ThompsonVariantPolicy
from rm_copilot.marketing.outcomes import Contact
from rm_copilot.marketing.report import build_report
from rm_copilot.marketing.settings import load_report_config
from rm_copilot.marketing.simulation import simulate_ab

CONFIG = load_report_config(PROJECT_ROOT / "knowledge_base" / "marketing")


def contacts(variant: int, n: int, converted: int, *, customers: int | None = None, scenario="product",
             segment="财富", channel="wecom", advisor="A001") -> list[Contact]:
    customers = customers or n
    return [Contact(f"{variant}-{i}", advisor, f"C{variant}{i % customers:04d}", None, variant, scenario, channel,
                    segment, "WM001", {"sent", "replied"} if i < converted else {"sent"}) for i in range(n)]


def test_b_converting_twice_as_often_as_a_over_2000_sends_is_reported_better_with_p_below_005():
    rng = random.Random(12)
    rows = [c for v, rate in ((0, 0.05), (1, 0.10)) for c in contacts(v, 1000, 0)]
    for contact in rows:
        if rng.random() < (0.05 if contact.variant == 0 else 0.10):
            contact.kinds.add("replied")
    report = build_report(rows, CONFIG)
    comparison = report["comparison"]
    assert comparison["best"] == "B" and comparison["runner_up"] == "A"
    assert comparison["significant"] and comparison["p_value"] < 0.05
    assert "显著高于" in comparison["conclusion"]
    for cell in report["by_variant"]:
        assert cell["ci_low"] < cell["rate"] < cell["ci_high"]
        assert cell["kinds"]["sent"] == cell["contacts"] and cell["kinds"]["replied"] == cell["conversions"]


def test_equal_variants_are_not_called_different():
    report = build_report(contacts(0, 400, 40) + contacts(1, 400, 41), CONFIG)
    assert not report["comparison"]["significant"]
    assert "不显著" in report["comparison"]["conclusion"]


def test_wilson_interval_matches_statsmodels():
    from statsmodels.stats.proportion import proportion_confint

    [cell] = build_report(contacts(0, 200, 30), CONFIG)["by_variant"]
    low, high = proportion_confint(30, 200, alpha=0.05, method="wilson")
    assert (cell["ci_low"], cell["ci_high"]) == (round(low, 4), round(high, 4))


@pytest.mark.parametrize("customers, suppressed", [(4, True), (5, False)])
def test_cells_with_fewer_than_5_customers_are_suppressed(customers, suppressed):
    report = build_report(contacts(0, 300, 30) + contacts(1, 40, 10, customers=customers), CONFIG)
    cell = next(c for c in report["by_variant"] if c["value"] == "B")
    assert cell["suppressed"] is suppressed
    if suppressed:
        assert set(cell) == {"value", "suppressed"}
        assert any("已隐藏" in w for w in report["warnings"])


def test_small_variants_get_a_minimum_sample_warning():
    report = build_report(contacts(0, 30, 3) + contacts(1, 30, 6), CONFIG)
    assert any("版本A仅有30次触达" in w for w in report["warnings"])


def test_report_breaks_down_by_every_dimension_and_never_names_a_customer():
    rows = (contacts(0, 50, 5, scenario="maturity", channel="sms", advisor="A002")
            + contacts(1, 50, 9, scenario="birthday", segment="私行"))
    report = build_report(rows, CONFIG)
    assert {c["value"] for c in report["by_scenario"]} == {"maturity", "birthday"}
    assert {c["value"] for c in report["by_channel"]} == {"sms", "wecom"}
    assert {c["value"] for c in report["by_segment"]} == {"财富", "私行"}
    assert {c["value"] for c in report["by_advisor"]} == {"A001", "A002"}
    text = json.dumps(report, ensure_ascii=False)
    assert not any(c.customer_id in text for c in rows)


@pytest.fixture(scope="module")
def simulated(demo_services):
    """2,000 sends of the 财富 product script, B converting twice as often as A."""
    marketing = demo_services.marketing
    customers = [(v.id, v.advisor_id) for v in demo_services.customers.iter_views(advisor_id="A001")]
    counts = simulate_ab(marketing.script_log, marketing.outcomes, customers=customers, rates={0: 0.05, 1: 0.10},
                         sends=2000, scenario="product", segment="财富", rng=random.Random(2026))
    return counts


def test_the_api_report_says_b_is_better_after_the_simulation(client, tokens, simulated):
    answer = client.get("/api/v1/reports/campaigns", headers=tokens["A001"])
    assert answer.status_code == 200
    report = answer.json()
    assert report["scope"] == "advisor"
    assert report["comparison"]["best"] == "B" and report["comparison"]["p_value"] < 0.05
    assert {c["value"] for c in report["by_advisor"]} == {"A001"}


def test_the_chart_is_a_png(client, tokens, simulated):
    answer = client.get("/api/v1/reports/campaigns/chart.png", headers=tokens["A001"])
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/png"
    assert answer.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_another_advisors_campaign_report_is_404(client, tokens):
    assert client.get("/api/v1/reports/campaigns?campaign_id=nojob", headers=tokens["A001"]).status_code == 404


def test_after_the_simulation_the_bandit_chooses_b_in_most_of_200_seeded_draws(demo_services, simulated):
    marketing = demo_services.marketing
    policy = ThompsonVariantPolicy(marketing.outcomes.variant_counts, CONFIG, random.Random(7))
    draws = Counter(policy.choose("product", {"tier": "财富", "elderly": False})[0] for _ in range(200))
    assert draws[1] >= 140, draws
    variant, reason = policy.choose("product", {"tier": "财富", "elderly": False})
    assert "转化/触达" in reason and "B" in reason


def test_without_enough_evidence_the_default_phrasing_stays(demo_services, simulated):
    policy = ThompsonVariantPolicy(demo_services.marketing.outcomes.variant_counts, CONFIG, random.Random(7))
    assert {policy.choose("care", {"tier": "私行", "elderly": True})[0] for _ in range(20)} == {0}


def test_scripts_for_that_segment_use_b_and_say_why_and_still_pass_compliance(demo_services, simulated):
    copilot = demo_services.copilot
    copilot.writer.variant_policy = ThompsonVariantPolicy(demo_services.marketing.outcomes.variant_counts, CONFIG,
                                                          random.Random(3))
    try:
        customer = next(v.id for v in demo_services.customers.iter_views(advisor_id="A001")
                        if v.tier == "财富" and v.age < 65)
        chosen = []
        for _ in range(10):
            [script] = copilot.scripts("A001", customer, scenario="product").scripts
            assert script.compliance.verdict == "pass"
            assert any(r.startswith("话术版本") for r in script.reasons)
            chosen.append(script.variant)
        assert chosen.count(1) >= 7, chosen
    finally:
        copilot.writer.variant_policy = demo_services.marketing.variant_policy
