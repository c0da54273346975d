"""Template cards and their button presses end to end through the callback: a press delivered by the
fake WeCom API (signed and encrypted by wechatpy) is recorded once as an outcome of the advisor's own customer."""
from __future__ import annotations

import pytest

from fake_wecom_api import press_button
from rm_copilot.channels.wecom import replies
from rm_copilot.channels.wecom.cards import CardTarget, button_key, parse_button_key
from rm_copilot.channels.wecom.commands import RESULT_USAGE, RecordOutcome, Today, parse_command
from wecom_fakes import AGENT_ID, BOUND_USER, OTHER_USER, text_message_xml
from wecom_harness import WeComApp


@pytest.mark.parametrize("target", [
    CardTarget("C00012", script_id="S0123456789abcdef0123"),
    CardTarget("C00012", scenario="maturity", product_id="DP002"),
    CardTarget("C00012"),
])
def test_button_key_round_trips_every_kind(target: CardTarget):
    for kind in ("sent", "replied", "declined", "script"):
        press = parse_button_key(button_key(kind, target))
        assert press is not None and (press.kind, press.target) == (kind, target)


@pytest.mark.parametrize("key", [
    None, "", "BUTTONKEYONE", "rmc1:sent:-:-:-:-", "rmc1:purchase:C00012:-:-:-", "rmc2:sent:C00012:-:-:-",
    "rmc1:sent:C00012:-:holiday:-", "rmc1:sent:C00012:S1 OR 1=1:-:-", "rmc1:sent:C00012:-:-",
])
def test_keys_this_app_did_not_write_are_refused(key):
    assert parse_button_key(key) is None


@pytest.mark.parametrize("text, expected", [
    ("今日", Today()),
    ("结果 C00012 已购买 WM004", RecordOutcome("C00012", "purchased", product_id="WM004")),
    ("结果 c00012 不合适 客户近期资金紧张", RecordOutcome("C00012", "declined", detail="客户近期资金紧张")),
    ("结果：C00012，有回复", RecordOutcome("C00012", "replied")),
    ("结果 C00012 已预约 S0123456789abcdef0123", RecordOutcome("C00012", "meeting", script_id="S0123456789abcdef0123")),
])
def test_outcome_and_today_commands_parse(text, expected):
    assert parse_command(text) == expected


def test_outcome_command_with_an_unknown_result_word_answers_its_usage():
    assert parse_command("结果 C00012 还行吧").usage == RESULT_USAGE


def _deliver(app: WeComApp, user: str, content: str, msg_id: str) -> None:
    assert app.post(text_message_xml(from_user=user, content=content, msg_id=msg_id)).status_code == 200
    app.settle()


def _press(app: WeComApp, card: dict, button: str, user: str = BOUND_USER):
    response = press_button(app.api, app.post_signed, card=card, button_text=button, from_user=user,
                            agent_id=AGENT_ID, signer=app.wechat)
    assert (response.status_code, response.text) == (200, "")
    app.settle()


def test_script_command_sends_the_text_then_a_card_with_three_outcome_buttons(wecom_app: WeComApp):
    _deliver(wecom_app, BOUND_USER, "话术 C00012 到期", "9100000000000001")

    (text,) = wecom_app.api.sent_texts()
    (card,) = wecom_app.api.sent_cards()
    assert "续接安排" in text
    assert card["card_type"] == "button_interaction"
    assert [b["text"] for b in card["button_list"]] == ["已发送", "客户有回复", "不合适"]
    assert {"keyname": "客户", "value": "张*（C00012）"} in card["horizontal_content_list"]
    assert any(card["main_title"]["title"] in checked for checked in wecom_app.compliance.checked)


def test_card_press_is_recorded_once_as_the_scripts_outcome(wecom_app: WeComApp):
    _deliver(wecom_app, BOUND_USER, "话术 C00012 到期", "9100000000000002")
    (card,) = wecom_app.api.sent_cards()
    script_id = parse_button_key(card["button_list"][0]["key"]).target.script_id

    _press(wecom_app, card, "已发送")
    _press(wecom_app, card, "已发送")  # WeCom's retry of the same press
    _press(wecom_app, card, "客户有回复")

    assert [(o["customer_id"], o["kind"], o["script_id"], o["channel"], o["source"]) for o in wecom_app.marketing.outcomes] == [
        ("C00012", "sent", script_id, "wecom", "wecom_card"), ("C00012", "replied", script_id, "wecom", "wecom_card"),
    ]
    assert wecom_app.api.sent_texts()[1:] == ["已记录：C00012 已发送。", "已记录：C00012 客户有回复。"]
    # the first press turns the card's buttons into its record; WeCom's code is good for one update
    assert wecom_app.api.card_updates == [(card["task_id"], "已记录：已发送")]


def test_press_by_another_advisor_records_nothing(wecom_app: WeComApp):
    _deliver(wecom_app, BOUND_USER, "话术 C00012 产品", "9100000000000003")
    (card,) = wecom_app.api.sent_cards()

    _press(wecom_app, card, "不合适", user=OTHER_USER)

    assert wecom_app.marketing.outcomes == []
    assert wecom_app.api.sent_texts()[-1] == replies.CUSTOMER_NOT_FOUND


def test_outcome_command_records_the_purchase_with_its_product(wecom_app: WeComApp):
    _deliver(wecom_app, BOUND_USER, "结果 C00012 已购买 WM004 5万-20万", "9100000000000004")

    (outcome,) = wecom_app.marketing.outcomes
    assert (outcome["kind"], outcome["product_id"], outcome["detail"], outcome["source"]) == (
        "purchased", "WM004", "5万-20万", "wecom_command")
    assert wecom_app.api.sent_texts() == ["已记录：C00012 已购买 WM004。"]


def test_today_lists_opportunities_and_a_card_drafts_the_one_tap_script(wecom_app: WeComApp):
    _deliver(wecom_app, BOUND_USER, "今日", "9100000000000005")
    (summary,) = wecom_app.api.sent_texts()
    (card,) = wecom_app.api.sent_cards()
    assert "C00012" in summary and "定期存款将于7天后到期" in summary
    assert card["sub_title_text"] == "定期存款将于7天后到期"
    assert [b["text"] for b in card["button_list"]] == ["生成话术", "已发送", "客户有回复", "不合适"]

    _press(wecom_app, card, "生成话术")

    assert wecom_app.copilot.script_calls[-1] == dict(advisor_id="A001", customer_id="C00012", product_id="DP002",
                                                      scenario="maturity", channel="wecom", variants=1)
    assert len(wecom_app.api.sent_cards()) == 2  # the drafted script's own feedback card


def test_opportunity_card_whose_text_fails_compliance_is_withheld(wecom_app: WeComApp):
    wecom_app.marketing._opportunities[0]["reason"] = "这款产品稳赚不赔"

    _deliver(wecom_app, BOUND_USER, "今日", "9100000000000006")

    assert wecom_app.api.sent_cards() == []
    assert wecom_app.api.sent_texts() == [replies.BLOCKED]


def test_press_with_a_foreign_key_is_answered_and_records_nothing(wecom_app: WeComApp):
    card = {"task_id": "task1", "card_type": "button_interaction",
            "button_list": [{"text": "按钮", "key": "BUTTONKEYONE"}]}
    _press(wecom_app, card, "按钮")
    assert wecom_app.marketing.outcomes == []
    assert wecom_app.api.sent_texts() == [replies.UNKNOWN_CARD]


def _gate_checks(app: WeComApp, card: dict) -> list[dict]:
    from rm_copilot.channels.wecom.cards import card_text

    return [c for c in app.compliance.contexts if c["text"] == card_text(card)]


def test_a_script_card_passes_the_gate_for_the_advisor_and_customer_and_is_audited(wecom_app: WeComApp):
    _deliver(wecom_app, BOUND_USER, "话术 C00012 到期", "9100000000000031")
    (card,) = wecom_app.api.sent_cards()

    checks = _gate_checks(wecom_app, card)
    assert checks and all((c.get("channel"), c.get("advisor_id"), c.get("customer_id"), c.get("source"))
                          == ("wecom", "A001", "C00012", "wecom_card") for c in checks)


def test_todays_cards_pass_the_gate_each_with_its_customer_and_the_summary_with_the_advisor(wecom_app: WeComApp):
    _deliver(wecom_app, BOUND_USER, "今日", "9100000000000032")
    (summary,) = wecom_app.api.sent_texts()
    cards = wecom_app.api.sent_cards()

    assert cards and all(
        [(c.get("advisor_id"), c.get("customer_id"), c.get("source")) for c in _gate_checks(wecom_app, card)]
        == [("A001", "C00012", "wecom_card")] for card in cards)
    (summary_check,) = [c for c in wecom_app.compliance.contexts if c["text"] == summary]
    assert (summary_check.get("advisor_id"), summary_check.get("source")) == ("A001", "wecom_today")
