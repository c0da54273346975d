"""Quoted examples after a prohibition are mentions, not claims.

"不得说“保本保息”“本金无忧”“稳赚不赔”" names forbidden phrases; the negation before the first
quote covers the whole list of quoted items. So does a quotation in a sentence that talks about
wording ("“亏了我补”这类承诺无效且违规", "文案“板上钉钉的收益”已被合规退回"): a cue from the
rulebook's `mentions` list in the quotation's clause outside the quotes, or in a later clause of the
same sentence that answers it ("客户把基准理解成“预期收益”，这是误解"). A quotation a third party says,
asks or believes, then asked about, is reported speech ("客户说“肯定不会亏”，我该怎么解释？"), unlike
the advisor's own ("我跟客户说“…”"), a bare one ("客户说“保本保息”") or one turned on the customer
("客户都说“稳赚不赔”，您也试试").
A quotation the text recommends ("正确说法：“…”", "应改写为“…”", "参考答案：“…”") is the author's own
wording, checked like any other, whatever the sentence says about the quotation before it.
The options of a quiz question are mentions too ("以下哪句话违规？A.“零风险高收益” B.…。答案：A。"): what
follows the question up to its answer, when it is labelled A., B., … ; the answer itself is the
author's own words and is checked ("问：…？答：可以，这款保本" is a claim).
`mention_spans` gathers all of these once per text, for the rules and the meaning layer alike.
Decided on the original text, where the quotation marks still are (normalisation drops them between
CJK characters).
"""
from __future__ import annotations

import re

from rm_copilot.compliance.matcher import APPROVAL, NegationDetector
from rm_copilot.compliance.normalize import normalize


def mention_cues(cues: list[str]) -> re.Pattern | None:
    forms = sorted({normalize(cue).text for cue in cues if cue.strip()}, key=len, reverse=True)
    return re.compile("|".join(re.escape(form) for form in forms)) if forms else None


_QUOTED = re.compile(r'“[^“”]*”|「[^「」]*」|『[^『』]*』|"[^"\n]*"')
_OPENERS = '“「『"'
_LIST_TAIL = re.compile(r"(?:[\s、：:]|[，,](?=\s*(?:例如|比如|如|像))|和|或|及|与|以及|或者|等|例如|比如|如|像)*\Z")
_SENTENCE_END = re.compile(r"[。！？!?\n]")
_REBUTTAL = re.compile(r"不能(保证|作为|代表|说明)|不代表|不等于|并非|并不|不准确|不对|是误解|只能说明|只是说明|只是过去|"
                       r"纠正|更正|提醒(他|她|客户)|才能使用")
# The quoted words are someone else's, reported: a third party (the customer, 有人, 网友…) says, asks or
# believes them ("稳健型客户说“…肯定不会亏”，我该怎么解释？"). Never the advisor's own ("我跟客户说“…”"):
# a speaker after 跟/对/向/和/给/告诉 is the one spoken to.
_REPORTED_SPEECH = re.compile(
    r"(?<![跟对向和给诉让叫])(?:客户(?!经理)|客人|顾客|投资者|对方|有人|别人|他人|他们|她们|他|她|老人|家属|网友|朋友|同行|您|你)"
    r"[^，,；;。！？!?“”「」『』\"]{0,4}?(?:说|讲|问|认为|觉得|以为|听说|表示|提到|反映|咨询|质疑)(?:过|了|的是|道)?[^，,；;。！？!?“”「」『』\"]{0,4}?[:：\s]*\Z")
_CLAUSE_END = re.compile(r"[，,；;。！？!?\n]")


# A question that asks which of its options is right or wrong ("以下哪句话违规？", "下列哪项可以用于宣传？",
# "下面的说法是否合规？"), then options labelled A., B.… up to the answer. The question must judge the
# options: "以下哪款适合您？A.…" offers products, and its options are claims.
_QUIZ_QUESTION = re.compile(r"(?:哪(?:句|项|个|些|种|条|一|段)|下列|以下|下面|是否|能否|可否)[^。！？!?\n]*?"
                            r"(?:违规|合规|违法|正确|错误|不当|恰当|规范|可以用|能用|可以说|能说|允许|符合|误导|踩线)"
                            r"[^。！？!?\n]*[？?]")
_OPTION_LABEL = re.compile(r"(?:(?<=[\s?？:：。;；，,])|^)[（(]?[A-Fa-f][)）.．、:：]\s*")
_ANSWER = re.compile(r"参考答案|正确答案|答案|解析|答[:：]|\n")


def recommending(cues: list[str]) -> re.Pattern | None:
    """The cues of `Rulebook.recommended`, looked for in what leads up to a quotation in its clause."""
    forms = sorted({normalize(cue).text for cue in cues if cue.strip()}, key=len, reverse=True)
    return re.compile("|".join(re.escape(form) for form in forms)) if forms else None


def mention_spans(text: str, cues: re.Pattern | None, negation: NegationDetector,
                  recommended: re.Pattern | None = None) -> list[tuple[int, int]]:
    """[start, end) of the parts of `text` that are mentions, not the author's claims: quotations a
    prohibition introduces or a sentence about wording talks about, and the options of a quiz."""
    spans = quiz_options(text)
    if any(opener in text for opener in _OPENERS):
        previous = 0
        for start, end in _runs(text):
            clause_start = max((m.end() for m in _CLAUSE_END.finditer(text, previous, start)), default=previous)
            lead = normalize(text[clause_start:start]).text
            previous = end
            if recommended is not None and recommended.search(lead):
                continue
            if quoted_after_negation(text, start + 1, negation) or quoted_mention(text, start, end, cues):
                spans.append((start, end))
    return sorted(spans)


def quiz_options(text: str) -> list[tuple[int, int]]:
    """The options after a which-question, each from its label to the next label or the answer;
    two labelled options at least, else nothing is a quiz."""
    if "?" not in text and "？" not in text:
        return []
    spans: list[tuple[int, int]] = []
    for question in _QUIZ_QUESTION.finditer(text):
        answer = _ANSWER.search(text, question.end())
        region_end = answer.start() if answer else len(text)
        labels = list(_OPTION_LABEL.finditer(text, question.end(), region_end))
        if len(labels) < 2 or text[question.end():labels[0].start()].strip():
            continue
        bounds = [label.start() for label in labels[1:]] + [region_end]
        spans.extend((label.start(), bound) for label, bound in zip(labels, bounds, strict=True))
    return spans


def inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def quoted_mention(text: str, quote_start: int, quote_end: int, cues: re.Pattern | None) -> bool:
    """True when the quotation (or run of quotations) [quote_start, quote_end) is in a clause that talks
    about the wording ("“保本”这个词我们不能用"); another clause does not count ("不得夸大，“保本保息”是真的")."""
    if cues is None:
        return False
    if APPROVAL.search(text, quote_end, _sentence_end(text, quote_end)):
        return False  # the words talked about are approved for use ("“保本”的说法没问题，放心用")
    clause_start = max((m.end() for m in _CLAUSE_END.finditer(text, 0, quote_start)), default=0)
    sentence_start = max((m.end() for m in _SENTENCE_END.finditer(text, 0, quote_start)), default=0)
    if not text[sentence_start:quote_start].strip() and _REBUTTAL.search(text, quote_end, _sentence_end(text, quote_end)):
        return True  # the words open the sentence and it rebuts them ("“首只”只是说明发行顺序，不代表产品更优")
    closing = _CLAUSE_END.search(text, quote_end)
    if _REPORTED_SPEECH.search(text, clause_start, quote_start) and _taken_up(text, quote_end):
        return True  # reported, then asked about or rebutted ("客户说“…”，我该怎么解释？")
    clause = text[clause_start:closing.start() if closing else len(text)]
    if cues.search(normalize(_QUOTED.sub("，", clause)).text):
        return True
    # A later clause of the same sentence may answer the quotation ("…理解成“预期收益”，这是误解"):
    # a rebuttal after the words, never a prohibition before them ("不得夸大，“保本保息”是真的").
    if closing is None or closing.group() not in "，,；;":
        return False
    sentence_end = _SENTENCE_END.search(text, closing.end())
    rest = text[closing.end():sentence_end.start() if sentence_end else len(text)]
    return bool(cues.search(normalize(_QUOTED.sub("，", rest)).text))


def _runs(text: str) -> list[tuple[int, int]]:
    """Quotations, those joined by nothing or 、 merged into one run."""
    runs: list[list[int]] = []
    for match in _QUOTED.finditer(text):
        if runs and not text[runs[-1][1]:match.start()].strip(" 、"):
            runs[-1][1] = match.end()
        else:
            runs.append([match.start(), match.end()])
    return [(s, e) for s, e in runs]


def _sentence_end(text: str, after: int) -> int:
    closing = _SENTENCE_END.search(text, after)
    return closing.start() if closing else len(text)


def _taken_up(text: str, after: int) -> bool:
    """The rest of the sentence rebuts the reported words ("…“从来没亏过”，这只是过去的情况，不能保证未来")
    or is a question that does not turn to the customer ("…，我该怎么解释？"; not "客户都说“稳赚不赔”，
    您还不买吗？", nor "…，您也试试")."""
    sentence_end = _SENTENCE_END.search(text, after)
    rest = _QUOTED.sub("，", text[after:sentence_end.start() if sentence_end else len(text)])
    if not rest.strip(" ，,"):
        return False
    if _REBUTTAL.search(rest):
        return True
    asked = sentence_end is not None and sentence_end.group() in "？?"
    return asked and "您" not in rest and "你" not in rest


def quoted_after_negation(text: str, start: int, negation: NegationDetector) -> bool:
    """True when the hit at `start` sits in a quotation whose list is introduced by a negation."""
    ends = [match.end() for match in _SENTENCE_END.finditer(text, 0, start)]
    prefix = _QUOTED.sub("", text[ends[-1] if ends else 0:start])
    opener = max(prefix.rfind(char) for char in _OPENERS)
    if opener == -1:
        return False
    before = prefix[:opener]
    before = _LIST_TAIL.sub("", before, count=1)
    normalized = normalize(before).text
    return bool(normalized) and negation.negated(normalized, len(normalized))
