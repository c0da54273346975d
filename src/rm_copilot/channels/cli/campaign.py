"""`rm-copilot campaign`: batch copy for a segment, crash-safe and resumable."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from types import TracebackType

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TaskID, TextColumn, TimeRemainingColumn
from rich.progress import Progress as RichProgress
from rich.table import Table

from rm_copilot.campaigns.runner import CampaignSpec, Progress, run_campaign
from rm_copilot.services import get_services


def campaign(
    product: str = typer.Option(..., "--product", help="产品编号，如 DP002"),
    out: Path = typer.Option(..., "--out", help="输出 JSONL 文件"),
    segment: str | None = typer.Option(None, "--segment", help="分群表达式，如 'need:education and age:30-45'；all 表示全部"),
    customers: Path | None = typer.Option(None, "--customers", help="客户号名单文件（txt/csv/jsonl）"),
    resume: bool = typer.Option(False, "--resume", help="从上次中断处继续"),
    workers: int | None = typer.Option(None, "--workers", min=1, max=64, help="并发数，默认按机器核数"),
    variants: int = typer.Option(1, "--variants", min=1, max=5, help="每位客户生成的话术版本数（A/B）"),
    channel: str = typer.Option("wecom", "--channel", help="tablet / wecom / sms"),
    limit: int | None = typer.Option(None, "--limit", min=1, max=10_000_000, help="最多处理的客户数"),
    shard: str | None = typer.Option(None, "--shard", help="分片 i/n，多台机器各跑一片"),
    scenario: str | None = typer.Option(None, "--scenario", help="product/maturity/birthday/event/care，默认按客户事件自动选择"),
    json_output: bool = typer.Option(False, "--json", help="结束时以 JSON 输出汇总"),
    notify_webhook: str | None = typer.Option(
        None, "--notify-webhook", help="结束后把汇总（只有数量，不含客户信息）推送到企业微信群机器人的 webhook 地址"
    ),
) -> None:
    """批量生成营销话术（逐条合规检查，可断点续跑）。

    Example usage:

        rm-copilot campaign --product DP002 --segment "event:maturity<=30" --out out/dp002.jsonl
        rm-copilot campaign --product DP002 --segment all --out out/dp002.jsonl --shard 1/4 --resume
    """
    spec = CampaignSpec(
        product_id=product, channel=channel, variants=variants, segment=segment,
        customers_file=str(customers) if customers else None, limit=limit, shard=shard, scenario=scenario,
    )
    spec.validate()
    services = get_services()
    reporter = _RichReporter() if sys.stderr.isatty() else _PlainReporter()
    try:
        with reporter:
            summary = run_campaign(services, spec, out, resume=resume, workers=workers, on_progress=reporter.update)
    except KeyboardInterrupt:
        typer.echo(f"已中断。已写入的行已保存在 {out}；以相同参数加 --resume 即可从中断处继续。", err=True)
        raise typer.Exit(130) from None
    if json_output:
        typer.echo(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        _print_summary(summary)
    if notify_webhook:
        from rm_copilot.campaigns.notify import push_summary
        from rm_copilot.channels.wecom.client import GroupRobot

        push_summary(services.compliance, GroupRobot(notify_webhook), summary)
        typer.echo("汇总已推送到群机器人。", err=True)


def register(app: typer.Typer) -> None:
    app.command("campaign")(campaign)


class _RichReporter:
    def __init__(self) -> None:
        self._progress = RichProgress(
            TextColumn("[bold]生成话术"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[rate]} 条/秒"), TimeRemainingColumn(),
            console=Console(stderr=True),
        )
        self._task: TaskID | None = None

    def __enter__(self) -> _RichReporter:
        self._progress.__enter__()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._progress.__exit__(kind, error, trace)

    def update(self, progress: Progress) -> None:
        if self._task is None:
            self._task = self._progress.add_task("campaign", total=progress.total_customers, rate="0")
        self._progress.update(
            self._task, completed=progress.customers_done, rate=f"{progress.rows_per_second:.0f}"
        )


class _PlainReporter:
    """Periodic plain lines for logs and CI, where a live bar would be noise."""

    interval = 5.0

    def __init__(self) -> None:
        self._last = 0.0

    def __enter__(self) -> _PlainReporter:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, progress: Progress) -> None:
        now = time.monotonic()
        if now - self._last < self.interval and progress.customers_done != progress.total_customers:
            return
        self._last = now
        total = progress.total_customers or 0
        remaining = (total - progress.customers_done) / (progress.customers_done / progress.elapsed) if progress.customers_done else 0
        typer.echo(
            f"进度 {progress.customers_done}/{total} 位客户，已写 {progress.rows_written} 行，"
            f"{progress.rows_per_second:.0f} 行/秒，预计剩余 {remaining:.0f} 秒",
            err=True,
        )


def _print_summary(summary: dict) -> None:
    console = Console()
    table = Table(title=f"活动汇总：{summary['product_id']} · {summary['channel']}")
    table.add_column("项目")
    table.add_column("数量", justify="right")
    table.add_row("客户数", str(summary["customers"]))
    table.add_row("行数", str(summary["rows"]))
    for verdict, count in sorted(summary["by_verdict"].items()):
        table.add_row(f"结论：{verdict}", str(count))
    for reason, count in sorted(summary["by_skip_reason"].items()):
        table.add_row(f"跳过：{reason}", str(count))
    console.print(table)
    console.print(f"汇总已写入 {summary['output']}.summary.json")
