"""`rm-copilot index`, `products list|show` and `eval retrieval`."""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from rm_copilot.errors import BadInput, NotFound

products_app = typer.Typer(help="产品目录：列出与查看产品（编号、名称、类型、风险等级）。", no_args_is_help=True)
eval_app = typer.Typer(help="评测：检索质量（recall@1 / recall@k / MRR）与回答质量。", no_args_is_help=True)

MODE_LABELS = {"hybrid": "混合检索", "dense": "向量检索", "bm25": "BM25 关键词"}


def register(app: typer.Typer) -> None:
    app.command("index")(index)
    app.add_typer(products_app, name="products")
    app.add_typer(eval_app, name="eval")
    from rm_copilot.channels.cli.compliance_eval import eval_compliance

    eval_app.command("compliance")(eval_compliance)


def index(
    rebuild: Annotated[bool, typer.Option("--rebuild", help="清空索引后全部重建")] = False,
) -> None:
    """载入 knowledge_base/ 与演示数据，只为有变化的片段重新计算向量。

    Example usage:

        rm-copilot index
        rm-copilot index --rebuild
    """
    from rm_copilot.channels.cli.progress import embedding_progress
    from rm_copilot.services import get_services, prepare

    started = time.perf_counter()
    with embedding_progress() as progress:
        report = prepare(get_services(), rebuild=rebuild, progress=progress)
    typer.echo(f"{report.describe()}（用时 {time.perf_counter() - started:.1f} 秒）")


@products_app.command("list")
def products_list(
    product_type: Annotated[str | None, typer.Option("--type", help="wealth|fund|insurance|deposit|loan|card")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON 数组")] = False,
) -> None:
    """列出产品（可按类型筛选）。

    Example usage:

        rm-copilot products list --type wealth
        rm-copilot products list --json
    """
    from rm_copilot.services import get_services
    from rm_copilot.vocabulary import PRODUCT_TYPES

    if product_type is not None and product_type not in PRODUCT_TYPES:
        _fail(f"未知的产品类型：{product_type}（可选：{'、'.join(PRODUCT_TYPES)}）")
    catalog = get_services().catalog
    products = catalog.by_type(product_type) if product_type else catalog.all()
    if as_json:
        rows = [{"id": p.id, "name": p.name, "type": p.type, "risk_level": p.risk_level} for p in products]
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    table = Table(title=f"产品目录（{len(products)} 款）")
    for column in ("编号", "名称", "类型", "风险等级", "起购"):
        table.add_column(column, overflow="fold")
    for p in products:
        table.add_row(p.id, p.name, p.type_label, p.risk_level, p.min_amount_text or "—")
    Console().print(table)


@products_app.command("show")
def products_show(product_id: Annotated[str, typer.Argument(help="产品编号，如 WM001")]) -> None:
    """查看一款产品的要素、卖点、风险与必备提示语。

    Example usage:

        rm-copilot products show WM001
    """
    from rm_copilot.services import get_services

    try:
        product = get_services().catalog.get(product_id)
    except NotFound as error:
        _fail(str(error))
    table = Table(title=f"{product.name}（{product.id}）", show_header=False)
    table.add_column("项目", style="bold")
    table.add_column("内容")
    rows = [
        ("类型", product.type_label), ("风险等级", product.risk_level), ("发行/管理机构", product.issuer),
        ("期限", product.term), ("起购", product.min_amount_text), ("业绩比较基准", product.benchmark),
        ("利率", product.rate), ("费用", product.fees), ("流动性", product.liquidity),
        ("适合客户", "；".join(product.target_customers)), ("产品特点", "\n".join(product.selling_points)),
        ("主要风险", "\n".join(product.risks)), ("风险提示", "\n".join(product.disclosures)),
        ("状态", "在售" if product.status == "on_sale" else product.status),
    ]
    for label, value in rows:
        if value:
            table.add_row(label, str(value))
    Console().print(table)


@eval_app.command("retrieval")
def eval_retrieval(
    dataset: Annotated[Path | None, typer.Option("--dataset", help="JSONL 评测集，默认 knowledge_base/eval/questions.jsonl")] = None,
    k: Annotated[int, typer.Option("--k", max=100, help="recall@k 的 k")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """评测三种检索方式（混合、向量、BM25）的 recall@1、recall@k 与 MRR。

    Example usage:

        rm-copilot eval retrieval
        rm-copilot eval retrieval --dataset my.jsonl --k 3 --json
    """
    from rm_copilot.knowledge.documents import load_documents
    from rm_copilot.knowledge.evaluation import evaluate, load_dataset
    from rm_copilot.services import get_services, prefer_fast_queries

    if k < 1:
        _fail("--k 必须是正整数")
    services = get_services()
    try:
        questions = load_dataset(dataset or services.settings.knowledge_base / "eval" / "questions.jsonl")
    except BadInput as error:
        _fail(str(error))
    services.knowledge_index.sync(load_documents(services.settings.knowledge_base))
    prefer_fast_queries(services)  # the queries the server computes
    results = evaluate(services.retriever, questions, k=k)
    if as_json:
        typer.echo(json.dumps(results, ensure_ascii=False))
        return
    table = Table(title=f"检索评测（{len(questions)} 个问题）")
    for column in ("方式", "recall@1", f"recall@{k}", "MRR"):
        table.add_column(column)
    for mode, row in results.items():
        table.add_row(f"{MODE_LABELS[mode]}（{mode}）", f"{row['recall@1']:.3f}", f"{row[f'recall@{k}']:.3f}", f"{row['mrr']:.3f}")
    Console().print(table)


@eval_app.command("answers")
def eval_answers(
    dataset: Annotated[Path | None, typer.Option("--dataset", help="JSONL 评测集，默认 knowledge_base/eval/answers.jsonl")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """评测回答质量：每条的最后一个回答须包含全部要点、不含禁用内容；按题型统计准确率。

    Example usage:

        rm-copilot eval answers
        rm-copilot eval answers --dataset my.jsonl --json
    """
    from rm_copilot.assistant.evaluation import evaluate_answers, load_answer_items
    from rm_copilot.channels.cli.assistant import _ready_services
    from rm_copilot.services import prefer_fast_queries

    services = _ready_services(index=True)
    try:
        items = load_answer_items(dataset or services.settings.knowledge_base / "eval" / "answers.jsonl")
    except BadInput as error:
        _fail(str(error))
    prefer_fast_queries(services)  # the queries the server computes
    results = evaluate_answers(services.copilot, items, lambda cid: services.knowledge_index.get_chunk(cid).text)
    if as_json:
        typer.echo(json.dumps(results, ensure_ascii=False))
        return
    table = Table(title=f"回答评测（{results['n']} 条）")
    for column in ("题型", "条数", "准确率"):
        table.add_column(column)
    for kind, row in results["by_kind"].items():
        table.add_row(kind, str(row["n"]), f"{row['accuracy']:.3f}")
    table.add_row("合计", str(results["n"]), f"{results['accuracy']:.3f}")
    Console().print(table)
    typer.echo(f"要点出自所引片段的比例：{results['cited_fact_rate']:.3f}")


def _fail(message: str) -> None:
    typer.echo(f"错误：{message}", err=True)
    raise typer.Exit(2)
