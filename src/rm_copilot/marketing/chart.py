"""The report's chart: conversion rate per variant with Wilson intervals, as a PNG (matplotlib, Agg)."""
from __future__ import annotations

import io
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display on servers; must precede pyplot
from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

_CJK_FONTS = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "SimHei",
              "Microsoft YaHei", "PingFang SC")


def _cjk_font() -> list[str]:
    available = {font.name for font in font_manager.fontManager.ttflist}
    return [name for name in _CJK_FONTS if name in available] + ["DejaVu Sans"]


def _label(key: str, value: str) -> str:
    from rm_copilot.vocabulary import SCENARIO_LABELS

    if key == "by_variant":
        return f"版本{value}"
    return SCENARIO_LABELS.get(value, value)


def report_chart(report: dict[str, Any]) -> bytes:
    """Bars of conversion by variant and by scenario, error bars from the Wilson interval."""
    panels = [("by_variant", "各话术版本转化率"), ("by_scenario", "各场景转化率")]
    figure = Figure(figsize=(9, 4), dpi=110)
    font = {"family": _cjk_font()}
    for index, (key, title) in enumerate(panels, start=1):
        axes = figure.add_subplot(1, 2, index)
        cells = [c for c in report.get(key, []) if not c.get("suppressed")]
        labels = [_label(key, c["value"]) for c in cells]
        rates = [c["rate"] * 100 for c in cells]
        errors = [[(c["rate"] - c["ci_low"]) * 100 for c in cells], [(c["ci_high"] - c["rate"]) * 100 for c in cells]]
        axes.bar(labels, rates, yerr=errors if cells else None, capsize=6, color="#3b7dd8")
        axes.set_title(title, fontdict=font)
        axes.set_ylabel("转化率（%）", fontdict=font)
        for tick in axes.get_xticklabels():
            tick.set_fontfamily(font["family"])
        if not cells:
            axes.text(0.5, 0.5, "暂无可展示的数据", ha="center", va="center", transform=axes.transAxes, fontdict=font)
    comparison = report.get("comparison")
    if comparison:
        figure.suptitle(comparison["conclusion"], fontsize=9, fontfamily=font["family"])
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
