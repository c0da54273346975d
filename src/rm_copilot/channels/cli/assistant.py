"""`rm-copilot ask` and `rm-copilot script`: the assistant from the command line.

Only option parsing and printing; the Copilot answers, and every text it returns has passed the
compliance gate. `--json` prints the same objects as `POST /api/v1/chat` and `POST /api/v1/scripts`.
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from rm_copilot.errors import BadInput
from rm_copilot.vocabulary import SCENARIO_LABELS, VERDICT_LABELS

if TYPE_CHECKING:
    from rm_copilot.services import Services



def register(app: typer.Typer) -> None:
    app.command("ask")(ask)
    app.command("script")(script)


def _ready_services(*, index: bool) -> Services:
    """The process services, with demo data (and the index, when asked) on a fresh home."""
    from rm_copilot.services import get_services

    services = get_services()
    if index and len(services.knowledge_index) == 0:
        from rm_copilot.knowledge.documents import load_documents

        services.knowledge_index.sync(load_documents(services.settings.knowledge_base))
    if services.customers.count() == 0:
        settings = services.settings
        services.customers.ensure_demo_data(services.catalog, seed=settings.demo_seed,
                                            count=settings.demo_customer_count)
    return services


def ask(
    text: Annotated[str, typer.Argument(help="问题，如：大额存单提前支取怎么计息？")],
    customer: Annotated[str | None, typer.Option("--customer", help="客户编号：结合该客户（已脱敏）的情况回答")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出与 POST /api/v1/chat 相同的 JSON")] = False,
) -> None:
    """根据知识库回答问题，并给出引用来源（每个回答都已通过合规检查）。

    Example usage:

        rm-copilot ask "大额存单起购金额是多少？"
        rm-copilot ask "星河天天利适合这位客户吗" --customer C00012 --json
    """
    if not text.strip():
        raise BadInput("问题不能为空")
    answer = _ready_services(index=True).copilot.chat(None, text, customer_id=customer)
    if as_json:
        typer.echo(json.dumps(answer.to_dict(), ensure_ascii=False))
        return
    typer.echo(answer.answer)
    if answer.citations:
        typer.echo("\n引用：")
        for number, citation in enumerate(answer.citations, start=1):
            typer.echo(f"[{number}] {citation['title']}（{citation['chunk_id']}）")
    _echo_compliance(answer.compliance)


def script(
    customer: Annotated[str, typer.Option("--customer", help="客户编号")],
    product: Annotated[str | None, typer.Option("--product", help="产品编号；不填则按客户标签推荐")] = None,
    scenario: Annotated[str | None, typer.Option("--scenario", help="场景：product|maturity|birthday|event|care；不填则按客户事件选择")] = None,
    channel: Annotated[str, typer.Option("--channel", help="渠道：tablet|wecom|sms")] = "tablet",
    variants: Annotated[int, typer.Option("--variants", min=1, max=5, help="生成几个不同版本（1–5）")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="输出与 POST /api/v1/scripts 相同的 JSON")] = False,
) -> None:
    """为客户起草营销话术：点明客户事件、匹配需求、只推荐适当的产品，并附引用与合规结果。

    Example usage:

        rm-copilot script --customer C00012
        rm-copilot script --customer C00012 --channel sms --variants 2 --json
    """
    answer = _ready_services(index=False).copilot.scripts(
        None, customer.strip(), product_id=product, scenario=scenario, channel=channel, variants=variants
    )
    if as_json:
        typer.echo(json.dumps(answer.to_dict(), ensure_ascii=False))
        return
    for number, item in enumerate(answer.scripts, start=1):
        typer.echo(f"—— 话术 {number}（{SCENARIO_LABELS.get(item.scenario, item.scenario)}，{item.channel}，"
                   f"产品 {item.product_id}）——")
        typer.echo(item.text)
        typer.echo("推荐理由：" + "；".join(item.reasons))
        typer.echo("引用：" + "；".join(f"{c['title']}（{c['chunk_id']}）" for c in item.citations))
        _echo_compliance(item.compliance)
        typer.echo("")


def _echo_compliance(result) -> None:
    rules = "、".join(f.rule_id for f in result.findings)
    typer.echo(f"合规检查：{VERDICT_LABELS.get(result.verdict, result.verdict)}" + (f"（{rules}）" if rules else ""))
