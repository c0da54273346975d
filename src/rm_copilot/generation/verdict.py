"""A plain first word for a yes/no question, read from the evidence sentence that answers it.

The question's own verb chooses the word (能 → 能/不能, 需要 → 需要/不需要, 是 → 是/不是 …); the
evidence decides the polarity: a sentence that negates (不/不得/无/没有/严禁 …) answers "no". A
question that already carries a negation ("是不是不会亏？") is answered "不是" when the evidence says
the thing can happen (可能).
"""
from __future__ import annotations

import re

_VERBS = (  # (question verb, yes, no) — the first that occurs in the question wins
    ("需不需要", "需要", "不需要"), ("要不要", "需要", "不需要"), ("需要", "需要", "不需要"),
    ("能不能", "能", "不能"), ("可不可以", "可以", "不可以"), ("可以", "可以", "不可以"),
    ("是不是", "是", "不是"), ("会不会", "会", "不会"), ("有没有", "有", "没有"), ("算不算", "算", "不算"),
    ("用不用", "需要", "不需要"), ("能", "能", "不能"), ("会", "会", "不会"), ("算", "算", "不算"),
    ("受", "受", "不受"), ("有", "有", "没有"), ("是", "是", "不是"),
)
_A_NOT_A = re.compile(r"([\u4e00-\u9fff])不\1")
_PLAIN_VERBS = ("保本", "保息", "保收益", "保证收益", "支持", "包括", "包含", "属于", "影响", "允许", "适合", "享受", "报销", "计息", "占用", "投资", "收取", "收费",
                "覆盖", "保障", "赔付", "赔", "退", "收")
_NEGATION = re.compile(r"不|无|没有|禁止|严禁|未|免于|非|只能|仅限|仅可|须在|须先")  # a restriction answers "no" to anything else
_NOT_NEGATION = re.compile(r"不低于|不少于|不超过|不高于|不仅|不同|无论|不论|并不影响|非常")
_POSSIBLE = re.compile(r"可能|有风险|会亏|亏损")
_NEGATED_QUESTION = re.compile(r"(?:是不是|是否|会不会)?(?:不会|不能|没有|无|不)[\u4e00-\u9fff]{1,4}[吗？?]*$")


def negates(sentence: str) -> bool:
    return bool(_NEGATION.search(_NOT_NEGATION.sub("", sentence)))


def verdict(question: str, evidence: str) -> str | None:
    """"不能" / "可以" / "不是" …, or None when the question's verb is not recognised."""
    pair = next(((yes, no) for verb, yes, no in _VERBS if verb in question), None)
    if (repeated := _A_NOT_A.search(question)) and repeated.group(1) not in "是能会有要需可算用":
        pair = (repeated.group(1), "不" + repeated.group(1))  # 投不投 → 投 / 不投, 收不收 → 收 / 不收
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
    return no if negates(evidence) else yes
