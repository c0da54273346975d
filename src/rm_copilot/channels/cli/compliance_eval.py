"""`rm-copilot eval compliance`: the compliance gate measured on a labelled TSV (see compliance/evaluation.py)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from rm_copilot.errors import RmCopilotError

HOLDOUT = Path("eval") / "compliance-holdout.tsv"
REGRESSION = Path("tests") / "data" / "compliance_cases.tsv"


def default_dataset(knowledge_base: Path, project_root: Path) -> Path:
    """The held-out file when it exists, else the regression corpus."""
    holdout = knowledge_base / HOLDOUT
    return holdout if holdout.is_file() else project_root / REGRESSION


def eval_compliance(
    dataset: Annotated[Path | None, typer.Option(
        "--dataset",
        help="TSV 评测集（标签<TAB>类别<TAB>文本，标签 bad/good/pii）；默认 knowledge_base/eval/compliance-holdout.tsv，没有时用回归语料",
    )] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """评测合规检查：各类别召回率、误报率、个人信息脱敏率（不写审计记录）。

    Example usage:

        rm-copilot eval compliance
        rm-copilot eval compliance --dataset my.tsv --json
    """
    from rm_copilot.compliance.evaluation import evaluate, load_dataset
    from rm_copilot.config import PROJECT_ROOT
    from rm_copilot.services import get_services

    try:
        services = get_services()
        path = dataset or default_dataset(services.settings.knowledge_base, PROJECT_ROOT)
        lines = load_dataset(path)
        engine = services.compliance
        results = evaluate(lambda text, product_type: engine.check(text, product_type=product_type), lines)
    except RmCopilotError as error:
        typer.echo(f"错误：{error}", err=True)
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(results, ensure_ascii=False))
        return
    counts = results["n"]
    table = Table(title=f"合规检查评测：{path.name}（违规 {counts['bad']} 条、合规 {counts['good']} 条、含个人信息 {counts['pii']} 条）")
    for column in ("类别", "违规条数", "召回率"):
        table.add_column(column)
    for category, row in results["by_category"].items():
        table.add_row(category, str(row["n"]), _percent(row["recall"]))
    table.add_row("合计", str(counts["bad"]), _percent(results["recall"]))
    Console().print(table)
    typer.echo(f"误报率（合规句被拦截或改写）：{_percent(results['false_alarm_rate'])}")
    typer.echo(f"个人信息脱敏率：{_percent(results['pii_masked'])}")


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"
