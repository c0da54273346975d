"""企业群发 on the real store, compliance engine and marketing service, against the fake WeCom API:
a finished campaign or an issued script becomes tasks only for consenting WeCom contacts under the
weekly cap; the advisor's confirmation (in the fake WeCom) comes back as `sent` outcome rows."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from fake_wecom_api import FakeWeComApi
from rm_copilot.campaigns.models import CampaignJob
from rm_copilot.channels.api.app import create_app
from rm_copilot.channels.wecom.mass import NO_CONSENT, NO_CONTACT, NOT_PASSED
from rm_copilot.channels.wecom.models import WeComMassMessage
from rm_copilot.config import get_settings
from rm_copilot.customers.generator import generate_customers
from rm_copilot.customers.records import CustomerRecord
from rm_copilot.db import transaction
from rm_copilot.marketing.models import Outcome
from rm_copilot.services import Services, reset_services

GOOD_TEXT = "您好，本行近期推出一款稳健型理财产品，如您感兴趣，欢迎预约面谈了解详情。理财非存款，产品有风险，投资须谨慎。"
BAD_TEXT = "这款理财保本保息，稳赚不赔，名额有限今天必须买。"


@dataclass
class MassEnv:
    client: TestClient
    services: Services
    api: FakeWeComApi
    customers: list[str]  # A001's: [consenting contacts ×4, no consent, no external id]
    headers: dict[str, str]

    def outcomes(self) -> list[Outcome]:
        with self.services.session_factory() as session:
            return list(session.scalars(select(Outcome).order_by(Outcome.id)))

    def external_id(self, customer_id: str) -> str | None:
        return self.services.customers.get(customer_id).external_userid

    def campaign(self, rows: list[tuple[str, str, str]], job_id: str = "job0001") -> str:
        """A finished API campaign job of A001 with (customer, text, verdict) rows."""
        path = self.services.settings.resolved_home / f"{job_id}.jsonl"
        path.write_text("".join(json.dumps({
            "customer_id": cid, "product_id": "WM001", "variant": 0, "channel": "wecom", "text": text,
            "verdict": verdict, "findings": [], "skipped_reason": None}, ensure_ascii=False) + "\n"
            for cid, text, verdict in rows), encoding="utf-8")
        with transaction(self.services.session_factory) as session:
            session.add(CampaignJob(id=job_id, advisor_id="A001", product_id="WM001", channel="wecom", variants=1,
                                    status="done", processed=len(rows), out_path=str(path)))
        return job_id


@pytest.fixture
def mass_env(wecom_env: FakeWeComApi, monkeypatch: pytest.MonkeyPatch) -> Iterator[MassEnv]:
    monkeypatch.setenv("RM_COPILOT_WECOM_MASS_MAX_PER_WEEK", "2")
    get_settings.cache_clear()
    services = Services(get_settings())
    reset_services(services)
    services.customers.ensure_demo_advisors()
    rows = generate_customers(12, 7, services.catalog, ["A001", "A002"])
    mine = [row for row in rows if row["advisor_id"] == "A001"][:6]
    for row in mine[:5]:
        row["marketing_consent"] = True
    mine[4]["marketing_consent"] = False
    mine[5].update(marketing_consent=True, external_userid=None)
    services.customers.upsert([CustomerRecord.model_validate(row) for row in rows])
    token = services.customers.issue_token("A001")
    app = create_app(services, prepare_on_startup=False)
    with TestClient(app) as client:
        yield MassEnv(client, services, wecom_env, [row["id"] for row in mine], {"Authorization": f"Bearer {token}"})
    if getattr(app.state, "wecom_channel", None) is not None:
        app.state.wecom_channel.close()


def _create(env: MassEnv, body: dict, expected: int = 201) -> dict:
    response = env.client.post("/api/v1/wecom/mass-messages", json=body, headers=env.headers)
    assert response.status_code == expected, response.text
    return response.json()


def test_campaign_task_holds_only_consenting_contacts_and_confirmation_ends_as_sent_outcomes(mass_env: MassEnv):
    reachable, no_consent, no_contact = mass_env.customers[:4], mass_env.customers[4], mass_env.customers[5]
    campaign = mass_env.campaign([(cid, GOOD_TEXT, "pass") for cid in mass_env.customers])

    created = _create(mass_env, {"campaign_id": campaign})

    assert len(mass_env.api.mass_tasks) == 1, json.dumps(created, ensure_ascii=False)
    (task,) = mass_env.api.mass_tasks.values()
    assert task.sender == "zhangwei" and task.text == GOOD_TEXT
    assert sorted(task.status) == sorted(mass_env.external_id(cid) for cid in reachable)
    assert mass_env.external_id(no_consent) not in task.status
    assert {e["customer_id"]: e["reason"] for e in created["excluded"]} == {no_consent: NO_CONSENT, no_contact: NO_CONTACT}
    assert created["counts"] == {"pending": 4, "sent": 0, "failed": 0, "excluded": 2}
    assert mass_env.outcomes() == []  # nothing is sent before the advisor confirms in WeCom

    mass_env.api.confirm_mass_task(task.msgid, not_friends=(mass_env.external_id(reachable[3]),))
    first = mass_env.client.get(f"/api/v1/wecom/mass-messages/{created['id']}", headers=mass_env.headers).json()
    again = mass_env.client.get(f"/api/v1/wecom/mass-messages/{created['id']}", headers=mass_env.headers).json()

    assert first["counts"] == again["counts"] == {"pending": 0, "sent": 3, "failed": 1, "excluded": 2}
    outcomes = mass_env.outcomes()
    assert sorted(o.customer_id for o in outcomes) == sorted(reachable[:3])
    assert {(o.kind, o.channel, o.source, o.campaign_id, o.product_id) for o in outcomes} == {
        ("sent", "wecom", "wecom_mass", campaign, "WM001")}


def test_rows_the_gate_did_not_pass_and_the_weekly_cap_exclude_customers(mass_env: MassEnv):
    first, second = mass_env.customers[0], mass_env.customers[1]
    campaign = mass_env.campaign([(first, GOOD_TEXT, "pass"), (second, BAD_TEXT, "pass")])

    created = [_create(mass_env, {"campaign_id": campaign}) for _ in range(3)]

    assert {e["customer_id"]: e["reason"] for e in created[0]["excluded"]} == {second: NOT_PASSED}
    assert created[1]["counts"]["pending"] == 1
    assert [e["reason"] for e in created[2]["excluded"] if e["customer_id"] == first] == ["近7天已有2条群发，达到每周上限2条"]
    assert all(BAD_TEXT != task.text for task in mass_env.api.mass_tasks.values())


def test_issued_script_is_sent_only_as_its_exact_text_and_never_to_a_customer_without_consent(mass_env: MassEnv):
    log = mass_env.services.marketing.script_log
    consenting, refusing = mass_env.customers[0], mass_env.customers[4]
    issued = {cid: log.issue(advisor_id="A001", customer_id=cid, product_id=None, scenario="event", channel="wecom",
                             variant=0, segment="大众", verdict="pass", text=GOOD_TEXT) for cid in (consenting, refusing)}

    _create(mass_env, {"script_id": issued[consenting], "customer_id": consenting, "text": GOOD_TEXT + "！"}, 400)
    refused = _create(mass_env, {"script_id": issued[refusing], "customer_id": refusing, "text": GOOD_TEXT})
    created = _create(mass_env, {"script_id": issued[consenting], "customer_id": consenting, "text": GOOD_TEXT})

    assert refused["excluded"] == [{"customer_id": refusing, "reason": NO_CONSENT}] and refused["recipients"] == []
    (task,) = mass_env.api.mass_tasks.values()
    assert list(task.status) == [mass_env.external_id(consenting)]
    mass_env.api.confirm_mass_task(task.msgid)
    mass_env.client.get(f"/api/v1/wecom/mass-messages/{created['id']}", headers=mass_env.headers)
    (outcome,) = mass_env.outcomes()
    assert (outcome.customer_id, outcome.script_id, outcome.kind, outcome.scenario) == (
        consenting, issued[consenting], "sent", "event")


def test_another_advisors_campaign_customer_or_task_is_404(mass_env: MassEnv):
    other = next(c.id for c in mass_env.services.customers.list(advisor_id="A002", limit=1))
    script = mass_env.services.marketing.script_log.issue(
        advisor_id="A002", customer_id=other, product_id=None, scenario="event", channel="wecom", variant=0,
        segment="大众", verdict="pass", text=GOOD_TEXT)

    _create(mass_env, {"campaign_id": "nosuchjob"}, 404)
    _create(mass_env, {"script_id": script, "customer_id": other, "text": GOOD_TEXT}, 404)
    assert mass_env.client.get("/api/v1/wecom/mass-messages/abc", headers=mass_env.headers).status_code == 404
    assert mass_env.api.mass_tasks == {}


@pytest.mark.parametrize("body", [
    {}, {"campaign_id": "job0001", "text": GOOD_TEXT}, {"script_id": "S1", "customer_id": "C00001"},
    {"campaign_id": "../etc"},
])
def test_malformed_requests_are_422(mass_env: MassEnv, body: dict):
    _create(mass_env, body, 422)


def test_wecom_refusal_is_a_chinese_502_and_nothing_is_stored(mass_env: MassEnv):
    campaign = mass_env.campaign([(mass_env.customers[0], GOOD_TEXT, "pass")])
    mass_env.api.fail_next(40058)

    answer = _create(mass_env, {"campaign_id": campaign}, 502)

    assert answer["detail"] == "企业微信接口调用失败（错误码 40058）"
    with mass_env.services.session_factory() as session:
        assert session.scalars(select(WeComMassMessage)).all() == []
    assert _create(mass_env, {"campaign_id": campaign})["counts"]["pending"] == 1  # not counted against the cap


def test_tasks_created_before_a_refusal_are_kept_and_followed_up(mass_env: MassEnv):
    first, second = mass_env.customers[:2]
    other_text = GOOD_TEXT.replace("稳健型", "中低风险")
    campaign = mass_env.campaign([(first, GOOD_TEXT, "pass"), (second, other_text, "pass")])
    mass_env.api.fail_next(0, 40058)  # the first task goes through, the second is refused

    answer = _create(mass_env, {"campaign_id": campaign}, 502)

    mass_id = re.search(r"群发编号 ([0-9a-f]{16})", answer["detail"]).group(1)
    (task,) = mass_env.api.mass_tasks.values()
    mass_env.api.confirm_mass_task(task.msgid)
    status = mass_env.client.get(f"/api/v1/wecom/mass-messages/{mass_id}", headers=mass_env.headers).json()
    assert status["counts"]["sent"] == 1 and [o.customer_id for o in mass_env.outcomes()] == [first]


def test_cli_mass_send_and_status_follow_the_same_rules(mass_env: MassEnv):
    from typer.testing import CliRunner

    from rm_copilot.cli import app

    campaign = mass_env.campaign([(cid, GOOD_TEXT, "pass") for cid in mass_env.customers])
    runner = CliRunner()

    sent = runner.invoke(app, ["wecom", "mass-send", "--campaign", campaign, "--json"])
    created = json.loads(sent.stdout)
    (task,) = mass_env.api.mass_tasks.values()
    mass_env.api.confirm_mass_task(task.msgid)
    status = runner.invoke(app, ["wecom", "mass-status", created["id"]])
    missing = runner.invoke(app, ["wecom", "mass-send", "--campaign", "nosuchjob"])

    assert sent.exit_code == 0 and created["counts"]["pending"] == 4
    assert status.exit_code == 0 and "已发送 4" in status.stdout and "客户未授权营销" in status.stdout
    assert missing.exit_code == 2 and "没有找到批量任务" in missing.stderr
    assert len(mass_env.outcomes()) == 4


def test_card_button_press_on_a_real_script_ends_as_an_outcome_row(mass_env: MassEnv):
    from fake_wecom_api import press_button
    from wecom_fakes import AGENT_ID, WeChatPyClient, text_message_xml

    wechat = WeChatPyClient()

    def post(params, body):
        response = mass_env.client.post("/wecom/callback", params=params, content=body)
        assert mass_env.client.app.state.wecom_channel.worker.wait_idle(timeout=120)
        return response

    customer = mass_env.customers[0]
    post(*wechat.encrypted_post(text_message_xml(from_user="zhangwei", content=f"话术 {customer} 产品",
                                                 msg_id="9300000000000001")))
    (card,) = mass_env.api.sent_cards()
    press_button(mass_env.api, post, card=card, button_text="客户有回复", from_user="zhangwei", agent_id=AGENT_ID,
                 signer=wechat)

    (outcome,) = mass_env.outcomes()
    assert (outcome.customer_id, outcome.kind, outcome.channel, outcome.source) == (customer, "replied", "wecom", "wecom_card")
    assert outcome.script_id and outcome.scenario == "product" and outcome.verdict in {"pass", "rewrite"}
    assert mass_env.api.sent_texts()[-1] == f"已记录：{customer} 客户有回复。"

    # `结果` without a script id is attributed to the advisor's latest WeCom script for that customer.
    post(*wechat.encrypted_post(text_message_xml(from_user="zhangwei", content=f"结果 {customer} 已购买 WM001 5万-20万",
                                                 msg_id="9300000000000002")))
    purchase = mass_env.outcomes()[-1]
    assert (purchase.kind, purchase.script_id, purchase.product_id, purchase.detail, purchase.source) == (
        "purchased", outcome.script_id, "WM001", "5万-20万", "wecom_command")


def test_push_today_sends_the_summary_and_a_card_per_top_opportunity(mass_env: MassEnv):
    from typer.testing import CliRunner

    from rm_copilot.cli import app

    expected = mass_env.services.marketing.opportunities("A001")
    assert expected, "the generated customers give A001 opportunities"

    result = CliRunner().invoke(app, ["wecom", "push-today", "--advisor", "A001"])

    cards = mass_env.api.sent_cards()
    assert result.exit_code == 0, result.output
    assert f"A001：已推送 1 条摘要和 {len(cards)} 张商机卡片" in result.stdout
    assert len(cards) == min(5, len(expected))
    assert [c["horizontal_content_list"][0]["value"] for c in cards] == [
        f"{o.name}（{o.customer_id}）" for o in expected[:5]]
    (summary,) = mass_env.api.sent_texts()
    assert all(o.customer_id in summary for o in expected[:10])


def test_without_wecom_settings_a_valid_request_is_503_and_a_malformed_one_422():
    services = Services(get_settings())
    services.customers.ensure_demo_advisors()
    client = TestClient(create_app(services, prepare_on_startup=False))
    headers = {"Authorization": f"Bearer {services.customers.issue_token('A001')}"}

    valid = client.post("/api/v1/wecom/mass-messages", json={"campaign_id": "job0001"}, headers=headers)
    malformed = client.post("/api/v1/wecom/mass-messages", json={"campaign_id": 7}, headers=headers)
    status = client.get("/api/v1/wecom/mass-messages/abc", headers=headers)

    assert (valid.status_code, valid.json()) == (503, {"detail": "企业微信未配置"})
    assert malformed.status_code == 422 and status.status_code == 503


def test_every_mass_text_passes_the_gate_with_the_customers_context_and_is_audited(mass_env: MassEnv):
    from rm_copilot.compliance.audit import AuditRecord

    campaign = mass_env.campaign([(cid, GOOD_TEXT, "pass") for cid in mass_env.customers[:4]])
    _create(mass_env, {"campaign_id": campaign})

    with mass_env.services.session_factory() as session:
        rows = session.scalars(select(AuditRecord).where(AuditRecord.source == "wecom_mass")).all()
    assert sorted(r.customer_id for r in rows) == sorted(mass_env.customers[:4])
    assert {(r.advisor_id, r.channel, r.verdict) for r in rows} == {("A001", "wecom", "pass")}
