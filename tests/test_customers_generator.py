"""The synthetic customer generator: deterministic, importable, coherent."""
from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from stdnum import luhn
from stdnum.cn import ric

from factories import TODAY, fake_catalog
from rm_copilot.customers.generator import generate_customers
from rm_copilot.customers.records import CustomerRecord
from rm_copilot.customers.tags import NEED_LABELS, age_on

ADVISORS = ["A001", "A002", "A003"]


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return generate_customers(600, 42, fake_catalog(), ADVISORS, today=TODAY)


def test_same_seed_gives_identical_output_and_another_seed_differs(rows):
    again = generate_customers(600, 42, fake_catalog(), ADVISORS, today=TODAY)
    assert again == rows
    other = generate_customers(600, 43, fake_catalog(), ADVISORS, today=TODAY)
    assert [r["full_name"] for r in other] != [r["full_name"] for r in rows]


def test_every_row_is_a_valid_import_row(rows):
    for row in rows:
        CustomerRecord.model_validate(row)


def test_ids_start_where_asked_and_spread_round_robin_over_advisors():
    rows = generate_customers(6, 1, fake_catalog(), ADVISORS, today=TODAY, start=321)
    assert [r["id"] for r in rows] == [f"C00{n}" for n in range(321, 327)]
    assert [r["advisor_id"] for r in rows] == ADVISORS * 2


def test_id_numbers_pass_the_check_digit_and_encode_birth_date_and_gender(rows):
    for row in rows:
        number = row["id_number"]
        assert ric.calc_check_digit(number) == number[-1]
        assert ric.get_birth_date(number).isoformat() == row["birth_date"]
        assert int(number[16]) % 2 == (1 if row["gender"] == "男" else 0)


def test_phones_and_cards_have_valid_formats(rows):
    for row in rows:
        assert len(row["phone"]) == 11 and row["phone"][:2] in {"13", "15", "17", "18", "19"}
        card = row["card_number"]
        assert card[:4] in {"6222", "6217"} and len(card) in (16, 19) and luhn.is_valid(card)


def test_ages_span_22_to_82(rows):
    ages = [age_on(date.fromisoformat(r["birth_date"]), TODAY) for r in rows]
    assert min(ages) >= 22 and max(ages) <= 82
    assert min(ages) <= 25 and max(ages) >= 75


def test_most_customers_aged_65_or_more_assess_c1_to_c3(rows):
    elderly = [r for r in rows if age_on(date.fromisoformat(r["birth_date"]), TODAY) >= 65]
    assert len(elderly) >= 30
    conservative = [r for r in elderly if r["risk_level"] in ("C1", "C2", "C3")]
    assert len(conservative) / len(elderly) >= 0.9


def test_holdings_never_exceed_the_customers_risk_level(rows):
    risk = {p.id: int(p.risk_level[1]) for p in fake_catalog().all()}
    for row in rows:
        age = age_on(date.fromisoformat(row["birth_date"]), TODAY)
        limit = int(row["risk_level"][1]) if row["risk_level"] else 1
        limit = min(limit, 3) if age >= 65 else limit
        assert all(risk[h["product_id"]] <= limit for h in row["holdings"])


def test_tier_follows_the_aum_band(rows):
    for row in rows:
        band = next(t["value"] for t in row["tags"] if t["key"] == "aum_band")
        expected = "私行" if band == "600万以上" else "大众" if band in ("5万以下", "5万-20万", "20万-50万") else "财富"
        assert row["tier"] == expected


def test_maturity_events_fall_within_60_days_and_match_a_holding(rows):
    maturities = [(r, e) for r in rows for e in r["events"] if e["kind"] == "maturity"]
    assert len(maturities) >= 60
    for row, event in maturities:
        days = (date.fromisoformat(event["date"]) - TODAY).days
        assert 1 <= days <= 60
        assert event["date"] in {h["maturity_date"] for h in row["holdings"]}


def test_events_are_dated_relative_to_the_reference_date(rows):
    kinds = Counter()
    for row in rows:
        for event in row["events"]:
            kinds[event["kind"]] += 1
            offset = (date.fromisoformat(event["date"]) - TODAY).days
            assert -30 <= offset <= 300
            if event["kind"] == "birthday":
                birth = date.fromisoformat(row["birth_date"])
                assert (birth.month, birth.day) == (date.fromisoformat(event["date"]).month,
                                                   date.fromisoformat(event["date"]).day)
    assert {"birthday", "maturity", "large_inflow", "life_event"} <= kinds.keys()


def test_about_fifteen_percent_have_no_marketing_consent(rows):
    share = sum(not r["marketing_consent"] for r in rows) / len(rows)
    assert 0.08 <= share <= 0.22


def test_tags_cover_three_layers_with_known_needs_and_some_stale(rows):
    stale_cutoff = TODAY - timedelta(days=180)
    stale = 0
    for row in rows:
        layers = {t["layer"] for t in row["tags"]}
        assert {"behavior", "need"} <= layers
        assert all(t["key"] in NEED_LABELS for t in row["tags"] if t["layer"] == "need")
        stale += any(date.fromisoformat(t["updated_at"][:10]) < stale_cutoff for t in row["tags"])
    assert 0 < stale < len(rows)


def test_personas_are_coherent(rows):
    def needs(row):
        return {t["key"] for t in row["tags"] if t["layer"] == "need"}

    def age(row):
        return age_on(date.fromisoformat(row["birth_date"]), TODAY)

    retirees = [r for r in rows if r["occupation"].startswith("退休")]
    assert all(age(r) >= 60 for r in retirees)
    assert all(r["occupation"].startswith("退休") for r in rows if age(r) >= 63)
    retiree_maturities = [r for r in retirees if "retirement" in needs(r)
                          and any(e["kind"] == "maturity" for e in r["events"])]
    assert len(retiree_maturities) >= 10
    owners = [r for r in rows if "business_cashflow" in needs(r)]
    assert owners and all(35 <= age(r) <= 60 for r in owners)
    travellers = [r for r in rows if "travel" in needs(r)]
    assert any(t["value"] == "差旅" for r in travellers for t in r["tags"])
