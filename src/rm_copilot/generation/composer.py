"""The builtin composer: writes scripts and answers from a ComposeRequest with the Jinja2 templates.

Deterministic and offline. It only restates facts it was given (product front matter, retrieved
chunks, the masked profile), so it never invents a number.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from rm_copilot.generation.prompts import PromptRenderer
from rm_copilot.generation.request import ComposeRequest
from rm_copilot.generation.sentences import split_sentences

BANK_SIGNATURE = "【星河银行】"
SMS_SEGMENT = 70
DOUBLE_RECORDING_TYPES = ("wealth", "fund", "insurance")
_STOP_BIGRAMS = {"什么", "多少", "怎么", "是多", "少钱", "请问", "一下", "可以", "有没", "没有", "是否", "哪些", "如何"}
# Words too common in this knowledge base to show what a question is about.
_STOP_WORDS = {"客户", "产品", "告诉", "以上", "忽略", "规则", "我们", "银行", "星河", "本行", "可以", "需要", "怎么", "什么"}
HEADING_WEIGHT = 0.8
_FACT_LINE = re.compile(r"^([^：:]{2,10})[：:](.+)$")
# A question asking for an amount, a rate or a time is best answered by a sentence with a number.
_ASKS_FOR_NUMBER = re.compile(r"多少|几[天年个月次]|多久|多长|多高|金额|利率|费率|费用|起存|起购|限额|上限|年化")
_HAS_NUMBER = re.compile(r"\d")
NUMBER_BONUS = 1.5
_SPACES = re.compile(r"\n{3,}")


Terms = Callable[[str], set[str]]


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
    if not request.chunks:
        return renderer.render("builtin/not_found.j2")
    if request.safe:
        return renderer.render("builtin/safe_answer.j2", chunks=request.chunks)
    points = select_points(request.question, request.chunks, avoid=request.avoid, terms=terms)
    if not points:
        return renderer.render("builtin/not_found.j2")
    text = renderer.render(
        "builtin/answer.j2",
        points=points,
        variant=request.variant,
        customer_line=_customer_line(request),
        disclosures=[],
    )
    return _tidy(text, "tablet")


def select_points(question: str, chunks: list[dict], limit: int = 3, avoid: list[str] = (),
                  terms: Terms | None = None) -> list[dict]:
    """The chunk sentences that best match the question, each tagged with its chunk's number.

    Nothing when no sentence shares a word with the question: better "not found" than a guess.
    Sentences containing an `avoid` phrase (flagged by compliance) are skipped.
    """
    terms = terms or _bigrams
    wanted = terms(question) - _STOP_WORDS
    subjects = set().union(*(terms(c["product_name"]) for c in chunks if c.get("product_name")))
    wanted = (wanted - subjects) or wanted  # the product is known; score what is asked about it
    wants_number = bool(_ASKS_FOR_NUMBER.search(question))
    candidates: list[tuple[float, int, dict]] = []
    for rank, chunk in enumerate(chunks):
        heading_score = HEADING_WEIGHT * len(wanted & terms(chunk.get("heading") or ""))
        for sentence in _chunk_sentences(chunk):
            if any(phrase and phrase in sentence for phrase in avoid):
                continue
            score = len(wanted & terms(sentence)) + heading_score
            if score < HEADING_WEIGHT:
                continue
            if wants_number and _HAS_NUMBER.search(sentence):
                score += NUMBER_BONUS
            candidates.append((score - rank * 0.01, len(candidates), {"n": chunk["n"], "text": _phrase(sentence, chunk)}))
    scored = sorted(candidates, key=lambda c: (-c[0], c[1]))
    points, seen = [], set()
    for _, _, point in scored:
        if point["text"] in seen:
            continue
        seen.add(point["text"])
        points.append(point)
        if len(points) == limit:
            break
    return points


def merge_disclosures(own: list[str], extra: list[str]) -> list[str]:
    """Product and rulebook disclosures without repeats (a phrase inside a longer one is dropped)."""
    merged = list(dict.fromkeys(d.strip().rstrip("。") for d in [*extra, *own] if d.strip()))
    return [d for d in merged if not any(d != other and d in other for other in merged)]


def sms_segments(text: str, size: int = SMS_SEGMENT) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def _chunk_sentences(chunk: dict) -> list[str]:
    lines = chunk["text"].split("\n", 1)
    body = lines[1] if len(lines) > 1 else lines[0]
    sentences = []
    for raw in split_sentences(body):
        sentence = re.sub(r"^[-*•\s]+", "", raw.strip()).rstrip("。；;！!\n").strip()
        if sentence.startswith(("问：", "问:")) or sentence.endswith(("？", "?")) or len(sentence) < 4:
            continue
        if sentence.count("“") != sentence.count("”") or "……" in sentence:
            continue  # a fragment of a quoted example, not a statement
        sentence = re.sub(r"[。！!；]”$", "”", re.sub(r"^答[：:]", "", sentence))  # the template ends it
        sentences.append(sentence)
    return sentences


def _phrase(sentence: str, chunk: dict) -> str:
    subject = chunk.get("product_name")
    match = _FACT_LINE.match(sentence)
    if subject and match and subject not in sentence:
        return f"{subject}的{match.group(1)}：{match.group(2)}"
    return sentence


def _bigrams(text: str) -> set[str]:
    cleaned = re.sub(r"[\s，。？！、：；,.?!:;“”\"'（）()]", "|", text)
    grams = {cleaned[i : i + 2] for i in range(len(cleaned) - 1)}
    return {g for g in grams if "|" not in g and g not in _STOP_BIGRAMS}


def _customer_line(request: ComposeRequest) -> str | None:
    profile, product = request.profile, request.product
    if not profile or not product:
        return None
    who = profile.get("honorific") or "该客户"
    level = profile.get("risk_level")
    if not level or profile.get("risk_assessment_stale"):
        return f"结合客户情况：{who}没有有效期内的风险承受能力评估，重新评估前只能介绍风险等级R1的产品。"
    fits = product.get("suitable", True)
    verdict = "在其可购买范围内" if fits else "超出其风险承受能力，不能向其推荐"
    return f"结合客户情况：{who}的风险承受能力等级为{level}，{product['name']}风险等级{product['risk_level']}，{verdict}。"


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
