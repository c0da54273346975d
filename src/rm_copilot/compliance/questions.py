"""Questions about a claim are not the claim; questions that assert are.

A hit is *asked about* when its sentence is a genuine question: the hit stands in the sentence's
last clause and that ends in a question mark or a final particle (吗/么/呢), or the clauses after it
are only a question tag asking about them ("拆成几笔买，可以吗？", "R1是保本的，对吗？"), or its clause
holds an A-not-A form (会不会, 是不是, 有没有, 保不保…), or a reporting cue ("客户问", "咨询：")
comes before it. In `reported_only` categories the advisor's own question is the act (steering a
risk assessment), so only a customer's reported question counts ("客户想拆成几笔买，可以吗？").
Such a hit is still a claim when the sentence is rhetorical (a negation reverser such as 难道,
哪有, 怎么可能, or a rhetorical cue), when the question is an offer (要不要, 想不想… — "要不要试试
这款保本理财？" still calls it 保本), or when the next sentence answers it affirmatively ("当然！").
Decided on normalised text, where "？" is "?" and "：" is ":".
"""
from __future__ import annotations

import re

from rm_copilot.compliance.normalize import normalize_term, phrases_pattern
from rm_copilot.compliance.rulebook import Negation, Questions

_SENTENCE_END = re.compile(r"[。!?！？…\n]")
_CLAUSE_BREAK = re.compile(r"[,，;；:：]")
_A_NOT_A = re.compile(r"([\u4e00-\u9fff])[不没]\1")
_TRAILING = " \t\"'”’」』)）~"
_TAG_TAIL = r"[" + re.escape(_TRAILING) + r"]*\Z"


class QuestionDetector:
    def __init__(self, questions: Questions, negation: Negation):
        self.categories = frozenset(questions.categories)
        self.particles = tuple(questions.particles)
        self.reporting = phrases_pattern(questions.reporting)
        self.offers = phrases_pattern(questions.offers)
        self.rhetorical = phrases_pattern(questions.rhetorical + negation.reversers)
        self.affirmations = tuple(normalize_term(a) for a in questions.affirmations)
        self.covered = frozenset(questions.categories) | frozenset(questions.reported_only)
        self.reported_only = frozenset(questions.reported_only)
        tags = sorted({normalize_term(t) for t in questions.tags if t.strip()}, key=len, reverse=True)
        self.tag = re.compile("(?:" + "|".join(re.escape(t) for t in tags) + ")" + _TAG_TAIL) if tags else None
        self.acting = phrases_pattern(questions.acting)
        self.refusals = phrases_pattern(questions.refusals)
        self.requests = phrases_pattern(questions.reporting + questions.speech)
        cues = ["[?？]", _A_NOT_A.pattern] + [re.escape(p) for p in self.particles]
        if self.reporting is not None:
            cues.append(self.reporting.pattern)
        self.any_cue = re.compile("|".join(cues))

    def asked(self, text: str, start: int, end: int, category: str | None = None) -> bool:
        """True when the hit [start, end) is asked about rather than asserted."""
        if not self.any_cue.search(text):
            return False
        sentence_start = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
        closing = _SENTENCE_END.search(text, end)
        sentence_end = closing.start() if closing else len(text)
        if _SENTENCE_END.search(text, start, end):
            return False  # the hit spans a question and its answer ("会不会亏？不会")
        sentence = text[sentence_start:sentence_end]
        if self.rhetorical is not None and self.rhetorical.search(sentence):
            return False
        if self.offers is not None and self.offers.search(sentence):
            return False
        if category in self.reported_only and not (
                self.reporting is not None and self.reporting.search(text, sentence_start, start)
                and closing is not None and closing.group() in "?？"):
            return False
        if not self._interrogative(text, sentence_start, start, end, sentence_end, closing):
            return False
        return not self._answered_yes(text, closing)

    def refused(self, text: str, start: int, end: int) -> bool:
        """True when the hit is a customer's reported request or question ("客户要求我帮他做测评") that a
        later clause of its sentence turns down ("…，我拒绝了")."""
        if self.requests is None or self.refusals is None:
            return False
        if not self.requests.search(text, 0, start) or not self.refusals.search(text, end):
            return False  # neither can be in the hit's sentence: the boundaries need not be found
        sentence_start = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
        clause_start = max((m.end() for m in _CLAUSE_BREAK.finditer(text, sentence_start, start)),
                           default=sentence_start)
        if not self.requests.search(text, clause_start, start):
            return False
        after = _CLAUSE_BREAK.search(text, end)
        closing = _SENTENCE_END.search(text, end)
        sentence_end = closing.start() if closing else len(text)
        return after is not None and after.start() < sentence_end and bool(
            self.refusals.search(text, after.end(), sentence_end))

    def _interrogative(self, text: str, sentence_start: int, start: int, end: int, sentence_end: int,
                       closing: re.Match | None) -> bool:
        clause_start = max((m.end() for m in _CLAUSE_BREAK.finditer(text, sentence_start, start)),
                           default=sentence_start)
        clause_end_match = _CLAUSE_BREAK.search(text, end, sentence_end)
        clause_end = clause_end_match.start() if clause_end_match else sentence_end
        if _A_NOT_A.search(text, clause_start, clause_end):
            return True
        if self.reporting is not None:
            # "客户问会不会亏，我说不会亏": a report covers its own clause, or the one after its colon
            reach = clause_start
            if clause_start > sentence_start and text[clause_start - 1] in ":：":
                reach = max((m.end() for m in _CLAUSE_BREAK.finditer(text, sentence_start, clause_start - 1)),
                            default=sentence_start)
            if self.reporting.search(text, reach, start):
                return True
        marked = closing is not None and closing.group() in "?？"
        if clause_end_match is not None:
            # another clause follows: the question mark belongs to it, unless it is only a tag
            # asking about this one ("拆成几笔买，可以吗？") and the advisor offers nothing in it
            return marked and self._tagged(text, sentence_start, clause_end_match.end(), sentence_end)
        tail = text[sentence_start:sentence_end].rstrip(_TRAILING)
        return marked or tail.endswith(self.particles)

    def _tagged(self, text: str, sentence_start: int, rest_start: int, sentence_end: int) -> bool:
        if self.tag is None or _CLAUSE_BREAK.search(text, rest_start, sentence_end):
            return False
        if not self.tag.match(text[rest_start:sentence_end].strip()):
            return False
        return self.acting is None or not self.acting.search(text, sentence_start, rest_start)

    def _answered_yes(self, text: str, closing: re.Match | None) -> bool:
        if closing is None:
            return False
        following = text[closing.end():].lstrip(" ?？!！")
        return following.startswith(self.affirmations)
