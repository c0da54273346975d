"""`rm-copilot opportunities`, `outcomes record` and `report campaigns`: the advisor's day from the shell.

Only option parsing and printing; `MarketingService` decides. `--json` prints the same objects as
`GET /api/v1/opportunities` and `GET /api/v1/reports/campaigns`.
"""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from rm_copilot.channels.cli.domain_errors import exits_2_on_domain_error
from rm_copilot.errors import BadInput

opportunities_app = typer.Typer(help="今日商机：到期、生日、大额入账、闲置资金、测评到期、需求缺口、波动关怀。",
                                invoke_without_command=True, no_args_is_help=False)
outcomes_app = typer.Typer(help="营销结果：已发送、有回复、已约见、已购买、婉拒、投诉。", no_args_is_help=True)
report_app = typer.Typer(help="营销效果报告。", no_args_is_help=True)
needs_app = typer.Typer(help="需求标签推断（来源：模型推断）。", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(opportunities_app, name="opportunities")
    app.add_typer(outcomes_app, name="outcomes")
    app.add_typer(report_app, name="report")
    app.add_typer(needs_app, name="needs")


def _services():
    from rm_copilot.channels.cli.assistant import _ready_services

    return _ready_services(index=False)


def _date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise BadInput(f"日期格式应为 YYYY-MM-DD：{value[:20]}") from None


@opportunities_app.callback()
@exits_2_on_domain_error
def opportunities(
    ctx: typer.Context,
    advisor: Annotated[str | None, typer.Option("--advisor", help="客户经理编号，如 A001")] = None,
    on: Annotated[str | None, typer.Option("--date", help="日期 YYYY-MM-DD，默认今天")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出与 GET /api/v1/opportunities 相同的 JSON")] = False,
) -> None:
    """客户经理今天值得联系的客户，按紧迫度 × 价值 × 匹配度排序，附理由和一键话术的场景与产品。

    Example usage:

        rm-copilot opportunities --advisor A001
        rm-copilot opportunities --advisor A001 --date 2026-12-01 --json
        rm-copilot opportunities dismiss --advisor A001 --customer C00012 --trigger maturity --reason 客户已续存
    """
    if ctx.invoked_subcommand is not None:
        return
    if not advisor:
        raise BadInput("请用 --advisor 指定客户经理编号")
    found = _services().marketing.opportunities(advisor.strip(), _date(on))
    if as_json:
        typer.echo(json.dumps([o.to_dict() for o in found], ensure_ascii=False))
        return
    if not found:
        typer.echo("今天没有需要跟进的商机。")
    for number, item in enumerate(found, start=1):
        product = f"，产品 {item.product_id}" if item.product_id else ""
        contact = "（仅限当面）" if item.face_to_face_only else ""
        typer.echo(f"{number}. [{item.score:.2f}] {item.customer_id} {item.name} · {item.to_dict()['trigger_label']}"
                   f"{contact}（话术场景 {item.scenario}{product}）")
        typer.echo(f"   {item.reason}")


@opportunities_app.command("dismiss")
def dismiss(
    customer: Annotated[str, typer.Option("--customer", help="客户编号")],
    trigger: Annotated[str, typer.Option("--trigger", help="商机类型（如 maturity）或商机 id")],
    reason: Annotated[str, typer.Option("--reason", help="不跟进的原因")],
    advisor: Annotated[str | None, typer.Option("--advisor", help="客户经理编号（核对客户归属）")] = None,
    on: Annotated[str | None, typer.Option("--date", help="日期 YYYY-MM-DD，默认今天")] = None,
) -> None:
    """暂不跟进某个商机；触发条件变化后会重新出现。"""
    result = _services().marketing.dismiss(advisor, customer_id=customer.strip(), trigger=trigger.strip(),
                                           reason=reason, on=_date(on))
    typer.echo(f"已忽略 {len(result['dismissed'])} 个商机：{'、'.join(result['dismissed'])}")


@outcomes_app.command("record")
def record(
    customer: Annotated[str, typer.Option("--customer", help="客户编号")],
    kind: Annotated[str, typer.Option("--kind", help="sent|replied|meeting|purchased|declined|complaint")],
    script: Annotated[str | None, typer.Option("--script", help="话术编号 script_id")] = None,
    campaign: Annotated[str | None, typer.Option("--campaign", help="批量任务编号")] = None,
    variant: Annotated[str | None, typer.Option("--variant", help="话术版本 0–4 或 A–E")] = None,
    product: Annotated[str | None, typer.Option("--product", help="产品编号")] = None,
    detail: Annotated[str | None, typer.Option("--detail", help="金额档位、婉拒原因等")] = None,
    advisor: Annotated[str | None, typer.Option("--advisor", help="客户经理编号（核对客户归属）")] = None,
) -> None:
    """记录一条营销结果。"""
    outcome_id = _services().marketing.record_outcome(
        advisor, customer_id=customer.strip(), kind=kind.strip(), script_id=script, campaign_id=campaign,
        variant=variant, product_id=product, detail=detail, source="cli",
    )
    typer.echo(f"已记录结果 #{outcome_id}")


@report_app.command("campaigns")
def campaigns(
    campaign: Annotated[str | None, typer.Option("--campaign", help="只看某个批量任务")] = None,
    advisor: Annotated[str | None, typer.Option("--advisor", help="只看某位客户经理的结果")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出与 GET /api/v1/reports/campaigns 相同的 JSON")] = False,
    chart: Annotated[Path | None, typer.Option("--chart", help="另存转化率图（PNG）")] = None,
) -> None:
    """营销转化报告：按话术版本、场景、渠道、客群、客户经理，含 Wilson 置信区间与版本间显著性检验。

    Example usage:

        rm-copilot report campaigns
        rm-copilot report campaigns --campaign 3f2a9c --json
    """
    from rm_copilot.marketing.report import scenario_label
    from rm_copilot.vocabulary import CHANNEL_LABELS

    services = _services()
    if advisor:
        services.customers.advisor(advisor.strip())
    report = services.marketing.report(advisor.strip() if advisor else None, campaign)
    if chart is not None:
        chart.write_bytes(services.marketing.report_chart(advisor.strip() if advisor else None, campaign))
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False))
        return
    labels = {"scenario": scenario_label, "channel": lambda v: CHANNEL_LABELS.get(v, v)}
    for name, title in (("variant", "话术版本"), ("scenario", "场景"), ("channel", "渠道"), ("segment", "客群"),
                        ("advisor", "客户经理")):
        typer.echo(f"== 按{title} ==")
        for cell in report[f"by_{name}"]:
            label = labels.get(name, str)(cell["value"])
            if cell["suppressed"]:
                typer.echo(f"  {label}: 客户少于{services.marketing.report_config.suppress_below_customers}人，已隐藏")
            else:
                typer.echo(f"  {label}: {cell['conversions']}/{cell['contacts']} = {cell['rate']:.1%}"
                           f"（95%区间 {cell['ci_low']:.1%}–{cell['ci_high']:.1%}）")
    if report["comparison"]:
        typer.echo("结论：" + report["comparison"]["conclusion"])
    for warning in report["warnings"]:
        typer.echo("注意：" + warning)


@needs_app.command("refresh")
def refresh_needs() -> None:
    """按行为数据重新推断全部客户的需求标签（导入和生成客户后会自动执行）。"""
    stored = _services().inferred_needs.refresh()
    typer.echo(f"已推断 {stored} 个需求标签")


@needs_app.command("show")
def show_needs(customer: Annotated[str, typer.Option("--customer", help="客户编号")],
               as_json: Annotated[bool, typer.Option("--json", help="JSON 输出")] = False) -> None:
    """某位客户录入的与推断的需求标签（录入的优先）。"""
    needs = _services().marketing.customer_needs(None, customer.strip())
    if as_json:
        typer.echo(json.dumps(needs, ensure_ascii=False))
        return
    for item in needs["entered"]:
        typer.echo(f"录入  {item['label']}（{item['source']}）：{item['value']}")
    for item in needs["inferred"]:
        shadowed = "（已有录入标签，以录入为准）" if item["shadowed"] else ""
        typer.echo(f"推断  {item['label']} 置信度{item['confidence']:.2f}{shadowed}：{'；'.join(item['evidence'])}")


@needs_app.command("eval")
def eval_needs(
    count: Annotated[int, typer.Option("--count", help="生成多少位客户", min=100, max=200_000)] = 10_000,
    seed: Annotated[int, typer.Option("--seed", help="评估用的随机种子（规则调校用的是 1，留出评估用 2）")] = 2,
    as_json: Annotated[bool, typer.Option("--json", help="JSON 输出")] = False,
) -> None:
    """在生成的客户上评估需求推断：按需求的精确率、召回率（对照生成器的隐藏需求）。"""
    from rm_copilot.customers.need_evaluation import evaluate_needs
    from rm_copilot.customers.tags import NEED_LABELS
    from rm_copilot.services import get_services

    services = get_services()
    result = evaluate_needs(services.inferred_needs.scorer, services.catalog, count=count, seed=seed)
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    typer.echo(f"客户 {count} 位，种子 {seed}：精确率 {result['precision']:.3f}，召回率 {result['recall']:.3f}")
    for need, figures in result["by_need"].items():
        typer.echo(f"  {NEED_LABELS[need]}（{need}）n={figures['n']}  精确率 {figures['precision']:.3f}  "
                   f"召回率 {figures['recall']:.3f}")
