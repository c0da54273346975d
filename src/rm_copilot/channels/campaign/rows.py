"""One customer in, one output row per variant out: consent, suitability, copy, final compliance check."""
from __future__ import annotations

from typing import Any

from rm_copilot.services import Services

NO_CONSENT = "客户未授权营销"
UNSUITABLE = "产品风险等级高于客户风险承受能力"
ELDERLY_HIGH_RISK = "65岁及以上客户不主动推荐R4/R5产品"
NO_RISK_LEVEL = "客户无有效风险测评，仅可推荐R1产品"
NOT_COMPLIANT = "话术未能通过合规检查"
GENERATION_FAILED = "话术生成失败"


def skip_reason(customer: Any, product: Any, *, elderly_age: int) -> str | None:
    """Why this customer must not receive copy for this product, or None."""
    if not customer.marketing_consent:
        return NO_CONSENT
    product_level = int(product.risk_level[1])
    if customer.risk_level is None:
        return NO_RISK_LEVEL if product_level > 1 else None
    if product_level > int(customer.risk_level[1]):
        return UNSUITABLE
    if customer.age is not None and customer.age >= elderly_age and product_level >= 4:
        return ELDERLY_HIGH_RISK
    return None


def build_rows(services: Services, customer_id: str, spec: dict[str, Any]) -> list[dict[str, Any]]:
    customer = services.customers.get(customer_id)
    product = services.catalog.get(spec["product_id"])
    variants = int(spec["variants"])
    reason = skip_reason(customer, product, elderly_age=services.settings.elderly_age)
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
