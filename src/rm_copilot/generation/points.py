"""Sentences of retrieved chunks as answer points: cleaned of list artefacts, scored against the question.

A point is a whole statement from a chunk, with the chunk's number for its citation. Heading numbers
and enumerators ("4. ", "①", "（二）") are removed, question lines and quoted fragments skipped;
for a 哪些 question the sentence that enumerates options (、 or a run of list lines) scores higher.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from rm_copilot.generation.sentences import split_sentences

Terms = Callable[[str], set[str]]

_STOP_BIGRAMS = {"什么", "多少", "怎么", "是多", "少钱", "请问", "一下", "可以", "有没", "没有", "是否", "哪些", "如何"}
# Words too common in this knowledge base to show what a question is about.
_STOP_WORDS = {"客户", "产品", "告诉", "以上", "忽略", "规则", "我们", "银行", "星河", "本行", "可以", "需要", "怎么", "什么",
               "哪些", "几种", "哪几", "分别", "区别", "不同", "对比", "比较"}
HEADING_WEIGHT = 0.8
NUMBER_BONUS = 1.5
LIST_BONUS = 1.5
_FACT_LINE = re.compile(r"^([^：:]{2,10})[：:](.+)$")
_ASKS_FOR_NUMBER = re.compile(r"多少|几[天年个月次成种]|多久|多长|多高|金额|利率|费率|费用|起存|起购|限额|上限|年化|比例|仓位")
_HAS_NUMBER = re.compile(r"\d")
_ENUMERATOR = re.compile(
    r"^(?:[①②③④⑤⑥⑦⑧⑨⑩]|\d{1,2}[.、．)）](?!\d)|[（(][一二三四五六七八九十\d]{1,2}[)）]|[一二三四五六七八九十]{1,2}[、.．]"
    r"|第[一二三四五六七八九十\d]{1,2}[条项点步][，,：:、\s]?|[-*•·]|#+)\s*"
)
_ENUMERATES = re.compile(r"[、；;]|包括|分为|分别|有以下|以下几|[：:].+[，、].+")


def clean(sentence: str) -> str:
    """A chunk sentence without list or heading artefacts and without its own end punctuation."""
    text = sentence.strip()
    while (match := _ENUMERATOR.match(text)) and match.end() > 0:
        text = text[match.end():].lstrip()
    text = re.sub(r"^答[：:]", "", text)
    text = re.sub(r"[。！!；]”$", "”", text)
    return text.rstrip("。；;！!，,\n ").strip()


def chunk_sentences(chunk: dict) -> list[str]:
    lines = chunk["text"].split("\n", 1)
    body = lines[1] if len(lines) > 1 else lines[0]
    sentences = []
    for raw in split_sentences(body):
        sentence = clean(raw)
        if sentence.startswith(("问：", "问:")) or sentence.endswith(("？", "?")) or len(sentence) < 4:
            continue
        if sentence.count("“") != sentence.count("”") or "……" in sentence:
            continue  # a fragment of a quoted example, not a statement
        if "问：" in sentence:
            sentence = sentence.split("问：", 1)[0].rstrip("。；; ")
            if len(sentence) < 4:
                continue
        sentences.append(sentence)
    return sentences


def bigrams(text: str) -> set[str]:
    cleaned = re.sub(r"[\s，。？！、：；,.?!:;“”\"'（）()]", "|", text)
    grams = {cleaned[i: i + 2] for i in range(len(cleaned) - 1)}
    return {g for g in grams if "|" not in g and g not in _STOP_BIGRAMS}


def select_points(question: str, chunks: list[dict], limit: int = 3, avoid: list[str] = (),
                  terms: Terms | None = None, form: str = "fact", subjects: list[str] = ()) -> list[dict]:
    """The chunk sentences that best match the question, each tagged with its chunk's number.

    Nothing when no sentence shares a word with the question: better "not found" than a guess.
    Sentences containing an `avoid` phrase (flagged by compliance) are skipped.
    """
    terms = terms or bigrams
    wanted = terms(question) - _STOP_WORDS
    names = [c["product_name"] for c in chunks if c.get("product_name")] + list(subjects)
    subject_terms = set().union(*(terms(name) for name in names)) if names else set()
    wanted = (wanted - subject_terms) or wanted  # the product is known; score what is asked about it
    wants_number = bool(_ASKS_FOR_NUMBER.search(question))
    candidates: list[tuple[float, int, dict]] = []
    for rank, chunk in enumerate(chunks):
        heading_score = HEADING_WEIGHT * len(wanted & terms(chunk.get("heading") or ""))
        for sentence in chunk_sentences(chunk):
            if any(phrase and phrase in sentence for phrase in avoid):
                continue
            score = len(wanted & terms(sentence)) + heading_score
            if score < HEADING_WEIGHT:
                continue
            if wants_number and _HAS_NUMBER.search(sentence):
                score += NUMBER_BONUS
            if form == "list" and _ENUMERATES.search(sentence):
                score += LIST_BONUS
            point = {"n": chunk["n"], "text": phrase(sentence, chunk), "product_id": chunk.get("product_id")}
            candidates.append((score - rank * 0.01, len(candidates), point))
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


def phrase(sentence: str, chunk: dict) -> str:
    subject = chunk.get("product_name")
    match = _FACT_LINE.match(sentence)
    if subject and match and subject not in sentence:
        return f"{subject}的{match.group(1)}：{match.group(2)}"
    return sentence
