"""`rm-copilot ask`: answer an advisor's question from the knowledge base, with citations.

Kept small on purpose: the assistant package takes over the answering; this module only parses
options and prints. Every answer passes the compliance engine before it is printed.
"""
from __future__ import annotations

import json
import uuid
from typing import Annotated, Optional

import typer

from rm_copilot.errors import BadInput


def register(app: typer.Typer) -> None:
    app.command("ask")(ask)


def ask(
    text: Annotated[str, typer.Argument(help="问题，如：大额存单提前支取怎么计息？")],
    customer: Annotated[Optional[str], typer.Option("--customer", help="客户编号：按其风险等级筛选产品并做适当性检查")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出与 POST /api/v1/chat 相同的 JSON")] = False,
) -> None:
    """根据知识库回答问题，并给出引用来源。

    Example usage:

        rm-copilot ask "大存起购金额是多少？"
        rm-copilot ask "适合这位客户的理财有哪些" --customer C00012 --json
    """
    from rm_copilot.knowledge.documents import load_documents
    from rm_copilot.knowledge.extractive import extractive_answer
    from rm_copilot.services import get_services

    if not text.strip():
        raise BadInput("问题不能为空")
    services = get_services()
    context = services.customers.compliance_context(customer) if customer else None
    if len(services.knowledge_index) == 0:
        services.knowledge_index.sync(load_documents(services.settings.knowledge_base))
    max_risk = (context.risk_level or "R1") if context else None
    hits = services.retriever.search(text, k=5, max_risk=max_risk)
    answer = extractive_answer(text, hits, services.retriever.lexicon)
    result = services.compliance.check(answer.text, customer=context)
    shown = result.text if result.verdict != "block" else "该回答未通过合规检查，已拦截，请换个问法或咨询合规岗。"
    if as_json:
        payload = {
            "session_id": f"cli-{uuid.uuid4().hex[:12]}",
            "answer": shown,
            "citations": [c.to_dict() for c in answer.citations] if result.verdict != "block" else [],
            "compliance": {"verdict": result.verdict, "findings": [f.to_dict() for f in result.findings]},
        }
        typer.echo(json.dumps(payload, ensure_ascii=False))
        return
    typer.echo(shown)
    if answer.citations and result.verdict != "block":
        typer.echo("\n引用：")
        for number, citation in enumerate(answer.citations, start=1):
            typer.echo(f"[{number}] {citation.title}（{citation.chunk_id}）")
    if result.findings:
        typer.echo(f"\n合规检查：{result.verdict}（{'、'.join(f.rule_id for f in result.findings)}）")
