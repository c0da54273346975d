"""The builtin composer: writes scripts and answers from a ComposeRequest with the Jinja2 templates.

Deterministic and offline. It only restates facts it was given (product front matter, retrieved
chunks, the masked profile), so it never invents a number.
"""
from __future__ import annotations

import re

from rm_copilot.generation.points import Terms, asked_terms, bigrams, key_facts, select_points
from rm_copilot.generation.prompts import PromptRenderer
from rm_copilot.generation.request import ComposeRequest
from rm_copilot.generation.verdict import verdict

__all__ = ["compose", "compose_answer", "compose_script", "merge_disclosures", "select_points", "sms_segments"]

BANK_SIGNATURE = "【星河银行】"
SMS_SEGMENT = 70
DOUBLE_RECORDING_TYPES = ("wealth", "fund", "insurance")
LIST_POINTS = 5
_SPACES = re.compile(r"\n{3,}")


def compose(request: ComposeRequest, renderer: PromptRenderer, terms: Terms | None = None) -> str:
    if request.task == "script":
        return compose_script(request, renderer)
    return compose_answer(request, renderer, terms)


def compose_script(request: ComposeRequest, renderer: PromptRenderer) -> str:
    profile = request.profile or {}
    product = dict(request.product or {})
    own = product.get("disclosures") or []
    product["disclosures"] = merge_disclosures(own, request.extra_disclosures)
    context = {
        "scenario": request.scenario,
        "channel": request.channel,
        "variant": request.variant,
        "who": profile.get("honorific") or "尊敬的客户",
        "event": request.event,
        "need": request.need,
        "p": product,
        "reasons": request.reasons,
        "risk_level": profile.get("risk_level"),
        "consent": profile.get("marketing_consent", True),
        "elderly": bool(profile.get("elderly")) and product.get("type") in DOUBLE_RECORDING_TYPES,
        "bank": BANK_SIGNATURE,
        "fact": _sms_fact(product),
        "sms_disclosures": merge_disclosures(own[:1], request.extra_disclosures),
    }
    if request.safe:
        return _tidy(renderer.render("builtin/safe_script.j2", **context), request.channel)
    template = {"wecom": "builtin/script_wecom.j2", "sms": "builtin/script_sms.j2"}.get(
        request.channel, "builtin/script_tablet.j2"
    )
    return _tidy(renderer.render(template, **context), request.channel)


def compose_answer(request: ComposeRequest, renderer: PromptRenderer, terms: Terms | None = None) -> str:
    if request.intent == "recommend" and not request.safe:
        return _tidy(renderer.render("builtin/recommend_answer.j2", profile=request.profile or {},
                                     items=request.recommendations, variant=request.variant), "tablet")
    if request.intent == "profile" and request.profile:
        return _tidy(renderer.render("builtin/profile_answer.j2", profile=request.profile), "tablet")
    if request.intent == "refuse":
        return renderer.render("builtin/refuse.j2")
    if not request.chunks:
        return renderer.render("builtin/not_found.j2")
    if request.safe:
        return renderer.render("builtin/safe_answer.j2", chunks=request.chunks)
    if request.intent == "compare":
        return _compare(request, renderer, terms)
    if request.form == "list" and _lists_products(request):
        points = [{"n": c["n"], "text": f"{c['product_name']}：{'；'.join(p['text'] for p in key_facts(c)[:2])}",
                   "product_id": c.get("product_id")} for c in request.chunks]
        return _tidy(renderer.render("builtin/answer.j2", points=points, form="list", verdict=None, key_facts=None,
                                     variant=request.variant, customer_line=None, disclosures=[]), "tablet")
    limit = LIST_POINTS if request.form == "list" else 3
    points = select_points(request.question, request.chunks, limit=limit, avoid=request.avoid, terms=terms,
                           form=request.form, subjects=request.subjects)
    if not points:
        return renderer.render("builtin/not_found.j2")
    text = renderer.render(
        "builtin/answer.j2",
        points=points,
        form=request.form,
        verdict=verdict(request.question, "；".join(p["text"] for p in points[:2]), terms, request.subjects) if request.form == "yesno" else None,
        key_facts=_key_facts(request) if request.form == "yesno" else None,
        variant=request.variant,
        customer_line=_customer_line(request),
        disclosures=[],
    )
    return _tidy(text, "tablet")


def _compare(request: ComposeRequest, renderer: PromptRenderer, terms: Terms | None) -> str:
    """Each product's own best points, side by side; with no aspect asked ("有什么区别"), each one's key facts."""
    sides = []
    general = not asked_terms(request.question, request.subjects, terms)
    for name in request.subjects:
        own = [c for c in request.chunks if c.get("product_name") == name]
        facts = next((c for c in own if c.get("heading") == "产品要素" or str(c.get("chunk_id", "")).endswith("#0")), None)
        points = [p for p in key_facts(facts) if not any(a and a in p["text"] for a in request.avoid)] \
            if general and facts else []
        if not points and not general:
            points = _per_aspect(request, own, facts, terms)
        if not points:
            points = select_points(request.question, own, limit=2, avoid=request.avoid, terms=terms,
                                   subjects=request.subjects)
        sides.append({"name": name, "points": points})
    if not any(side["points"] for side in sides):
        return renderer.render("builtin/not_found.j2")
    return _tidy(renderer.render("builtin/compare_answer.j2", sides=sides, variant=request.variant), "tablet")


_ASPECT_JOIN = re.compile(r"以及|[和与及、，,；;]")


def _aspects(request: ComposeRequest, terms: Terms | None) -> list[str]:
    """The aspects a comparison asks about, each on its own ("利率和起存金额分别是多少" → 利率, 起存金额分别是多少)."""
    asked = asked_terms(request.question, request.subjects, terms)
    parts = [part for part in _ASPECT_JOIN.split(request.question) if part.strip()]
    return [part for part in parts if asked_terms(part, request.subjects, terms) & asked]


def _fact_line(facts: dict | None, aspect: str, terms: Terms | None = None) -> dict | None:
    """The product-facts clause whose label is the aspect asked ("业绩基准" → 业绩比较基准：2.50%-3.10%)."""
    if facts is None:
        return None
    wanted = bigrams(aspect) - {"多少", "分别", "各是", "是多"}
    named = (terms or bigrams)(aspect)  # "管理费" said in the value of 费用：固定管理费0.20%/年
    best, overlap = None, 0
    for line in facts["text"].split("\n")[1:]:
        for clause in line.split("；"):
            label, _, value = clause.partition("：")
            shared = len(wanted & bigrams(label)) + 2 * any(len(t) >= 3 and t in value for t in named) \
                if value and len(label) <= 8 else 0
            if shared > overlap:
                best, overlap = f"{label}：{value.strip().rstrip('。')}", shared
    return {"n": facts["n"], "text": best, "product_id": facts.get("product_id")} if best else None


def _per_aspect(request: ComposeRequest, own: list[dict], facts: dict | None, terms: Terms | None) -> list[dict]:
    """One point per aspect asked, from the product's facts when a label names it, else its best sentence."""
    aspects = _aspects(request, terms)
    if len(aspects) < 2:
        return []
    points: list[dict] = []
    for aspect in aspects:
        line = _fact_line(facts, aspect, terms)
        found = [line] if line else select_points(aspect, own, limit=1, avoid=request.avoid, terms=terms,
                                                  subjects=request.subjects)
        points += [p for p in found if all(p["text"] != q["text"] for q in points)]
    return points


def _lists_products(request: ComposeRequest) -> bool:
    """A list over product-facts chunks only, one per product: the answer enumerates the products."""
    chunks = request.chunks
    return len(chunks) >= 2 and all(c.get("heading") == "产品要素" and c.get("product_name") for c in chunks) \
        and len({c["product_name"] for c in chunks}) == len(chunks)


def merge_disclosures(own: list[str], extra: list[str]) -> list[str]:
    """Product and rulebook disclosures without repeats (a phrase inside a longer one is dropped)."""
    merged = list(dict.fromkeys(d.strip().rstrip("。") for d in [*extra, *own] if d.strip()))
    return [d for d in merged if not any(d != other and d in other for other in merged)]


def sms_segments(text: str, size: int = SMS_SEGMENT) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def _key_facts(request: ComposeRequest) -> str | None:
    """The asked-about product's risk level and term, which most yes/no answers turn on."""
    product = request.product
    if not product or len(request.subjects) != 1:
        return None
    parts = [f"风险等级{product['risk_level']}"] + ([f"期限：{product['term']}"] if product.get("term") else [])
    return f"{product['name']}：{'；'.join(parts)}"


def _customer_line(request: ComposeRequest) -> str | None:
    """Whether the product asked about may be offered to this customer, and what selling it requires."""
    profile, product = request.profile, request.product
    if not profile or not product:
        return None
    who = profile.get("honorific") or "该客户"
    level = profile.get("risk_level")
    if not level or profile.get("risk_assessment_stale"):
        line = f"结合客户情况：{who}没有有效期内的风险承受能力评估，重新评估前只能介绍风险等级R1的产品。"
    elif product.get("suitable", True):
        line = (f"结合客户情况：{who}的风险承受能力等级为{level}，{product['name']}风险等级{product['risk_level']}，"
                f"不高于客户等级，可以向其介绍。")
    else:
        issue = product.get("suitability_issue") or f"产品风险等级{product['risk_level']}高于客户风险承受能力{level}"
        line = f"结合客户情况：{who}的风险承受能力等级为{level}，{issue}，不能向其推荐。"
    if profile.get("elderly") and product.get("type") in DOUBLE_RECORDING_TYPES:
        line += "客户已满65岁，办理理财、基金、保险须提示其阅读风险揭示书，并在销售专区全程录音录像（双录）。"
    return line


def _sms_fact(product: dict) -> str | None:
    text = product.get("min_amount_text") or product.get("rate") or ""
    first = re.split(r"[，；。]", text)[0] if text else ""
    return first if 0 < len(first) <= 16 else None


def _tidy(text: str, channel: str) -> str:
    text = _SPACES.sub("\n\n", text.strip())
    if channel == "sms":
        return re.sub(r"\s+", "", text)
    if channel == "wecom":
        return re.sub(r"\n\s*\n", "\n", text)
    return text
