"""Customers in, one output row per variant out: consent, suitability, copy, final compliance check.

A batch of customers is read in a few bulk queries (view, prompt profile and compliance context
together), so a 10,000-customer campaign costs its generation time, not 10,000 × 7 lookups.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rm_copilot.assistant.brief import build_brief
from rm_copilot.assistant.recommend import suitability_issue
from rm_copilot.campaigns.ports import Services
from rm_copilot.campaigns.segment import Segment

NO_CONSENT = "客户未授权营销"
NOT_COMPLIANT = "话术未能通过合规检查"
GENERATION_FAILED = "话术生成失败"
REVIEW = "review"  # row verdict: passed, but with a warning an advisor must read before it is sent


def customer_brief(services: Services, bundle: Any) -> dict[str, Any]:
    names = (bundle.context.full_name,) if bundle.context.full_name else ()
    return build_brief(bundle.profile, elderly_age=services.settings.elderly_age, note=bundle.view.note, names=names)


def skip_reason(services: Services, bundle: Any, brief: dict[str, Any], product: Any) -> str | None:
    """Why this customer must not receive copy for this product (consent, then suitability), or None."""
    if not bundle.view.marketing_consent:
        return NO_CONSENT
    return suitability_issue(product, brief, services.settings.elderly_age)


def plan_batch(
    services: Services,
    customer_ids: Sequence[str],
    *,
    segment: Segment | None = None,
    already_done: frozenset[str] | set[str] = frozenset(),
) -> list[tuple[str, Any]]:
    """For each id in order, loaded in bulk: None when outside the segment (or gone), [] when its
    rows are already written, else the customer's bundle, still to be turned into rows."""
    plan: dict[str, Any] = {}
    for bundle in services.customers.bundles(customer_ids):
        customer_id = bundle.view.id
        if segment is not None and not segment.matches(bundle.view):
            plan[customer_id] = None
        elif customer_id in already_done:
            plan[customer_id] = []
        else:
            plan[customer_id] = bundle
    return [(customer_id, plan.get(customer_id)) for customer_id in customer_ids]


def build_batch(
    services: Services,
    customer_ids: Sequence[str],
    spec: dict[str, Any],
    *,
    segment: Segment | None = None,
    already_done: frozenset[str] = frozenset(),
) -> list[tuple[str, list[dict[str, Any]] | None]]:
    """For each id in order: None when outside the segment, [] when its rows are already written."""
    product = services.catalog.get(spec["product_id"])
    return [
        (customer_id, customer_rows(services, item, product, spec) if _is_bundle(item) else item)
        for customer_id, item in plan_batch(services, customer_ids, segment=segment, already_done=already_done)
    ]


def _is_bundle(item: Any) -> bool:
    return item is not None and not isinstance(item, list)


def customer_rows(services: Services, bundle: Any, product: Any, spec: dict[str, Any]) -> list[dict[str, Any]]:
    """One customer's rows, one per variant: skipped with the reason, or generated and checked."""
    customer_id = bundle.view.id
    variants = int(spec["variants"])
    brief = customer_brief(services, bundle)
    reason = skip_reason(services, bundle, brief, product)
    if reason is not None:
        return [_row(customer_id, spec, variant, skipped_reason=reason) for variant in range(variants)]
    try:
        scripts = services.copilot.writer.write(
            brief, product_id=product.id, scenario=spec.get("scenario"), channel=spec["channel"],
            variants=variants, customer_id=customer_id, advisor_id=bundle.view.advisor_id,
            customer_context=bundle.context,
        )
    except Exception as error:  # noqa: BLE001 - one customer's failure must not stop the campaign
        reason = f"{GENERATION_FAILED}：{type(error).__name__}"
        return [_row(customer_id, spec, variant, skipped_reason=reason) for variant in range(variants)]
    rows = []
    for variant in range(variants):
        if variant >= len(scripts):
            rows.append(_row(customer_id, spec, variant, skipped_reason=GENERATION_FAILED))
        else:
            rows.append(_final_check(services, bundle, spec, variant, scripts[variant].to_dict(), product.type))
    return rows


def _final_check(
    services: Services, bundle: Any, spec: dict[str, Any], variant: int, script: dict, product_type: str
) -> dict[str, Any]:
    """The campaign file's own guard: only text that passes exactly as written is written as text;
    text with a warning (e.g. the meaning layer's review band) is written with verdict `review`.

    The Copilot already gated (and audited) this script; re-checking the final string costs well
    under a millisecond and makes the file's guarantee independent of the generation path.
    """
    customer_id = bundle.view.id
    check = dict(product_type=product_type, channel=spec["channel"], customer=bundle.context)
    result = services.compliance.check(script["text"], **check)
    if result.verdict == "rewrite":
        result = services.compliance.check(result.text, **check)
    if result.verdict != "pass":
        findings = [finding.to_dict() for finding in result.findings]
        return _row(customer_id, spec, variant, verdict="block", findings=findings, skipped_reason=NOT_COMPLIANT)
    if any(finding.severity == "warn" for finding in result.findings):
        # A warning is not enforced in chat, but a batch row is sent without anyone reading it first.
        findings = [finding.to_dict() for finding in result.findings]
        return _row(customer_id, spec, variant, text=result.text, verdict=REVIEW, findings=findings)
    gate = script.get("compliance") or {}
    return _row(
        customer_id, spec, variant, text=result.text,
        verdict=gate.get("verdict", "pass"), findings=gate.get("findings", []),
    )


def _row(
    customer_id: str,
    spec: dict[str, Any],
    variant: int,
    *,
    text: str | None = None,
    verdict: str | None = None,
    findings: list | None = None,
    skipped_reason: str | None = None,
) -> dict[str, Any]:
    return {
        "customer_id": customer_id,
        "product_id": spec["product_id"],
        "variant": variant,
        "channel": spec["channel"],
        "text": text,
        "verdict": verdict,
        "findings": findings or [],
        "skipped_reason": skipped_reason,
    }
