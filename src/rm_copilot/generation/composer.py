"""The builtin composer: writes scripts and answers from a ComposeRequest with the Jinja2 templates.

Deterministic and offline. It only restates facts it was given (product front matter, retrieved
chunks, the masked profile), so it never invents a number.
"""
from __future__ import annotations

import re

from rm_copilot.generation.prompts import PromptRenderer
from rm_copilot.generation.request import ComposeRequest
from rm_copilot.generation.sentences import split_sentences

BANK_SIGNATURE = "【星河银行】"
SMS_SEGMENT = 70
_STOP_BIGRAMS = {"什么", "多少", "怎么", "是多", "少钱", "请问", "一下", "可以", "有没", "没有", "是否", "哪些", "如何"}
_FACT_LINE = re.compile(r"^([^：:]{2,10})[：:](.+)$")
_SPACES = re.compile(r"\n{3,}")


def compose(request: ComposeRequest, renderer: PromptRenderer) -> str:
    if request.task == "script":
        return compose_script(request, renderer)
    return compose_answer(request, renderer)


def compose_script(request: ComposeRequest, renderer: PromptRenderer) -> str:
    profile = request.profile or {}
    product = dict(request.product or {})
    product["disclosures"] = merge_disclosures(product.get("disclosures") or [], request.extra_disclosures)
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
        "elderly": bool(profile.get("elderly")),
        "bank": BANK_SIGNATURE,
        "fact": _sms_fact(product),
    }
    if request.safe:
        return _tidy(renderer.render("builtin/safe_script.j2", **context), request.channel)
    template = {"wecom": "builtin/script_wecom.j2", "sms": "builtin/script_sms.j2"}.get(
        request.channel, "builtin/script_tablet.j2"
    )
    return _tidy(renderer.render(template, **context), request.channel)


def compose_answer(request: ComposeRequest, renderer: PromptRenderer) -> str:
    if not request.chunks:
        return renderer.render("builtin/not_found.j2")
    if request.safe:
        return renderer.render("builtin/safe_answer.j2", chunks=request.chunks)
    points = select_points(request.question, request.chunks)
    text = renderer.render(
        "builtin/answer.j2",
        points=points,
        variant=request.variant,
        customer_line=_customer_line(request),
        disclosures=[],
    )
    return _tidy(text, "tablet")


def select_points(question: str, chunks: list[dict], limit: int = 3) -> list[dict]:
    """The chunk sentences that best match the question, each tagged with its chunk's number."""
    wanted = _bigrams(question)
    candidates: list[tuple[float, int, dict]] = []
    order = 0
    for rank, chunk in enumerate(chunks):
        for sentence in _chunk_sentences(chunk):
            score = len(wanted & _bigrams(sentence)) - rank * 0.01
            candidates.append((score, order, {"n": chunk["n"], "text": _phrase(sentence, chunk)}))
            order += 1
    scored = [c for c in candidates if c[0] >= 1]
    if not scored:
        scored = [c for c in candidates if c[2]["n"] == chunks[0]["n"]][:2]
    scored.sort(key=lambda c: (-c[0], c[1]))
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
        sentence = raw.strip().rstrip("。；;！!\n").strip()
        if sentence.startswith("问：") or sentence.startswith("问:") or len(sentence) < 4:
            continue
        sentences.append(re.sub(r"^答[：:]", "", sentence))
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
    if not level:
        return f"结合客户情况：{who}尚未完成有效的风险承受能力评估，评估前只能介绍风险等级R1的产品。"
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
