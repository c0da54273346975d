"""What a 企业群发 request sends: an issued script's text for its customer, or a finished campaign's rows.

Only text the compliance gate approved can become a candidate: a script's text must be exactly the
one issued (its sha256 is on record), a campaign row must carry the gate's `pass`. Each candidate is
checked again against the rulebook, for WeCom and the product's type, before a task is created.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rm_copilot.campaigns.records import find_campaign
from rm_copilot.errors import BadInput, NotFound


@dataclass(frozen=True)
class Candidate:
    customer_id: str
    text: str | None
    variant: int | None = None
    product_id: str | None = None
    scenario: str | None = None
    skipped_reason: str | None = None


def script_candidate(script_log: Any, advisor_id: str, *, script_id: str, customer_id: str, text: str) -> Candidate:
    script = script_log.get(script_id, advisor_id=advisor_id, customer_id=customer_id)  # NotFound otherwise
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != script.text_sha256:
        raise BadInput("文本与该话术记录不一致：请发送生成时通过合规检查的原文，不要修改")
    if script.verdict == "block":
        raise BadInput("该话术未通过合规检查，不能群发")
    return Candidate(customer_id, text, script.variant, script.product_id, script.scenario)


def _ab_variant(customer_id: str, variants: list[int]) -> int:
    """A stable A/B split: each customer always gets the same one of the campaign's variants."""
    digest = int(hashlib.sha256(customer_id.encode()).hexdigest()[:8], 16)
    return sorted(variants)[digest % len(variants)]


def campaign_candidates(job: dict[str, Any], rows: list[dict[str, Any]]) -> list[Candidate]:
    """One candidate per customer: their assigned variant's row (rows of other verdicts are excluded)."""
    by_customer: dict[str, dict[int, dict[str, Any]]] = {}
    for row in rows:
        by_customer.setdefault(str(row.get("customer_id")), {})[int(row.get("variant") or 0)] = row
    found = []
    for customer_id, variants in by_customer.items():
        row = variants[_ab_variant(customer_id, list(variants))]
        reason = row.get("skipped_reason")
        if not reason and row.get("verdict") != "pass":
            reason = "话术未通过合规检查"
        found.append(Candidate(customer_id, None if reason else row.get("text"), row.get("variant"),
                               row.get("product_id") or job.get("product_id"), job.get("scenario"), reason))
    return found


def campaign_source(session_factory: Any):
    """Reads a finished API campaign job of this advisor and its JSONL rows."""

    def read(campaign_id: str, advisor_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        job = find_campaign(session_factory, campaign_id)
        if job is None or job.advisor_id != advisor_id:
            raise NotFound(f"没有找到批量任务 {campaign_id[:32]}")
        if job.status != "done":
            raise BadInput("该批量任务尚未完成，完成后才能创建群发")
        rows = []
        path = Path(job.out_path)
        if path.exists():
            with path.open(encoding="utf-8") as handle:
                for line in handle:
                    try:
                        row = json.loads(line)
                    except json.JSONDecodeError:
                        continue  # not a finished row: never sent
                    if isinstance(row, dict):
                        rows.append(row)
        info = {"id": job.id, "product_id": job.product_id, "channel": job.channel, "scenario": job.scenario}
        return info, rows

    return read


def campaign_owner(session_factory: Any, campaign_id: str) -> str:
    """The advisor who started this API campaign job (for the CLI, which has no signed-in advisor)."""
    job = find_campaign(session_factory, campaign_id)
    if job is None:
        raise NotFound(f"没有找到批量任务 {campaign_id[:32]}")
    return job.advisor_id
