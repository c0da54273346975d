"""Marketing scripts by scenario and channel, each through the compliance gate with its product type."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from rm_copilot.assistant.facts import product_citation, product_facts
from rm_copilot.assistant.guarded import GuardedGenerator
from rm_copilot.assistant.recommend import Recommendation, explain, recommend, suitability_issue
from rm_copilot.compliance.models import CheckResult
from rm_copilot.errors import BadInput
from rm_copilot.generation.composer import sms_segments
from rm_copilot.generation.request import ComposeRequest
from rm_copilot.knowledge.products import ProductCatalog
from rm_copilot.vocabulary import CHANNELS, SCENARIOS, SENT_CHANNELS

MAX_VARIANTS = 5
NO_CONSENT_WARNING = "客户未授权营销：请勿通过企业微信或短信主动发送，仅可在客户主动咨询或面谈时参考"
CARE_TYPES = ("wealth", "deposit", "fund", "insurance")  # no loan or card pitch on a birthday or at maturity
MATURITY_SOON_DAYS = 30
BIRTHDAY_SOON_DAYS = 14
LIFE_EVENT_DAYS = 120
_EMOJI = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF\uFE0F]")  # an LLM's emoji never reach WeCom or SMS
SENSITIVE_DETAIL = re.compile(r"住院|医疗|治疗|疾病|病|手术|体检|离婚|去世")


@dataclass(frozen=True)
class Script:
    text: str
    product_id: str | None
    scenario: str
    channel: str
    variant: int
    reasons: list[str]
    citations: list[dict[str, Any]]
    compliance: CheckResult
    origin: str = field(default="builtin", compare=False)
    script_id: str | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        data = {
            "script_id": self.script_id,
            "text": self.text,
            "product_id": self.product_id,
            "scenario": self.scenario,
            "channel": self.channel,
            "variant": self.variant,
            "reasons": self.reasons,
            "citations": self.citations,
            "compliance": compliance_summary(self.compliance),
        }
        if self.channel == "sms":
            data["segments"] = sms_segments(self.text)
        return data


class VariantPolicy(Protocol):
    """Chooses the phrasing variant of a single script (marketing.bandit): (variant, reason in Chinese)."""

    def choose(self, scenario: str, brief: dict[str, Any]) -> tuple[int, str]: ...


class ScriptLog(Protocol):
    """Remembers each script shown to an advisor and names it with a stable `script_id`."""

    def record(self, script: Script, *, brief: dict[str, Any], customer_id: str | None,
               advisor_id: str | None) -> str: ...


def compliance_summary(result: CheckResult) -> dict[str, Any]:
    return {"verdict": result.verdict, "findings": [f.to_dict() for f in result.findings]}


def _soon(brief: dict[str, Any], kind: str, days: int) -> dict[str, Any] | None:
    return next((e for e in brief.get("events", []) if e["kind"] == kind and -1 <= e["days_until"] <= days), None)


def _life_event(brief: dict[str, Any]) -> dict[str, Any] | None:
    """A recent or coming life event worth naming; health matters are never named in marketing copy."""
    return next((e for e in brief.get("events", [])
                 if e["kind"] == "life_event" and -30 <= e["days_until"] <= LIFE_EVENT_DAYS
                 and e.get("detail") and not SENSITIVE_DETAIL.search(e["detail"])), None)


def default_scenario(brief: dict[str, Any]) -> str:
    if _soon(brief, "maturity", MATURITY_SOON_DAYS):
        return "maturity"
    if _soon(brief, "birthday", BIRTHDAY_SOON_DAYS):
        return "birthday"
    return "product"


class ScriptWriter:
    def __init__(self, catalog: ProductCatalog, generator: GuardedGenerator, *, elderly_age: int = 65,
                 variant_policy: VariantPolicy | None = None, script_log: ScriptLog | None = None):
        self.catalog = catalog
        self.generator = generator
        self.elderly_age = elderly_age
        self.variant_policy = variant_policy
        self.script_log = script_log

    def choose(self, brief: dict[str, Any], product_id: str | None, scenario: str) -> Recommendation:
        if product_id:
            product = self.catalog.get(product_id)
            issue = suitability_issue(product, brief, self.elderly_age)
            if issue:
                raise BadInput(f"不能向该客户推荐{product.name}：{issue}。")
            return explain(product, brief, self.catalog)
        ranked = recommend(brief, self.catalog, limit=5, elderly_age=self.elderly_age)
        if not ranked:
            raise BadInput("没有适合该客户的在售产品（已排除风险等级不匹配和已持有的产品）。")
        if scenario != "product":
            ranked = [r for r in ranked if r.product.type in CARE_TYPES] or ranked
        if scenario == "maturity":
            return next((r for r in ranked if r.event and r.event["kind"] == "maturity"), ranked[0])
        if scenario == "care":
            return min(ranked[:3], key=lambda r: r.product.risk_rank)
        return ranked[0]

    def requests(self, brief: dict[str, Any], *, product_id: str | None = None, scenario: str | None = None,
                 channel: str = "tablet", variants: int = 1) -> tuple[Recommendation, list[ComposeRequest]]:
        scenario = scenario or default_scenario(brief)
        if scenario not in SCENARIOS:
            raise BadInput(f"未知的场景：{scenario}（可选：{'、'.join(SCENARIOS)}）")
        if channel not in CHANNELS:
            raise BadInput(f"未知的渠道：{channel}（可选：{'、'.join(CHANNELS)}）")
        if not 1 <= variants <= MAX_VARIANTS:
            raise BadInput(f"版本数须在1到{MAX_VARIANTS}之间。")
        chosen = self.choose(brief, product_id, scenario)
        event = self._event(scenario, brief, chosen)
        base = ComposeRequest(
            task="script", scenario=scenario, channel=channel, profile=brief,
            product=product_facts(chosen.product), event=event, need=chosen.need, reasons=chosen.reasons,
        )
        return chosen, [base.model_copy(update={"variant": v}) for v in range(variants)]

    def write(self, brief: dict[str, Any], *, product_id: str | None = None, scenario: str | None = None,
              channel: str = "tablet", variants: int = 1, adaptive: bool = False, **check: Any) -> list[Script]:
        """`adaptive`: drafts for an advisor (API, CLI, WeCom): a single script's phrasing comes from the
        variant policy (after suitability) and every script is logged with a `script_id`. Batch
        campaigns leave it off: their variants are fixed and their rows are their own record."""
        chosen, requests = self.requests(brief, product_id=product_id, scenario=scenario, channel=channel,
                                         variants=variants)
        product = chosen.product
        reasons = list(chosen.reasons)
        if adaptive and variants == 1 and self.variant_policy is not None:
            variant, why = self.variant_policy.choose(requests[0].scenario, brief)
            requests = [requests[0].model_copy(update={"variant": variant})]
            reasons.append(why)
        if channel in SENT_CHANNELS and not brief.get("marketing_consent", True):
            reasons.insert(0, NO_CONSENT_WARNING)
        sources = "\n".join(str(v) for v in (requests[0].product, requests[0].event, brief))
        scripts = []
        for request in requests:
            strip = (lambda t: _EMOJI.sub("", t)) if channel != "tablet" else (lambda t: t)
            guarded = self.generator.generate(request, sources=sources, product_type=product.type,
                                              channel=channel, source="script", post=strip, **check)
            text = guarded.text  # emoji were stripped before the gate checked it
            scripts.append(Script(
                text=text, product_id=product.id, scenario=request.scenario, channel=channel,
                variant=request.variant, reasons=reasons, citations=self._citations(text, product),
                compliance=guarded.result, origin=guarded.origin,
            ))
        if adaptive and self.script_log is not None:
            scripts = [replace(s, script_id=self.script_log.record(
                s, brief=brief, customer_id=check.get("customer_id"), advisor_id=check.get("advisor_id")))
                for s in scripts]
        return scripts

    def _citations(self, text: str, product: Any) -> list[dict[str, Any]]:
        mentioned = [product] + [p for p in self.catalog.find_mentions(text) if p.id != product.id]
        return [product_citation(p) for p in mentioned]

    @staticmethod
    def _event(scenario: str, brief: dict[str, Any], chosen: Recommendation) -> dict[str, Any] | None:
        if scenario == "maturity":
            if chosen.event and chosen.event["kind"] == "maturity":
                return chosen.event
            return _soon(brief, "maturity", 60)
        if scenario == "birthday":
            return _soon(brief, "birthday", 30)
        if scenario == "product":
            return chosen.event or _life_event(brief)
        return None
