"""Push a finished campaign's summary to a WeCom group robot (群机器人): counts only, never customer data."""
from __future__ import annotations

from typing import Any, Protocol

from rm_copilot.errors import CampaignError


class MarkdownSender(Protocol):
    """What a group robot offers (the WeCom channel's `GroupRobot`): send markdown, return messages sent."""

    def send_markdown(self, text: str) -> int: ...


def summary_markdown(summary: dict[str, Any]) -> str:
    lines = [
        f"**批量话术已生成**：产品 {summary['product_id']}，渠道 {summary['channel']}，每位客户 {summary['variants']} 版",
        f"> 覆盖客户 {summary['customers']} 位，共 {summary['rows']} 行",
    ]
    lines += [f"> 合规结论 {verdict}：{count}" for verdict, count in sorted(summary["by_verdict"].items())]
    lines += [f"> 跳过（{reason}）：{count}" for reason, count in sorted(summary["by_skip_reason"].items())]
    if summary.get("shard"):
        lines.append(f"> 分片 {summary['shard']}")
    lines.append("话术文件已按客户经理分发，请在发送前逐条核对客户信息。")
    return "\n".join(lines)


def push_summary(compliance: Any, robot: MarkdownSender, summary: dict[str, Any]) -> int:
    """Returns the number of robot messages sent; the text passes the compliance gate like any other."""
    text = summary_markdown(summary)
    result = compliance.check(text, channel="wecom")
    if result.verdict == "block":
        raise CampaignError("活动汇总未通过合规检查，未推送到群机器人")
    return robot.send_markdown(result.text)
