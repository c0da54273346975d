"""Campaign summary pushed to a group robot: counts only, split under the limit, through the gate."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "wecom"))
from fake_wecom_api import FakeWeComApi  # noqa: E402
from rm_copilot.campaigns.notify import push_summary, summary_markdown  # noqa: E402
from rm_copilot.channels.wecom.client import GroupRobot  # noqa: E402
from rm_copilot.compliance.engine import ComplianceEngine  # noqa: E402
from rm_copilot.config import PROJECT_ROOT  # noqa: E402

SUMMARY = {
    "product_id": "DP002", "channel": "wecom", "variants": 2, "shard": "1/4", "customers": 120, "rows": 240,
    "by_verdict": {"pass": 180, "skipped": 60}, "by_skip_reason": {"客户未授权营销": 40, "产品风险等级R2高于客户风险承受能力C1": 20},
}


COMPLIANCE = ComplianceEngine.from_directory(PROJECT_ROOT / "knowledge_base" / "compliance")


@pytest.fixture
def robot_api():
    api = FakeWeComApi(corp_id="ww-test", secret="s").start()
    yield api
    api.stop()


def test_summary_is_pushed_to_the_robot_with_counts(robot_api: FakeWeComApi) -> None:
    sent = push_summary(COMPLIANCE, GroupRobot(robot_api.robot_url), SUMMARY)

    calls = robot_api.calls_to("webhook/send")
    assert sent == len(calls) == 1
    content = calls[0].body["markdown"]["content"]
    assert "DP002" in content and "240" in content and "跳过（客户未授权营销）：40" in content


def test_summary_contains_no_customer_identifiers() -> None:
    text = summary_markdown(SUMMARY)
    assert not re.search(r"C\d{5}|\d{11,}", text)
