from __future__ import annotations

import json
import re

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from assistant_fakes import (
    BLOCKED_PHRASES,
    GUARANTEE,
    INJECTION,
    FailingModel,
    FakeCustomers,
    ObedientModel,
    event,
    make_copilot,
    maturing_deposit,
    profile,
)
from rm_copilot.assistant.brief import date_text
from rm_copilot.assistant.facts import facts_chunk_id, product_facts
from rm_copilot.assistant.scripts import default_scenario
from rm_copilot.errors import BadInput, NotFound
from rm_copilot.knowledge.products import risk_rank

EMOJI = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF]")
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def customer_grid() -> FakeCustomers:
    """Customers across risk levels, ages, needs and events (the shapes the generator produces)."""
    customers = FakeCustomers()
    needs_cycle = [("education",), ("retirement", "medical"), ("liquidity",), ("wealth_growth",), ("protection",),
                   ("housing", "consumption"), ("travel",), ("inheritance",)]
    n = 0
    for risk in ("C1", "C2", "C3", "C4", "C5", None):
        for age in (30, 52, 70):
            for needs in needs_cycle[n % 4: n % 4 + 2]:
                n += 1
                holdings, events = [], []
                if n % 3 == 0:
                    holding, maturity = maturing_deposit(in_days=5 + n)
                    holdings, events = [holding], [maturity]
                elif n % 3 == 1:
                    events = [event("birthday", n % 10)]
                customers.add(profile(f"C{n:05d}", age=age, risk_level=risk, needs=needs, holdings=holdings,
                                      events=events, gender="男" if n % 2 else "女"))
    return customers


@pytest.fixture
def grid(tmp_path, catalog, engine):
    customers = customer_grid()
    return customers, make_copilot(tmp_path, catalog, engine, customers=customers)


@pytest.mark.parametrize("channel", ["tablet", "wecom", "sms"])
def test_builtin_scripts_pass_compliance_name_the_event_and_stay_suitable(grid, catalog, engine, channel):
    customers, copilot = grid
    for customer_id, (_, p, _, _) in customers.rows.items():
        script = copilot.scripts("A001", customer_id, channel=channel).scripts[0]
        product = catalog.get(script.product_id)
        context = customers.compliance_context(customer_id)
        recheck = engine.check(script.text, product_type=product.type, channel=channel, customer=context)
        assert recheck.verdict == "pass", (customer_id, script.text, recheck.findings)
        assert script.origin == "builtin"
        limit = 1 if p.risk_level is None else risk_rank(p.risk_level)
        assert product.risk_rank <= (min(limit, 3) if p.age >= 65 else limit)
        soon = [e for e in p.events if e.kind == script.scenario]
        if soon:
            assert date_text(soon[0].date) in script.text
        assert script.citations[0]["product_id"] == product.id
        assert script.citations[0]["chunk_id"] == facts_chunk_id(product)
        for mentioned in catalog.find_mentions(script.text):
            assert mentioned.id in {c["product_id"] for c in script.citations}


def test_script_numbers_come_from_product_facts_or_the_customer(grid, catalog):
    customers, copilot = grid
    for customer_id, (_, p, _, _) in list(customers.rows.items())[:12]:
        script = copilot.scripts("A001", customer_id).scripts[0]
        sources = json.dumps(product_facts(catalog.get(script.product_id)), ensure_ascii=False)
        sources += " ".join(date_text(e.date) for e in p.events)
        for number in NUMBER.findall(script.text):
            assert number in sources, (number, script.text)


def test_scenario_defaults_follow_the_nearest_event():
    holding, maturity = maturing_deposit(in_days=10)
    from rm_copilot.assistant.brief import build_brief

    assert default_scenario(build_brief(profile(holdings=[holding], events=[maturity]))) == "maturity"
    assert default_scenario(build_brief(profile(events=[event("birthday", 3)]))) == "birthday"
    assert default_scenario(build_brief(profile(events=[event("birthday", 60)]))) == "product"


def test_channels_differ_in_length_and_form(grid):
    _, copilot = grid
    tablet, wecom, sms = (copilot.scripts("A001", "C00003", channel=c).scripts[0] for c in ("tablet", "wecom", "sms"))
    assert "沟通要点" in tablet.text and "沟通要点" not in wecom.text
    assert len(sms.text) < len(wecom.text) < len(tablet.text)
    assert not EMOJI.search(wecom.text)
    assert sms.text.endswith("拒收请回复R")
    segments = sms.to_dict()["segments"]
    assert len(segments) <= 2 and all(len(s) <= 70 for s in segments)


def test_variants_are_distinct_phrasings_of_the_same_product(grid):
    _, copilot = grid
    scripts = copilot.scripts("A001", "C00002", channel="wecom", variants=3).scripts
    assert len({s.text for s in scripts}) == 3
    assert len({s.product_id for s in scripts}) == 1
    assert [s.to_dict()["variant"] for s in scripts] == [0, 1, 2]


def test_wealth_scripts_use_benchmark_wording_and_the_required_disclosure(grid, catalog):
    _, copilot = grid
    wealth = next(p for p in catalog.by_type("wealth") if p.risk_rank <= 2 and p.benchmark)
    script = copilot.scripts("A001", "C00004", product_id=wealth.id).scripts[0]
    assert "业绩比较基准" in script.text and "预期收益" not in script.text
    assert "理财非存款" in script.text


def test_each_scenario_produces_a_passing_script(grid):
    _, copilot = grid
    for scenario in ("product", "maturity", "birthday", "event", "care"):
        script = copilot.scripts("A001", "C00003", scenario=scenario, channel="wecom").scripts[0]
        assert script.scenario == scenario
        assert script.compliance.verdict == "pass"


def test_unsuitable_product_and_bad_options_are_refused_in_chinese(grid, catalog):
    _, copilot = grid
    risky = max(catalog.all(), key=lambda p: p.risk_rank)
    with pytest.raises(BadInput, match="不能向该客户推荐"):
        copilot.scripts("A001", "C00001", product_id=risky.id)  # C00001 is C1
    with pytest.raises(BadInput, match="渠道"):
        copilot.scripts("A001", "C00001", channel="fax")
    with pytest.raises(BadInput, match="版本数"):
        copilot.scripts("A001", "C00001", variants=9)


def test_another_advisors_customer_is_not_found(grid):
    _, copilot = grid
    with pytest.raises(NotFound):
        copilot.scripts("A002", "C00001")


def test_scripts_dict_is_the_design_shape(grid):
    _, copilot = grid
    data = copilot.scripts("A001", "C00002").to_dict()
    script = data["scripts"][0]
    assert {"text", "product_id", "scenario", "reasons", "citations", "compliance"} <= set(script)
    assert set(script["compliance"]) == {"verdict", "findings"}
    assert {"source", "title", "product_id", "chunk_id"} == set(script["citations"][0])


@pytest.mark.parametrize("channel", ["tablet", "wecom", "sms"])
def test_llm_that_promises_guarantees_never_reaches_a_script(tmp_path, catalog, engine, channel):
    customers = customer_grid()
    model = FakeListChatModel(responses=[GUARANTEE])
    copilot = make_copilot(tmp_path, catalog, engine, customers=customers, model=model)
    for script in copilot.scripts("A001", "C00003", channel=channel, variants=2).scripts:
        assert not any(phrase in script.text for phrase in BLOCKED_PHRASES)
        assert script.compliance.verdict != "block"
        assert script.origin == "builtin"


def test_llm_blocked_once_is_regenerated_with_the_findings(tmp_path, catalog, engine):
    customers = customer_grid()
    wealth = next(p for p in catalog.by_type("wealth") if p.risk_rank == 1)
    clean = f"张先生您好，可以了解一下{wealth.name}，风险等级{wealth.risk_level}，具体以产品说明书为准。"
    seen: list[str] = []

    class Recording(FakeListChatModel):
        def _call(self, messages, stop=None, run_manager=None, **kwargs):
            seen.append(str(messages[-1].content))
            return super()._call(messages, stop, run_manager, **kwargs)

    copilot = make_copilot(tmp_path, catalog, engine, customers=customers,
                           model=Recording(responses=[GUARANTEE, clean]))
    script = copilot.scripts("A001", "C00004", product_id=wealth.id).scripts[0]
    assert script.origin == "llm_retry"
    assert script.text.startswith(clean.rstrip("。"))
    assert "理财非存款" in script.text  # the gate's rewrite added the required disclosure
    assert "未通过合规检查" in seen[1] and "保本" in seen[1]


def test_llm_timeout_falls_back_to_the_builtin_script(tmp_path, catalog, engine):
    model = FailingModel()
    copilot = make_copilot(tmp_path, catalog, engine, customers=customer_grid(), model=model)
    script = copilot.scripts("A001", "C00003").scripts[0]
    assert script.origin == "builtin" and script.compliance.verdict == "pass"
    assert model.calls == 1


def test_injection_in_a_customer_note_changes_nothing(tmp_path, catalog, engine):
    customers = FakeCustomers()
    customers.add(profile("C00077"), note=INJECTION + "客户手机13912345678")
    builtin = make_copilot(tmp_path, catalog, engine, customers=customers)
    plain = builtin.scripts("A001", "C00077").scripts[0]
    assert "保本" not in plain.text.replace("不保本", "")
    obedient = make_copilot(tmp_path / "llm", catalog, engine, customers=customers, model=ObedientModel())
    script = obedient.scripts("A001", "C00077").scripts[0]
    assert not any(phrase in script.text for phrase in BLOCKED_PHRASES)
    assert script.text == plain.text


def test_prompt_sent_to_an_llm_holds_only_the_masked_profile(tmp_path, catalog, engine):
    customers = FakeCustomers()
    from factories import id_number

    customers.add(profile("C00078"), note=f"张建国手机13912345678，身份证{id_number()}", full_name="张建国")
    prompts: list[str] = []

    class Capturing(FakeListChatModel):
        def _call(self, messages, stop=None, run_manager=None, **kwargs):
            prompts.append("\n".join(str(m.content) for m in messages))
            return super()._call(messages, stop, run_manager, **kwargs)

    copilot = make_copilot(tmp_path, catalog, engine, customers=customers, model=Capturing(responses=["您好。"]))
    copilot.scripts("A001", "C00078")
    assert prompts
    for prompt in prompts:
        assert "张建国" not in prompt
        assert "13912345678" not in prompt
        assert id_number() not in prompt
        assert "张先生" in prompt and "<customer>" in prompt


def test_sms_for_every_product_type_stays_within_two_segments(grid, catalog):
    _, copilot = grid
    for product_type in ("wealth", "fund", "insurance", "deposit", "loan"):
        product = min(catalog.by_type(product_type), key=lambda p: p.risk_rank)
        for script in copilot.scripts("A001", "C00014", product_id=product.id, channel="sms", variants=3).scripts:
            segments = script.to_dict()["segments"]
            assert len(segments) <= 2, script.text
            assert script.text.endswith("拒收请回复R") and script.compliance.verdict == "pass"
        assert len({s.text for s in copilot.scripts("A001", "C00014", product_id=product.id, channel="sms",
                                                     variants=3).scripts}) == 3


def test_life_events_are_named_but_health_matters_never_are(tmp_path, catalog, engine):
    customers = FakeCustomers()
    customers.add(profile("C00081", events=[event("life_event", 40, "孩子明年参加中考")]))
    customers.add(profile("C00082", events=[event("life_event", -3, "家人近期住院治疗")]))
    copilot = make_copilot(tmp_path, catalog, engine, customers=customers)
    assert "孩子明年参加中考" in copilot.scripts("A001", "C00081").scripts[0].text
    assert "住院" not in copilot.scripts("A001", "C00082").scripts[0].text


def test_customers_without_marketing_consent_get_a_face_to_face_only_note(tmp_path, catalog, engine):
    customers = FakeCustomers()
    customers.add(profile("C00091").model_copy(update={"marketing_consent": False}))
    customers.add(profile("C00092"))
    copilot = make_copilot(tmp_path, catalog, engine, customers=customers)
    assert "客户未授权营销" in copilot.scripts("A001", "C00091").scripts[0].text
    assert "客户未授权营销" not in copilot.scripts("A001", "C00092").scripts[0].text


@pytest.mark.parametrize("channel", ["wecom", "sms"])
def test_scripts_sent_to_a_customer_without_consent_lead_with_a_do_not_send_warning(tmp_path, catalog, engine, channel):
    customers = FakeCustomers()
    customers.add(profile("C00091").model_copy(update={"marketing_consent": False}))
    customers.add(profile("C00092"))
    copilot = make_copilot(tmp_path, catalog, engine, customers=customers)
    assert copilot.scripts("A001", "C00091", channel=channel).scripts[0].reasons[0].startswith("客户未授权营销")
    assert not any("未授权" in r for r in copilot.scripts("A001", "C00092", channel=channel).scripts[0].reasons)


def test_emoji_from_an_llm_never_reach_wecom(tmp_path, catalog, engine):
    wealth = next(p for p in catalog.by_type("wealth") if p.risk_rank == 1)
    reply = f"张先生您好😊，可以了解一下{wealth.name}，风险等级{wealth.risk_level}，具体以产品说明书为准。"
    copilot = make_copilot(tmp_path, catalog, engine, customers=customer_grid(),
                           model=FakeListChatModel(responses=[reply]))
    script = copilot.scripts("A001", "C00004", product_id=wealth.id, channel="wecom").scripts[0]
    assert script.origin == "llm" and not EMOJI.search(script.text)
