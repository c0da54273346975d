"""A plain first word for a yes/no question, read from the evidence sentence that answers it.

The question's own verb chooses the word (能 → 能/不能, 需要 → 需要/不需要, 是 → 是/不是 …). The
polarity comes from the evidence, at the place that states what was asked: the question's words
(转让, 等待期, 抵押) are looked up in the evidence, last asked first, and a negation just before
one ("无需抵押", "不可提前支取", "不得用于购买理财") answers "no"; "不会拒绝续保" is a double negation.
When the evidence never states what was asked, there is no verdict — better none than a wrong one.
A question that already carries a negation ("是不是不会亏？") is answered "不是" when the evidence
says the thing can happen (可能).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet

_VERBS = (  # (question verb, yes, no) — the first that occurs in the question wins
    ("需不需要", "需要", "不需要"), ("要不要", "需要", "不需要"), ("需要", "需要", "不需要"),
    ("得先", "需要", "不需要"), ("要先", "需要", "不需要"), ("必须", "需要", "不需要"),
    ("能不能", "能", "不能"), ("可不可以", "可以", "不可以"), ("可以", "可以", "不可以"),
    ("是不是", "是", "不是"), ("会不会", "会", "不会"), ("有没有", "有", "没有"), ("算不算", "算", "不算"),
    ("用不用", "需要", "不需要"), ("能", "能", "不能"), ("会", "会", "不会"), ("算", "算", "不算"),
    ("受", "受", "不受"), ("有", "有", "没有"), ("是", "是", "不是"),
)
_A_NOT_A = re.compile(r"([\u4e00-\u9fff])不\1")
_PLAIN_VERBS = ("保本", "保息", "保收益", "保证收益", "支持", "包括", "包含", "属于", "影响", "允许", "适合", "享受",
                "报销", "计息", "占用", "投资", "收取", "收费", "覆盖", "保障", "赔付", "赔", "退", "收")
_MODAL = {"能", "可以", "可", "会", "是", "有", "要", "需要", "吗", "能否", "可否", "是否", "不能", "不会", "没有",
          "能不能", "可不可以", "是不是", "会不会", "有没有", "要不要", "需不需要", "客户", "还能", "还"}
_NEGATION = re.compile(r"不|无|没有|禁止|严禁|未|非|只能|仅限|仅可")
_NOT_NEGATION = re.compile(r"不低于|不少于|不超过|不高于|不仅|不同|无论|不论|并不影响|非常|不确定|非工作日|非交易日")
_NEGATIVE_VERB = re.compile(r"拒绝|停止|取消|限制|暂停|终止")
_SUFFICES = re.compile(r"即可|就可以|就能办")
_POSSIBLE = re.compile(r"可能|有风险|会亏|亏损")
_NEGATED_QUESTION = re.compile(r"(?:是不是|是否|会不会)?(?:不会|不能|没有|无|不)[\u4e00-\u9fff]{1,4}[吗？?]*$")
_CLAUSE_END = re.compile(r"[，,。；;：:！!？?]")
_CONTINUES = re.compile(r"^(?:包括|例如|比如|如|含|以及|或|及)")
_ANYTIME = re.compile(r"随时|任何时候|马上|立刻|立即|想取就取|随便")
_CONDITIONAL = re.compile(r"后才(?:能|可以|可)|才能|方可|须[^，。；]{1,12}后")
WINDOW = 10  # characters before the word, within its clause

Terms = Callable[[str], AbstractSet[str]]


def _words(question: str, terms: Terms | None, verb: str | None = None) -> list[str]:
    """What the question asks about — the words after its verb ("能报销医药费" → 报销, 医药费), in order."""
    at = question.find(verb) if verb else -1
    tail = question[at + len(verb):] if verb and at >= 0 else ""
    asked = tail if re.search(r"[\u4e00-\u9fff]{2}", tail) else question
    found = terms(asked) if terms else {run[i:i + 2] for run in re.findall(r"[\u4e00-\u9fff]+", asked)
                                        for i in range(len(run) - 1)}
    words = [w for w in found if w not in _MODAL and len(w) >= 2 or w in {"取", "买", "赎", "退", "借"}]
    if asked is question:  # "…付首付，可以吗？": the verb ends the question, what it allows comes just before
        return sorted(words, key=lambda w: (-question.rfind(w), -len(w)))
    return sorted(words, key=lambda w: (asked.find(w), -len(w)))  # "能报销医药费": the verb first


def _pairs(text: str) -> set[str]:
    return {run[i:i + 2] for run in re.findall(r"[\u4e00-\u9fff]+", text) for i in range(len(run) - 1)}


def _negated_at(evidence: str, at: int) -> bool:
    """A negation in the clause just before the word, unless a negative verb undoes it (不会拒绝)."""
    clauses = _CLAUSE_END.split(evidence[max(0, at - 2 * WINDOW):at])
    before = clauses.pop()
    while clauses and _CONTINUES.match(before):  # "严禁流入房地产，包括购房、支付首付": the list continues
        before = clauses.pop() + before
    before = _NOT_NEGATION.sub("", before[-2 * WINDOW:])
    return bool(_NEGATION.search(before)) != bool(_NEGATIVE_VERB.search(before))


def polarity(question: str, evidence: str, terms: Terms | None = None, verb: str | None = None,
             named: AbstractSet[str] = frozenset()) -> bool | None:
    """True (yes), False (no), or None when the evidence does not state what was asked.

    What is asked is the question's words after its verb, without the product's own name (`named`):
    evidence that only names the product ("本产品适合出境旅游…") does not answer "还能补买吗".
    """
    words = _words(question, terms, verb)
    words = [w for w in words if w not in named] or words
    for word in words:
        at = evidence.find(word)
        if at >= 0:
            rest = evidence[at + len(word):at + len(word) + 5]
            # "报销须通过医保": what was asked goes through something else, so not through this
            return not _negated_at(evidence, at) and not rest.startswith(("不", "无", "须通过", "需通过", "要通过", "只能"))
    return None


def verdict(question: str, evidence: str, terms: Terms | None = None, subjects: Sequence[str] = ()) -> str | None:
    """"不能" / "可以" / "不是" …, or None when the verb or the evidence gives no clear answer."""
    asked_verb, pair = next(((verb, (yes, no)) for verb, yes, no in _VERBS if verb in question), (None, None))
    if (repeated := _A_NOT_A.search(question)) and repeated.group(1) not in "是能会有要需可算用":
        pair = (repeated.group(1), "不" + repeated.group(1))  # 投不投 → 投 / 不投, 收不收 → 收 / 不收
        asked_verb = repeated.group(0)
    elif pair is None or pair[0] in ("有", "是"):
        asked = [verb for verb in _PLAIN_VERBS if verb in question]
        asked = [v for v in asked if not any(v != other and v in other for other in asked)]
        if asked:  # "保本保息吗" → 保本、保息 / 不保本、不保息
            pair = ("、".join(asked), "、".join("不" + verb for verb in asked))
    if pair is None:
        return None
    yes, no = pair
    body = _A_NOT_A.sub(r"\1", re.sub(r"是不是|会不会|能不能|可不可以|有没有|要不要|需不需要|算不算|用不用", "", question))
    if _NEGATED_QUESTION.search(body) and ("不" in body or "没" in body):
        return no if _POSSIBLE.search(evidence) else None
    if yes == "需要" and (enough := _SUFFICES.search(evidence)) is not None:
        clause = _CLAUSE_END.split(evidence[:enough.start()])[-1]
        if not any(word in clause for word in _words(question, terms, asked_verb)):
            return no  # "用普通借记卡即可购买": something else suffices, so what was asked is not needed
    if _ANYTIME.search(question) and _CONDITIONAL.search(evidence):
        return no  # "可以随时取吗" — "须达到领取条件后才能领取": only once a condition is met
    named = frozenset(w for name in subjects for w in (terms(name) if terms else _pairs(name)))
    answer = polarity(question, evidence, terms, asked_verb, named)
    if answer is None:
        return None
    return yes if answer else no
