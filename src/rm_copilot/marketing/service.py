"""`MarketingService`: what channels call for opportunities, outcomes and the campaign report.

Every customer access goes through the customer repository with the advisor's id, so another
advisor's customer, script or campaign is a NotFound exactly like a missing one.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from rm_copilot.compliance.pii import redact_pii
from rm_copilot.errors import BadInput, NotFound
from rm_copilot.marketing.bandit import ThompsonVariantPolicy
from rm_copilot.marketing.outcomes import OutcomeStore
from rm_copilot.marketing.script_log import ScriptLog
from rm_copilot.marketing.segments import parse_variant, segment_of
from rm_copilot.marketing.settings import ReportConfig
from rm_copilot.vocabulary import CHANNELS, OUTCOME_KINDS, SCENARIOS

MAX_DETAIL = 200
CampaignLookup = Callable[[str], "dict[str, Any] | None"]
WITHHELD_REASON = "提醒说明未通过合规检查，已隐藏；请打开客户详情核实后再联系。"


class MarketingService:
    def __init__(self, *, customers: Any, catalog: Any, script_log: ScriptLog, outcomes: OutcomeStore,
                 report_config: ReportConfig, variant_policy: ThompsonVariantPolicy,
                 campaign_lookup: CampaignLookup = lambda _id: None, elderly_age: int = 65,
                 clock: Callable[[], date] = date.today, opportunities: Any = None, dismissals: Any = None,
                 needs: Any = None, screen: Callable[[str], str | None] = lambda text: text):
        self.customers = customers
        self._screen = screen  # the compliance gate for text shown to the advisor: deliverable text or None
        self.catalog = catalog
        self.script_log = script_log
        self.outcomes = outcomes
        self.report_config = report_config
        self.variant_policy = variant_policy
        self._campaign = campaign_lookup
        self.elderly_age = elderly_age
        self._today = clock
        self.opportunity_engine = opportunities
        self.dismissals = dismissals
        self.needs = needs

    # outcomes -------------------------------------------------------------------------------

    def record_outcome(
        self, advisor_id: str | None, *, customer_id: str, kind: str, script_id: str | None = None,
        campaign_id: str | None = None, variant: int | str | None = None, product_id: str | None = None,
        detail: str | None = None, channel: str | None = None, scenario: str | None = None,
        source: str = "api",
    ) -> int:
        """Store one outcome with the script's variant, scenario, channel, product and verdict; its id."""
        if kind not in OUTCOME_KINDS:
            raise BadInput(f"未知的结果类型：{kind}（可选：{'、'.join(OUTCOME_KINDS)}）")
        if channel is not None and channel not in CHANNELS:
            raise BadInput(f"未知的渠道：{channel}（可选：{'、'.join(CHANNELS)}）")
        if scenario is not None and scenario not in SCENARIOS:
            raise BadInput(f"未知的场景：{scenario}（可选：{'、'.join(SCENARIOS)}）")
        try:
            variant_index = parse_variant(variant)
        except ValueError:
            raise BadInput("话术版本应为 0–4 或 A–E") from None
        if detail is not None and len(detail) > MAX_DETAIL:
            raise BadInput(f"备注过长（最多{MAX_DETAIL}字）")
        view = self.customers.get(customer_id, advisor_id=advisor_id)
        row: dict[str, Any] = {
            "advisor_id": view.advisor_id, "customer_id": view.id, "kind": kind, "source": source,
            "script_id": None, "campaign_id": None, "variant": variant_index, "scenario": scenario,
            "channel": channel, "product_id": None, "verdict": None,
            "segment": segment_of({"tier": view.tier, "elderly": view.age >= self.elderly_age}),
        }
        if script_id:
            self._from_script(row, script_id, advisor_id)
        if campaign_id:
            self._from_campaign(row, campaign_id, advisor_id)
        if product_id:
            row["product_id"] = self.catalog.get(product_id).id  # NotFound for an unknown product
        if detail and detail.strip():
            names = (self.customers.compliance_context(view.id).full_name,)
            row["detail"] = redact_pii(detail.strip(), names=names)
        return self.outcomes.add(**row)

    def _from_script(self, row: dict[str, Any], script_id: str, advisor_id: str | None) -> None:
        script = self.script_log.get(script_id, advisor_id=advisor_id, customer_id=row["customer_id"])
        if row["variant"] is not None and row["variant"] != script.variant:
            raise BadInput("话术版本与该话术记录不一致")
        row.update(script_id=script.script_id, variant=script.variant, scenario=script.scenario,
                   channel=script.channel, product_id=script.product_id, verdict=script.verdict,
                   segment=script.segment or row["segment"])

    def _from_campaign(self, row: dict[str, Any], campaign_id: str, advisor_id: str | None) -> None:
        job = self._campaign(campaign_id)
        if job is None or (advisor_id is not None and job.get("advisor_id") != advisor_id):
            raise NotFound(f"没有找到批量任务 {campaign_id[:32]}")
        row["campaign_id"] = campaign_id
        row["channel"] = row["channel"] or job.get("channel")
        row["product_id"] = row["product_id"] or job.get("product_id")
        row["scenario"] = row["scenario"] or job.get("scenario")

    # needs ----------------------------------------------------------------------------------

    def customer_needs(self, advisor_id: str | None, customer_id: str) -> dict[str, Any]:
        """Entered need tags and inferred ones (confidence, evidence); an entered key shadows an inferred one."""
        view = self.customers.get(customer_id, advisor_id=advisor_id)
        entered = [t.model_dump(mode="json") for t in view.tags.get("need", [])]
        keys = {t["key"] for t in entered}
        inferred = [{**i.to_dict(), "shadowed": i.key in keys}
                    for i in (self.needs.for_customer(view.id) if self.needs is not None else [])]
        return {"customer_id": view.id, "entered": entered, "inferred": inferred}

    # opportunities --------------------------------------------------------------------------

    def opportunities(self, advisor_id: str, on: date | None = None) -> list[Any]:
        """The advisor's ranked opportunities on `on` (default today), dismissed ones left out."""
        self.customers.advisor(advisor_id)  # NotFound for an unknown advisor
        today = on or self._today()
        ids = list(self.customers.iter_ids(advisor_id=advisor_id))
        return self._screened(self.opportunity_engine.for_customers(
            self._facts(ids), today, self.dismissals.fingerprints(advisor_id)))

    def customer_opportunities(self, advisor_id: str | None, customer_id: str, on: date | None = None,
                               *, include_dismissed: bool = False) -> list[Any]:
        view = self.customers.get(customer_id, advisor_id=advisor_id)
        dismissed = set() if include_dismissed else self.dismissals.fingerprints(view.advisor_id)
        return self._screened(
            self.opportunity_engine.for_customers(self._facts([view.id]), on or self._today(), dismissed))

    def _screened(self, opportunities: list[Any]) -> list[Any]:
        """Reasons quote imported facts: each passes the gate like any text an advisor reads."""
        return [replace(o, reason=self._screen(o.reason) or WITHHELD_REASON) for o in opportunities]

    def dismiss(self, advisor_id: str | None, *, customer_id: str, trigger: str, reason: str,
                on: date | None = None) -> dict[str, Any]:
        """Hide this customer's `trigger` opportunity until its facts change."""
        reason = (reason or "").strip()
        if not reason:
            raise BadInput("请填写不跟进的原因")
        if len(reason) > MAX_DETAIL:
            raise BadInput(f"原因过长（最多{MAX_DETAIL}字）")
        found = [o for o in self.customer_opportunities(advisor_id, customer_id, on, include_dismissed=True)
                 if o.trigger == trigger or o.id == trigger]
        if not found:
            raise NotFound(f"该客户当前没有“{trigger[:32]}”商机")
        view = self.customers.get(customer_id, advisor_id=advisor_id)
        names = (self.customers.compliance_context(view.id).full_name,)
        for opportunity in found:
            self.dismissals.dismiss(advisor_id=view.advisor_id, customer_id=view.id, trigger=opportunity.trigger,
                                    fingerprint=opportunity.fingerprint, reason=redact_pii(reason, names=names))
        return {"customer_id": view.id, "trigger": found[0].trigger, "dismissed": [o.id for o in found]}

    def _facts(self, ids: list[str]) -> list[tuple[Any, dict[str, Any]]]:
        from rm_copilot.assistant.brief import build_brief
        from rm_copilot.marketing.triggers import CustomerFacts

        births = self.customers.birth_dates(ids)
        inferred = self.needs.for_customers(ids) if self.needs is not None else {}
        found = []
        for chunk_start in range(0, len(ids), 500):
            for bundle in self.customers.bundles(ids[chunk_start:chunk_start + 500]):
                view = bundle.view
                brief = build_brief(bundle.profile, elderly_age=self.elderly_age, note=view.note,
                                    names=(bundle.context.full_name,))
                found.append((CustomerFacts(view, births.get(view.id), inferred.get(view.id, [])), brief))
        return found

    # report ---------------------------------------------------------------------------------

    def report(self, advisor_id: str | None, campaign_id: str | None = None) -> dict[str, Any]:
        """Conversion report over this advisor's outcomes (None: every advisor's), no customer identity."""
        from rm_copilot.marketing.report import build_report

        if campaign_id is not None:
            job = self._campaign(campaign_id)
            if job is None or (advisor_id is not None and job.get("advisor_id") != advisor_id):
                raise NotFound(f"没有找到批量任务 {campaign_id[:32]}")
        contacts = self.outcomes.contacts(advisor_id=advisor_id, campaign_id=campaign_id)
        return build_report(contacts, self.report_config, campaign_id=campaign_id,
                            scope="advisor" if advisor_id else "all")

    def report_chart(self, advisor_id: str | None, campaign_id: str | None = None) -> bytes:
        from rm_copilot.marketing.chart import report_chart

        return report_chart(self.report(advisor_id, campaign_id))
