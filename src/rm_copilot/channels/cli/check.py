"""`rm-copilot check`: the compliance verdict on a text, stdin, or each line of a file.

Exit codes: 0 every text passes, 1 any text needs a rewrite or is blocked, 2 bad input.
Every verdict goes through the compliance gate. A single text is recorded by the gate; the lines
of a file are recorded in batches (one transaction per AUDIT_BATCH lines, the rest on exit, also
when the run fails half-way); its rules run in one forked worker process per core.
"""
from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from rm_copilot.errors import BadInput, RmCopilotError

if TYPE_CHECKING:
    from rm_copilot.compliance.models import CheckResult

VERDICT_LABELS = {"pass": "通过", "rewrite": "需改写", "block": "拦截"}
SEVERITY_LABELS = {"block": "拦截", "rewrite": "改写", "warn": "提示"}
AUDIT_BATCH = 1000


def register(app: typer.Typer) -> None:
    app.command(name="check")(check)


def check(
    text: Annotated[str | None, typer.Argument(help="待检查的文本；用 - 从标准输入读取。")] = None,
    file: Annotated[str | None, typer.Option("--file", help="逐行检查文件中的每个非空行；用 - 读标准输入。")] = None,
    product_type: Annotated[
        str | None, typer.Option("--product-type", help="产品类型：wealth|fund|insurance|deposit|loan|card（检查必备披露）。")
    ] = None,
    channel: Annotated[str | None, typer.Option("--channel", help="渠道：tablet|wecom|sms。")] = None,
    customer: Annotated[str | None, typer.Option("--customer", help="客户编号（检查适当性、脱敏姓名）。")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON（--file 时每行一个对象）。")] = False,
) -> None:
    """检查话术是否合规：保本承诺、绝对化用语、诱导性用语、适当性、必备披露、个人信息脱敏。

    Example usage:

        rm-copilot check "这款理财保本保息" --json

        echo "预期收益率4%" | rm-copilot check - --product-type wealth

        rm-copilot check --file scripts.txt --json
    """
    try:
        texts = _inputs(text, file)
        from rm_copilot.services import get_services

        gate = get_services().gate
        context = gate.context_for(customer) if customer else None
        if file is None or gate.audit is None:
            results = iter([
                gate.check(item, product_type=product_type, channel=channel, customer_id=customer,
                           customer_context=context, source="cli")
                for item in texts
            ])
        else:
            results = _check_lines(gate, texts, product_type=product_type, channel=channel,
                                   customer=customer, context=context)
        everything_passes = _print(results, as_json, numbered=file is not None)
    except RmCopilotError as error:
        typer.echo(f"错误：{error}", err=True)
        raise typer.Exit(2) from None
    raise typer.Exit(0 if everything_passes else 1)


def _print(results: Iterator[CheckResult], as_json: bool, *, numbered: bool) -> bool:
    """Print each result as it comes (a file's lines are never all held in memory); True if all pass."""
    passes = True
    if as_json:
        out = sys.stdout
        for result in results:
            out.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
            passes = passes and result.verdict == "pass"
        out.flush()
        return passes
    console = Console()
    for number, result in enumerate(results, start=1):
        _show(console, result, number if numbered else None)
        passes = passes and result.verdict == "pass"
    return passes


def _check_lines(gate, texts: list[str], *, product_type: str | None, channel: str | None,
                 customer: str | None, context) -> Iterator[CheckResult]:
    """Check and yield line by line; the audit is written per AUDIT_BATCH lines and on exit."""
    chunks = [texts[offset:offset + AUDIT_BATCH] for offset in range(0, len(texts), AUDIT_BATCH)]
    check_chunks = getattr(gate.engine, "check_chunks", None)  # the gate's engine, batched (meaning layer)
    if check_chunks is not None:
        checked = check_chunks(chunks, product_type=product_type, channel=channel, customer=context,
                               processes=_processes(len(chunks)))
    else:
        checked = ([gate.check(item, product_type=product_type, channel=channel, customer_id=customer,
                               customer_context=context, source="cli", record=False) for item in chunk]
                   for chunk in chunks)
    with gate.audit.batch(AUDIT_BATCH, background=True) as batch:  # written while the next lines are checked
        for chunk, results in zip(chunks, checked, strict=True):
            for item, result in zip(chunk, results, strict=True):
                batch.add(result, channel=channel, customer_id=customer, source="cli", original_text=item)
                yield result


def _processes(chunks: int) -> int:
    """Worker processes for the rules of a file: one per core, when there are chunks to share out."""
    return max(1, min(os.cpu_count() or 1, chunks)) if chunks > 1 else 1


def _inputs(text: str | None, file: str | None) -> list[str]:
    if text is not None and file is not None:
        raise BadInput("请只给出待检查的文本或 --file 其中之一。")
    if file is not None:
        raw = _read_stdin() if file == "-" else _read_file(file)
        lines = [line for line in raw.splitlines() if line.strip()]
        if not lines:
            raise BadInput("文件中没有可检查的非空行。")
        return lines
    if text is None:
        raise BadInput("请给出待检查的文本（或用 - 从标准输入读取，或用 --file 指定文件）。")
    value = _read_stdin().rstrip("\r\n") if text == "-" else text
    if not value.strip():
        raise BadInput("待检查的文本为空。")
    return [value]


def _decode(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput(f"{where}不是 UTF-8 编码的文本。") from None


def _read_stdin() -> str:
    return _decode(sys.stdin.buffer.read(), "标准输入")


def _read_file(path: str) -> str:
    target = Path(path)
    if not target.is_file():
        raise BadInput(f"找不到文件：{path}")
    return _decode(target.read_bytes(), f"文件 {path} ")


def _show(console: Console, result: CheckResult, number: int | None) -> None:
    prefix = f"第{number}行 " if number is not None else ""
    style = {"pass": "green", "rewrite": "yellow", "block": "red"}[result.verdict]
    console.print(f"{prefix}结论：[{style}]{VERDICT_LABELS[result.verdict]}[/{style}]（规则库 {escape(result.rulebook_version)}）")
    if result.verdict != "block":
        console.print(f"合规文本：{escape(result.text)}")
    if result.findings:
        table = Table(show_lines=True)
        table.add_column("规则", no_wrap=True)
        for column in ("级别", "位置", "命中", "说明", "建议"):
            table.add_column(column, overflow="fold")
        for finding in result.findings:
            table.add_row(escape(finding.rule_id), SEVERITY_LABELS[finding.severity],
                          f"{finding.start}-{finding.end}", escape(finding.matched),
                          escape(finding.message), escape(finding.suggestion))
        console.print(table)
