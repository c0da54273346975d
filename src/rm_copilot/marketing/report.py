"""The A/B report: conversion by variant, scenario, channel, segment and advisor.

Rates carry Wilson intervals (statsmodels `proportion_confint`); variants are compared with the
two-proportion z-test (`proportions_ztest`) and a chi-square over all of them
(`proportions_chisquare`). A cell covering fewer customers than the threshold is suppressed, and
no customer id, name or text appears anywhere in a report.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from statsmodels.stats.proportion import proportion_confint, proportions_chisquare, proportions_ztest

from rm_copilot.marketing.outcomes import Contact
from rm_copilot.marketing.segments import variant_label
from rm_copilot.marketing.settings import ReportConfig
from rm_copilot.vocabulary import OUTCOME_KINDS, SCENARIO_LABELS

DIMENSIONS: dict[str, Callable[[Contact], str]] = {
    "variant": lambda c: variant_label(c.variant),
    "scenario": lambda c: c.scenario or "未标注",
    "channel": lambda c: c.channel or "未标注",
    "segment": lambda c: c.segment or "未标注",
    "advisor": lambda c: c.advisor_id,
}


def _cell(value: str, contacts: list[Contact], config: ReportConfig) -> dict[str, Any]:
    customers = len({c.customer_id for c in contacts})
    if customers < config.suppress_below_customers:
        return {"value": value, "suppressed": True}
    n = len(contacts)
    converted = sum(c.converted(config.conversion_kinds) for c in contacts)
    low, high = proportion_confint(converted, n, alpha=config.alpha, method="wilson")
    return {
        "value": value, "suppressed": False, "contacts": n, "customers": customers, "conversions": converted,
        "rate": round(converted / n, 4), "ci_low": round(float(low), 4), "ci_high": round(float(high), 4),
        "purchases": sum("purchased" in c.kinds for c in contacts),
        "complaints": sum("complaint" in c.kinds for c in contacts),
        "kinds": {kind: sum(kind in c.kinds for c in contacts) for kind in OUTCOME_KINDS},  # the funnel
    }


def breakdown(contacts: Iterable[Contact], key: Callable[[Contact], str], config: ReportConfig) -> list[dict[str, Any]]:
    groups: dict[str, list[Contact]] = defaultdict(list)
    for contact in contacts:
        groups[key(contact)].append(contact)
    return [_cell(value, groups[value], config) for value in sorted(groups)]


def compare_variants(cells: list[dict[str, Any]], config: ReportConfig) -> dict[str, Any] | None:
    """Best variant against the runner-up (z-test), and all shown variants together (chi-square)."""
    shown = [c for c in cells if not c["suppressed"] and c["value"] != "未标注"]
    if len(shown) < 2:
        return None
    ranked = sorted(shown, key=lambda c: (-c["rate"], c["value"]))
    best, runner_up = ranked[0], ranked[1]
    z, p_value = proportions_ztest([best["conversions"], runner_up["conversions"]],
                                   [best["contacts"], runner_up["contacts"]])
    chi2, chi_p, _ = proportions_chisquare([c["conversions"] for c in shown], [c["contacts"] for c in shown])
    p_value = _finite(p_value)
    significant = p_value is not None and p_value < config.alpha
    if significant:
        conclusion = (f"版本{best['value']}转化率（{best['rate']:.1%}）显著高于版本{runner_up['value']}"
                      f"（{runner_up['rate']:.1%}），p={p_value:.3g}")
    else:
        shown_p = "无法计算" if p_value is None else f"{p_value:.3g}"
        conclusion = (f"版本{best['value']}与版本{runner_up['value']}的转化率差异不显著（p={shown_p}），"
                      f"暂不能认定哪个版本更好")
    return {
        "method": "two-proportion z-test (statsmodels proportions_ztest), chi-square (proportions_chisquare)",
        "best": best["value"], "runner_up": runner_up["value"],
        "difference": round(best["rate"] - runner_up["rate"], 4),
        "z": _finite(z), "p_value": p_value, "alpha": config.alpha, "significant": significant,
        "chi_square": {"statistic": _finite(chi2), "p_value": _finite(chi_p), "variants": len(shown)},
        "conclusion": conclusion,
    }


def build_report(contacts: list[Contact], config: ReportConfig, *, campaign_id: str | None = None,
                 scope: str = "all") -> dict[str, Any]:
    by = {name: breakdown(contacts, key, config) for name, key in DIMENSIONS.items()}
    scenarios: dict[str, list[Contact]] = defaultdict(list)
    for contact in contacts:
        scenarios[contact.scenario or "未标注"].append(contact)
    by_scenario = {}
    for scenario in sorted(scenarios):
        comparison = compare_variants(breakdown(scenarios[scenario], DIMENSIONS["variant"], config), config)
        if comparison is not None:
            by_scenario[scenario] = comparison
    overall = _cell("全部", contacts, config) if contacts else {"value": "全部", "suppressed": False, "contacts": 0}
    return {
        "campaign_id": campaign_id, "scope": scope, "report_version": config.version,
        "conversion_kinds": list(config.conversion_kinds),
        "overall": overall,
        **{f"by_{name}": cells for name, cells in by.items()},
        "comparison": compare_variants(by["variant"], config),
        "comparisons_by_scenario": by_scenario,
        "warnings": _warnings(by, contacts, config),
    }


def _warnings(by: dict[str, list[dict[str, Any]]], contacts: list[Contact], config: ReportConfig) -> list[str]:
    warnings = []
    if not contacts:
        warnings.append("还没有记录任何营销结果")
    for cell in by["variant"]:
        if not cell["suppressed"] and cell["contacts"] < config.min_contacts_per_variant:
            warnings.append(f"版本{cell['value']}仅有{cell['contacts']}次触达，少于{config.min_contacts_per_variant}次，"
                            f"转化率差异可能只是偶然")
    hidden = sum(cell["suppressed"] for cells in by.values() for cell in cells)
    if hidden:
        warnings.append(f"{hidden}个分组客户少于{config.suppress_below_customers}人，已隐藏其数据")
    return warnings


def _finite(value: Any) -> float | None:
    number = float(value)
    return None if number != number or number in (float("inf"), float("-inf")) else round(number, 6)


def scenario_label(value: str) -> str:
    return SCENARIO_LABELS.get(value, value)
