"""`rm-copilot customers …` and `rm-copilot advisors …`: customer data and advisors.

Every customer shown here comes from the repository's masked views. On a store without customers
the read commands (`customers list|show`) first load the demo data (advisors + synthetic
customers, as `rm-copilot index` does); the other commands only add the demo advisors when the
store has no advisor at all, so an import or a generation never mixes with demo customers.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from rm_copilot.customers.views import RECENT_EVENT_DAYS
from rm_copilot.errors import ImportRejected, RmCopilotError

if TYPE_CHECKING:
    from rm_copilot.customers.repository import CustomerRepository
    from rm_copilot.customers.views import CustomerView

customers_app = typer.Typer(
    help="客户数据：导入、生成、查看（身份证号、手机号、卡号、姓名均已脱敏）。", no_args_is_help=True
)
advisors_app = typer.Typer(help="客户经理：列表、访问令牌、企业微信账号绑定。", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(customers_app, name="customers")
    app.add_typer(advisors_app, name="advisors")


@contextmanager
def _domain_errors() -> Iterator[None]:
    try:
        yield
    except ImportRejected as rejected:
        typer.echo("导入失败，未写入任何数据：", err=True)
        for line in rejected.errors:
            typer.echo(f"  {line}", err=True)
        raise typer.Exit(2) from None
    except RmCopilotError as error:
        typer.echo(f"错误：{error}", err=True)
        raise typer.Exit(2) from None


def _repository(*, demo_customers: bool = False) -> CustomerRepository:
    from rm_copilot.services import get_services

    services = get_services()
    repo = services.customers
    if demo_customers and repo.count() == 0:
        loaded = repo.ensure_demo_data(
            services.catalog, seed=services.settings.demo_seed, count=services.settings.demo_customer_count
        )
        if loaded:
            typer.echo(f"客户库为空，已载入演示数据：{loaded} 位合成客户。", err=True)
    elif not repo.advisors():
        repo.ensure_demo_advisors()
    return repo


@customers_app.command("import")
def customers_import(
    file: Annotated[Path, typer.Argument(help="客户文件：.csv 或 .jsonl（列说明见 README）")],
) -> None:
    """导入客户（逐行校验；任何一行有误则整份文件都不写入，并列出出错的行）。

    Example usage:

        rm-copilot customers import customers.csv
    """
    with _domain_errors():
        report = _repository().import_file(file)
    typer.echo(report.describe())


@customers_app.command("generate")
def customers_generate(
    count: Annotated[int, typer.Option("--count", min=1, max=1_000_000, help="生成多少位客户")] = 100,
    seed: Annotated[int, typer.Option("--seed", help="随机种子：相同种子生成相同客户")] = 1,
    out: Annotated[Path | None, typer.Option("--out", help="写入 JSONL 文件而不是客户库")] = None,
    start: Annotated[
        int | None, typer.Option("--start", min=1, max=99_999_999, help="首个客户编号（默认接在库中已有编号之后）")
    ] = None,
) -> None:
    """生成逼真的合成客户（身份证号、手机号、卡号格式与校验位正确，但都是虚构的）。

    Example usage:

        rm-copilot customers generate --count 1000 --seed 7
        rm-copilot customers generate --count 50 --seed 7 --out demo.jsonl
    """
    from rm_copilot.customers.generator import generate_customers
    from rm_copilot.customers.records import CustomerRecord
    from rm_copilot.services import get_services

    with _domain_errors():
        repo = _repository()
        advisors = repo.advisors()
        if out is not None:
            rows = generate_customers(count, seed, get_services().catalog, advisors,
                                      start=start or repo.next_customer_number())
            _write_jsonl(out, rows)
            typer.echo(f"已写入 {len(rows)} 位合成客户到 {out}（可用 rm-copilot customers import 导入）。")
            return
        first = start or repo.next_customer_number()
        rows = generate_customers(count, seed, get_services().catalog, advisors, start=first)
        created, updated = repo.upsert([CustomerRecord.model_validate(row) for row in rows])
    typer.echo(
        f"已生成 {len(rows)} 位合成客户（{rows[0]['id']}–{rows[-1]['id']}，新增 {created}，更新 {updated}），"
        f"分配给 {len(advisors)} 位客户经理。"
    )


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    try:
        with path.open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    except OSError as error:
        typer.echo(f"错误：无法写入 {path}：{error.strerror}", err=True)
        raise typer.Exit(2) from None


@customers_app.command("list")
def customers_list(
    advisor: Annotated[str | None, typer.Option("--advisor", help="只列出该客户经理的客户，如 A001")] = None,
    search: Annotated[str | None, typer.Option("--search", help="按编号、姓名、城市、职业或标签筛选")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, max=1_000_000, help="最多列出多少位")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON 数组（已脱敏）")] = False,
) -> None:
    """列出客户（姓名已脱敏）。

    Example usage:

        rm-copilot customers list --advisor A001
        rm-copilot customers list --json
    """
    with _domain_errors():
        repo = _repository(demo_customers=True)
        if advisor is not None:
            repo.advisor(advisor)
        views = repo.list(advisor_id=advisor, search=search, limit=limit)
    if as_json:
        typer.echo(json.dumps([view.summary() for view in views], ensure_ascii=False))
        return
    table = Table(title=f"客户（{len(views)} 位）")
    for column in ("编号", "客户经理", "姓名", "年龄", "风险等级", "层级", "需求", "近期事件"):
        table.add_column(column, overflow="fold")
    for view in views:
        needs = "、".join(tag.label for tag in view.tags["need"])
        soon = [e for e in view.events if -RECENT_EVENT_DAYS <= e.days_until <= 60]
        events = "、".join(f"{e.label}({e.date:%m-%d})" for e in soon)
        table.add_row(view.id, view.advisor_id, view.name, str(view.age), view.risk_level or "未测评",
                      view.tier, escape(needs), escape(events))
    Console().print(table)


@customers_app.command("show")
def customers_show(customer_id: Annotated[str, typer.Argument(help="客户编号，如 C00001")]) -> None:
    """查看一位客户：脱敏后的基本信息、三层标签（来源、更新时间、是否过期）、持有产品、事件。

    Example usage:

        rm-copilot customers show C00001
    """
    with _domain_errors():
        view = _repository(demo_customers=True).get(customer_id)
    console = Console()
    console.print(Panel(_overview(view), title=f"客户 {view.id}", expand=False))
    for layer, title in (("basic", "基础标签"), ("behavior", "行为标签"), ("need", "需求标签")):
        table = Table(title=title, title_justify="left")
        for column in ("标签", "取值", "来源", "更新时间", "状态"):
            table.add_column(column, overflow="fold")
        for tag in view.tags[layer]:
            table.add_row(escape(tag.label), escape(tag.value), escape(tag.source), f"{tag.updated_at:%Y-%m-%d}",
                          "[red]已过期[/red]" if tag.stale else "有效")
        console.print(table)
    holdings = Table(title="持有产品", title_justify="left")
    for column in ("产品编号", "产品名称", "金额区间", "起始日", "到期日"):
        holdings.add_column(column, overflow="fold")
    for h in view.holdings:
        holdings.add_row(h.product_id, escape(h.product_name), escape(h.amount_band),
                         str(h.start_date or "—"), str(h.maturity_date or "—"))
    console.print(holdings)
    events = Table(title="客户事件", title_justify="left")
    for column in ("事件", "日期", "距今", "说明"):
        events.add_column(column, overflow="fold")
    for e in view.events:
        when = "今天" if e.days_until == 0 else f"{e.days_until} 天后" if e.days_until > 0 else f"{-e.days_until} 天前"
        events.add_row(e.label, str(e.date), when, escape(e.detail))
    console.print(events)


def _overview(view: CustomerView) -> str:
    risk = view.risk_level or "未测评"
    if view.risk_assessed_at:
        risk += f"（测评于 {view.risk_assessed_at}）"
    if view.risk_assessment_stale:
        risk += " [red]测评已过期，销售前需重新测评[/red]"
    consent = "已授权" if view.marketing_consent else "[yellow]未授权（营销活动将跳过）[/yellow]"
    lines = [
        f"姓名 {view.name}（{view.gender}，{view.age} 岁）  客户经理 {view.advisor_id}",
        escape(f"{view.city} · {view.occupation} · {view.tier}客户"),
        f"风险等级 {risk}",
        f"营销授权 {consent}",
        f"手机 {view.phone}  身份证 {view.id_number}  银行卡 {view.card_number or '—'}",
    ]
    if view.note:
        lines.append(f"备注 {escape(view.note)}")
    return "\n".join(lines)


@advisors_app.command("list")
def advisors_list(as_json: Annotated[bool, typer.Option("--json", help="输出 JSON 数组")] = False) -> None:
    """列出客户经理及其企业微信账号。

    Example usage:

        rm-copilot advisors list --json
    """
    with _domain_errors():
        repo = _repository()
        advisors = repo.advisors()
    if as_json:
        typer.echo(json.dumps([a.model_dump() for a in advisors], ensure_ascii=False))
        return
    table = Table(title=f"客户经理（{len(advisors)} 位）")
    for column in ("编号", "姓名", "企业微信账号", "客户数"):
        table.add_column(column)
    for a in advisors:
        table.add_row(a.id, a.name, a.wecom_userid or "—", str(repo.count(advisor_id=a.id)))
    Console().print(table)


@advisors_app.command("token")
def advisors_token(advisor_id: Annotated[str, typer.Argument(help="客户经理编号，如 A001")]) -> None:
    """生成新的 API 访问令牌并只显示这一次（库中只存其 SHA-256；旧令牌随即失效）。

    Example usage:

        TOKEN=$(rm-copilot advisors token A001)
    """
    with _domain_errors():
        token = _repository().issue_token(advisor_id)
    typer.echo(token)
    typer.echo("请妥善保存：此令牌只显示这一次，重新生成后旧令牌失效。", err=True)


@advisors_app.command("bind-wecom")
def advisors_bind_wecom(
    advisor_id: Annotated[str, typer.Argument(help="客户经理编号，如 A001")],
    wecom_userid: Annotated[str, typer.Argument(help="企业微信 UserID，如 zhangwei")],
) -> None:
    """把企业微信账号绑定到客户经理（一个账号只能绑定一位客户经理）。

    Example usage:

        rm-copilot advisors bind-wecom A001 zhangwei
    """
    with _domain_errors():
        advisor = _repository().bind_wecom(advisor_id, wecom_userid)
    typer.echo(f"已将企业微信账号 {advisor.wecom_userid} 绑定到客户经理 {advisor.id}（{advisor.name}）。")
