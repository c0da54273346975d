"""The command line: opportunities, dismiss, outcomes record, report campaigns — same objects as the API."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from marketing_helpers import own_customer
from rm_copilot.cli import app
from rm_copilot.services import reset_services

runner = CliRunner()


@pytest.fixture
def cli_services(demo_services, monkeypatch):
    monkeypatch.setenv("RM_COPILOT_HOME", str(demo_services.settings.resolved_home))
    reset_services(demo_services)
    return demo_services


def test_opportunities_json_is_the_api_list(cli_services):
    result = runner.invoke(app, ["opportunities", "--advisor", "A001", "--json"])
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    assert items == [o.to_dict() for o in cli_services.marketing.opportunities("A001")]
    assert all({"customer_id", "trigger", "reason", "score", "scenario"} <= o.keys() for o in items)


@pytest.mark.parametrize("args, message", [
    (["opportunities", "--advisor", "A999"], "没有找到客户经理"),
    (["opportunities"], "--advisor"),
    (["opportunities", "--advisor", "A001", "--date", "2026-02-30"], "日期格式"),
    (["outcomes", "record", "--customer", "C99999", "--kind", "sent"], "没有找到客户"),
    (["report", "campaigns", "--advisor", "A999"], "没有找到客户经理"),
])
def test_bad_input_exits_2_with_a_chinese_message(cli_services, args, message):
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_record_then_report_without_customer_identity(cli_services):
    customer = own_customer(cli_services, "A001")
    result = runner.invoke(app, ["outcomes", "record", "--customer", customer, "--kind", "meeting",
                                 "--variant", "A", "--advisor", "A001"])
    assert result.exit_code == 0, result.output
    report = runner.invoke(app, ["report", "campaigns", "--json"])
    assert report.exit_code == 0
    body = json.loads(report.stdout)
    assert body["scope"] == "all" and customer not in report.stdout


def test_dismiss_from_the_command_line(cli_services):
    target = cli_services.marketing.opportunities("A002")[0]
    result = runner.invoke(app, ["opportunities", "dismiss", "--advisor", "A002", "--customer", target.customer_id,
                                 "--trigger", target.id, "--reason", "客户近期出差"])
    assert result.exit_code == 0, result.output
    assert target.id not in {o.id for o in cli_services.marketing.opportunities("A002")}
