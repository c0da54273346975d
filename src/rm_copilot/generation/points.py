"""Sentences of retrieved chunks as answer points: cleaned of list artefacts, scored against the question.

A point is a whole statement from a chunk, with the chunk's number for its citation. Heading numbers
and enumerators ("4. ", "①", "（二）") are removed, question lines and quoted fragments skipped;
for a 哪些 question the sentence that enumerates options (、 or a run of list lines) scores higher.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet

from rm_copilot.generation.quantities import quantities
from rm_copilot.generation.sentences import split_sentences

Terms = Callable[[str], AbstractSet[str]]

_STOP_BIGRAMS = {"什么", "多少", "怎么", "是多", "少钱", "请问", "一下", "可以", "有没", "没有", "是否", "哪些", "如何"}
# Words too common in this knowledge base to show what a question is about.
_STOP_WORDS = {"客户", "产品", "告诉", "以上", "忽略", "规则", "我们", "银行", "星河", "本行", "可以", "需要", "怎么", "什么",
               "哪些", "几种", "哪几", "分别", "区别", "不同", "对比", "比较"}
HEADING_WEIGHT = 0.8
NUMBER_BONUS = 1.5
LIST_BONUS = 1.5
MAX_ITEMS = 10
RANK_PRIOR = 1.0
UNIT_BONUS = 2.0
LEAD_BONUS = 1.5
COVERAGE_BONUS = 1.5
_AFTER_CUE = re.compile(r"(?:哪些|哪几种|哪几类|几种|几类)(.+)$")
_MODAL = re.compile(r"[能会可要需是有没不还吗用算]+|可以|需要|能否|是否|可否")
# What kind of quantity a question asks for, so the sentence stating one in that unit wins.
_ASKED_UNITS = (
    (re.compile(r"多少钱|块钱|起存|起购|起投|起买|(?:最少|最低|至少|起码)[^，。？?]{0,3}(?:存|投|买|购|交)|存多少|额度|金额"
                r"|保费|年费|限额|免赔额|免陪额|上限|多少万"
                r"|最(?:多|高)[^，。？?]{0,5}(?:买|存|投|取|借|贷|赎|批)[^，。？?]{0,3}多少"), {"money"}),
    (re.compile(r"利率|费率|年化|基准|收益率|几成|比例|仓位|占多少|赎回费|申购费|管理费|手续费|误差"), {"percent"}),
    (re.compile(r"多久|多长|几年|几天|几个月|期限|存期|封闭|等待期|冷静期|犹豫期|有效期|管多久|持有多"),
     {"day", "month", "year", "workday", "hour"}),
    (re.compile(r"几次|多少次"), {"times_count"}),
    (re.compile(r"多少岁|几岁|年龄"), {"age"}),
    (re.compile(r"多少只|几只"), {"count"}),
    (re.compile(r"多少种|几种疾病"), {"kinds"}),
)  # retrieval's order counts: the first chunk's sentence wins a tie
_FACT_LINE = re.compile(r"^([^：:]{2,10})[：:](.+)$")
_ASKS_FOR_NUMBER = re.compile(r"多少|几[天年个月次成种]|多久|多长|多高|金额|利率|费率|费用|起存|起购|限额|上限|年化|比例|仓位"
                              r"|期限|存期|封闭期|等待期|到账")
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


def _table_rows(body: str) -> str:
    """Markdown table rows read as statements ("| C1 | R1 |" → "C1：R1。"); separator rows dropped."""
    rows = []
    for line in body.split("\n"):
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.lstrip().startswith("|") else None
        if cells is None:
            rows.append(line)
        elif not all(set(c) <= set("-: ") for c in cells):
            rows.append("：".join(c for c in cells if c) + "。")
    return "\n".join(rows)


def list_lines(chunk: dict) -> list[str]:
    """The chunk's enumerated lines ("1. …", "- …", "（一）…"), cleaned: a list the chunk itself makes."""
    body = chunk["text"].split("\n", 1)[-1]
    items = [clean(line) for line in body.split("\n") if _ENUMERATOR.match(line.strip()) and line.strip()[:1] != "#"]
    return [item for item in items if len(item) >= 2]


def chunk_sentences(chunk: dict) -> list[tuple[str, str]]:
    """(statement, context) pairs: an FAQ answer ("问：…？答：…") carries its question as context."""
    lines = chunk["text"].split("\n", 1)
    body = _table_rows(lines[1] if len(lines) > 1 else lines[0])
    sentences: list[tuple[str, str]] = []
    asked = ""
    for raw in split_sentences(body):
        stripped = raw.strip()
        if stripped.startswith(("问：", "问:")) or stripped.endswith(("？", "?")):
            asked = stripped
            continue
        sentence = clean(raw)
        if len(sentence) < 4 or sentence.count("“") != sentence.count("”") or "……" in sentence:
            continue  # a fragment of a quoted example, not a statement
        if "问：" in sentence:
            sentence = sentence.split("问：", 1)[0].rstrip("。；; ")
            if len(sentence) < 4:
                continue
        sentences.append((sentence, asked))
        if not stripped.startswith(("答：", "答:")):
            asked = ""
    return sentences


_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|「[^」]*」")


def bigrams(text: str) -> set[str]:
    cleaned = re.sub(r"[\s，。？！、：；,.?!:;“”\"'（）()]", "|", text)
    grams = {cleaned[i: i + 2] for i in range(len(cleaned) - 1)}
    return {g for g in grams if "|" not in g and g not in _STOP_BIGRAMS}


KEY_FACT_LABELS = ("产品类型", "期限", "起购金额", "业绩比较基准", "利率")


def asked_terms(question: str, names: list[str], terms: Terms | None = None) -> set[str]:
    """What the question asks about the products it names ("…的起购金额" → 起购金额); empty for "有什么区别"."""
    terms = terms or bigrams
    named = set().union(*(terms(name) for name in names)) if names else set()
    return {t for t in terms(question) - _STOP_WORDS - named - _STOP_BIGRAMS if len(t) >= 2}


def key_facts(chunk: dict) -> list[dict]:
    """A product-facts chunk's defining lines (type and risk, term, minimum, return), for a side by side."""
    lines = chunk["text"].split("\n")[1:]
    facts = [line.strip().rstrip("。") for label in KEY_FACT_LABELS for line in lines
             if line.strip().startswith(label + "：")]
    return [{"n": chunk["n"], "text": text, "product_id": chunk.get("product_id")} for text in facts]


def select_points(question: str, chunks: list[dict], limit: int = 3, avoid: Sequence[str] = (),
                  terms: Terms | None = None, form: str = "fact", subjects: Sequence[str] = ()) -> list[dict]:
    """The chunk sentences that best match the question, each tagged with its chunk's number.

    Nothing when no sentence shares a word with the question: better "not found" than a guess.
    Sentences containing an `avoid` phrase (flagged by compliance) are skipped.
    """
    terms = terms or bigrams
    wanted = terms(question) - _STOP_WORDS
    names = [c["product_name"] for c in chunks if c.get("product_name")] + list(subjects)
    subject_terms = set().union(*(terms(name) for name in names)) if names else set()
    asked_after = _AFTER_CUE.search(question) if form == "list" else None
    kept = terms(asked_after.group(1)) & wanted if asked_after else set()  # "哪些房产做抵押": 抵押 is asked
    wanted = ((wanted - subject_terms) | kept) or wanted  # the product is known; score what is asked about it
    wants_number = bool(_ASKS_FOR_NUMBER.search(question))
    weight = _idf(wanted, chunks, terms)
    asked_units = {unit for cue, units in _ASKED_UNITS if cue.search(question) for unit in units}
    asked_words = {w for w in wanted if len(w) >= 2 and not _MODAL.fullmatch(w)}
    candidates: list[tuple[float, int, dict]] = []
    for rank, chunk in enumerate(chunks):
        heading_score = HEADING_WEIGHT * len(wanted & terms(chunk.get("heading") or ""))
        prior = RANK_PRIOR / (rank + 1)
        for sentence, asked in chunk_sentences(chunk):
            if any(phrase and phrase in sentence for phrase in avoid):
                continue
            stated = _QUOTED.sub("", sentence) if form == "yesno" else sentence  # quoted words are mentions
            overlap = sum(weight[t] for t in wanted & (terms(stated) | (terms(asked) if asked else set())))
            score = overlap + heading_score
            if asked_units and asked_units & {q.unit for q in quantities(sentence)}:
                score += UNIT_BONUS  # states the kind of quantity asked for, whatever its words
            elif score >= HEADING_WEIGHT and wants_number and _HAS_NUMBER.search(sentence):
                score += NUMBER_BONUS
            if score < HEADING_WEIGHT:
                continue
            score += prior
            if form == "yesno" and len(asked_words) >= 2 and asked_words <= terms(stated) | terms(asked or ""):
                score += COVERAGE_BONUS  # states everything asked: the sentence a verdict can be read from
            if form == "list" and sentence.endswith(("：", ":")):
                score += LEAD_BONUS
            elif form == "list" and _ENUMERATES.search(sentence):
                score += LIST_BONUS
            point = {"n": chunk["n"], "text": phrase(sentence, chunk), "product_id": chunk.get("product_id")}
            candidates.append((score, len(candidates), point))
    if not candidates and subjects and chunks:
        return _leading(chunks[0], wants_number)
    scored = sorted(candidates, key=lambda c: (-c[0], c[1]))
    points, seen = [], set()
    for _, _, point in scored:
        if point["text"] in seen:
            continue
        seen.add(point["text"])
        points.append(point)
        if len(points) == limit:
            break
    block = _block_of(points, chunks, wanted, weight, terms, listed_kind(question)) if form == "list" else None
    if block:
        return block
    lead = next((p for p in points if p["text"].endswith(("：", ":"))), None) if form == "list" else None
    if lead is not None:
        points = _with_items(lead, chunks, MAX_ITEMS) or points
    elif form == "list" and points:
        points = _enumerated(points[0], chunks) or points
    return points


_ITEM_START = re.compile(r"^\s*(?:\d{1,2}[.、．)）](?!\d)|[-•·]|[①②③④⑤⑥⑦⑧⑨⑩]|[（(][一二三四五六七八九十\d]{1,2}[)）])")
_LEAD_CUE = re.compile(r"以下|如下|包括|组成|满足|条件|环节|方式|情形|材料|要求|步骤|分为|选择|处理|解除|结清")
MIN_ITEMS = 2


_BEFORE_CUE = re.compile(r"([^，,。？?的]{2,8})(?:都|一共|主要)?(?:有|包括|分为|分|是)?(?:哪些|哪几[种类项个]|几种|几类|什么(?:要求|条件|方式))")


def listed_kind(question: str) -> str:
    """What a 哪些 question lists: the words just before its cue ("费用承担方式有哪几种" → 费用承担方式)."""
    match = _BEFORE_CUE.search(question)
    return match.group(1) if match else ""


def list_blocks(chunk: dict) -> list[tuple[str, list[str]]]:
    """The lists a chunk makes inline: a lead-in ending with "：" and its items, separated by "；"
    ("须覆盖以下环节：A；B；C。") or enumerated ("组成：1. A；2. B。", "：- A；- B"), each list up to its "。"
    (enumerated items may run on over "。" while the next one starts with its enumerator)."""
    blocks = []
    for paragraph in chunk["text"].split("\n")[1:] or chunk["text"].split("\n"):
        sentences = [x for x in re.split(r"(?<=[。！？!?])", paragraph) if x.strip()]
        i = 0
        while i < len(sentences):
            sentence = sentences[i]
            i += 1
            colon = min((at for at in (sentence.find("："), sentence.find(":")) if at >= 0), default=-1)
            if colon < 0 or colon + 1 >= len(sentence):
                continue
            lead, pieces = sentence[:colon + 1], re.split(r"[；;]", sentence[colon + 1:])
            enumerated = bool(_ITEM_START.match(pieces[0]))
            while enumerated and i < len(sentences) and _ITEM_START.match(sentences[i]):
                pieces += re.split(r"[；;]", sentences[i])  # "1. …。2. …。": the list runs on
                i += 1
            items: list[str] = []
            for piece in pieces:
                text = clean(piece)
                if len(text) < 2:
                    continue
                if enumerated and items and not _ITEM_START.match(piece):
                    items[-1] = f"{items[-1]}；{text}"  # a clause continuing the item before it
                else:
                    items.append(text)
            if len(items) >= MIN_ITEMS and (enumerated or _LEAD_CUE.search(lead) or len(items) >= 3):
                blocks.append((clean(lead).rstrip("：:") + "：", items))
    return blocks


def _block_of(points: list[dict], chunks: list[dict], wanted: AbstractSet[str], weight: dict[str, float],
              terms: Terms, kind: str = "") -> list[dict]:
    """The whole list (lead and every item) of a chunk whose list the best points come from, when
    its lead says what was asked: a 哪些 question gets all the items, not the first sentence."""
    best: tuple[float, int, dict, tuple[str, list[str]]] | None = None
    listed = wanted & terms(kind) if kind else set()  # "费用承担方式有哪几种": what is listed counts twice
    for rank, point in enumerate(points):
        chunk = next((c for c in chunks if c["n"] == point["n"]), None)
        if chunk is None:
            continue
        for block in list_blocks(chunk):
            lead, items = block
            head = lead.rstrip("：")
            if not (point["text"].startswith(head) or any(point["text"] in item or item in point["text"]
                                                          for item in items)):
                continue
            said = terms(head)
            score = sum(weight.get(t, 0.0) for t in wanted & said) + sum(weight.get(t, 0.0) for t in listed & said)
            if score > 0 and (best is None or (score, -rank) > (best[0], -best[1])):
                best = (score, rank, chunk, block)
    if best is None:
        return []
    _, _, chunk, (lead, items) = best
    return [{"n": chunk["n"], "text": text, "product_id": chunk.get("product_id")}
            for text in [lead, *(phrase(item, chunk) for item in items[:MAX_ITEMS])]]


def _enumerated(best: dict, chunks: list[dict]) -> list[dict]:
    """The best point's chunk enumerates options line by line: answer with its list, in order."""
    chunk = next((c for c in chunks if c["n"] == best["n"]), None)
    if chunk is None:
        return []
    items = list_lines(chunk)
    if len(items) < 2 or not any(best["text"] in item or item in best["text"] for item in items):
        return []
    return [{"n": chunk["n"], "text": phrase(item, chunk), "product_id": chunk.get("product_id")}
            for item in items[:MAX_ITEMS]]


def _idf(wanted: AbstractSet[str], chunks: list[dict], terms: Terms) -> dict[str, float]:
    """Rarer question words count more (取现 over 信用卡), each between 0.5 and 1.5."""
    sentences = [terms(s) for chunk in chunks for s, _ in chunk_sentences(chunk)]
    total = max(1, len(sentences))
    weights = {}
    for term in wanted:
        df = sum(1 for words in sentences if term in words)
        weights[term] = 0.5 + min(1.0, math.log(1 + total / (1 + df)) / math.log(1 + total))
    return weights


def _leading(chunk: dict, wants_number: bool) -> list[dict]:
    """Nothing shares a word with the question, but retrieval put this chunk of the product first."""
    sentences = [s for s, _ in chunk_sentences(chunk)]
    if wants_number:
        sentences = [s for s in sentences if _HAS_NUMBER.search(s)] or sentences
    return [{"n": chunk["n"], "text": phrase(s, chunk), "product_id": chunk.get("product_id")} for s in sentences[:2]]


def _with_items(lead: dict, chunks: list[dict], limit: int) -> list[dict]:
    """A lead-in ("…通常收取以下费用：") followed by the lines it introduces."""
    chunk = next((c for c in chunks if c["n"] == lead["n"]), None)
    if chunk is None:
        return []
    sentences = [s for s, _ in chunk_sentences(chunk)]
    texts = [phrase(s, chunk) for s in sentences]
    if lead["text"] not in texts:
        return []
    start = texts.index(lead["text"])
    items = [{"n": chunk["n"], "text": t, "product_id": chunk.get("product_id")} for t in texts[start + 1:start + limit]]
    return [lead, *items] if items else []


def phrase(sentence: str, chunk: dict) -> str:
    subject = chunk.get("product_name")
    match = _FACT_LINE.match(sentence)
    if subject and match and subject not in sentence:
        return f"{subject}的{match.group(1)}：{match.group(2)}"
    return sentence
