"""One customer in, one output row per variant out: consent, suitability, copy, final compliance check."""
from __future__ import annotations

from typing import Any

from rm_copilot.assistant.recommend import suitability_issue
from rm_copilot.services import Services

NO_CONSENT = "客户未授权营销"
NOT_COMPLIANT = "话术未能通过合规检查"
GENERATION_FAILED = "话术生成失败"


def skip_reason(services: Services, customer: Any, product: Any) -> str | None:
    """Why this customer must not receive copy for this product (consent, then suitability), or None."""
    if not customer.marketing_consent:
        return NO_CONSENT
    brief = services.copilot.brief(customer.id)
    return suitability_issue(product, brief, services.settings.elderly_age)


def build_rows(services: Services, customer_id: str, spec: dict[str, Any]) -> list[dict[str, Any]]:
    customer = services.customers.get(customer_id)
    product = services.catalog.get(spec["product_id"])
    variants = int(spec["variants"])
    reason = skip_reason(services, customer, product)
    if reason is not None:
        return [_row(customer_id, spec, variant, skipped_reason=reason) for variant in range(variants)]
    try:
        answer = services.copilot.scripts(
            customer.advisor_id,
            customer_id,
            product_id=product.id,
            scenario=spec.get("scenario"),
            channel=spec["channel"],
            variants=variants,
        ).to_dict()
    except Exception as error:  # noqa: BLE001 - one customer's failure must not stop the campaign
        reason = f"{GENERATION_FAILED}：{type(error).__name__}"
        return [_row(customer_id, spec, variant, skipped_reason=reason) for variant in range(variants)]
    scripts = answer["scripts"]
    rows = []
    for variant in range(variants):
        if variant >= len(scripts):
            rows.append(_row(customer_id, spec, variant, skipped_reason=GENERATION_FAILED))
            continue
        rows.append(_final_check(services, customer_id, spec, variant, scripts[variant], product.type))
    return rows


def _final_check(
    services: Services, customer_id: str, spec: dict[str, Any], variant: int, script: dict, product_type: str
) -> dict[str, Any]:
    """The campaign file's own guard: only text that passes exactly as written is written as text.

    The Copilot already gated (and audited) this script; re-checking the final string costs well
    under a millisecond and makes the file's guarantee independent of the generation path.
    """
    context = services.customers.compliance_context(customer_id)
    result = services.compliance.check(script["text"], product_type=product_type, channel=spec["channel"], customer=context)
    if result.verdict == "rewrite":
        result = services.compliance.check(
            result.text, product_type=product_type, channel=spec["channel"], customer=context
        )
    if result.verdict != "pass":
        findings = [finding.to_dict() for finding in result.findings]
        return _row(customer_id, spec, variant, verdict="block", findings=findings, skipped_reason=NOT_COMPLIANT)
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
