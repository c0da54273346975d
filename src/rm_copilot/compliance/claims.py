"""What a claim is about: hits whose words are a claim only of certain things.

Three readings, each configured in the rulebook's `claims:` section (rulebook.yaml):

- A superlative or ranking word is a claim when it ranks what a customer buys or relies on — a
  product, a return or rate, safety, the bank (《广告法》第九条第（三）项). Its clause naming none of
  those `targets` but a thing ranked in no offer (`unranked`: a document, a topic, a year — "唯一一份
  纸质说明书", "不只看最好的那一年"), or the word read as "had better" before a verb ("这个问题最好
  当面聊": an `advice` word followed by a two-character word whose jieba tag is in `advice_tags`),
  or said of an action (ending a clause that opens with such a word: "按实际情况来是最好的"),
  ranks nothing.
- A claim of state backing is a fact about the instruments that have it (treasury bonds are backed
  by state credit; deposit insurance is statutory): when the last instrument the sentence names
  before the hit (or, with none before, the first after it in its clause) is one of `backed`, not
  one of the other `instruments` ("国债是财政部发行的，由国家信用担保" is a fact; "这款理财跟国债一样，
  国家兜底" is not: an instrument right after 跟/和/像/与/同/比/如 is only compared with).
- In `need_categories`, a hit framed as what the customer is looking for (`needs`: "您要找不会亏钱的",
  "本金安全是您最看重的") and answered later in its sentence, or in the next one when it is a question,
  by a deposit or bond or a denial (`answers`: "那只有存款和国债这类了", "理财都存在亏损可能") is the
  customer's need, not a promise.
Decided on normalised text.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from rm_copilot.compliance.normalize import normalize_term, phrases_pattern
from rm_copilot.compliance.rulebook import Claims

_SENTENCE_END = re.compile(r"[。!?！？…\n]")
_LIKENED = "跟和像与同比如是于成作当"  # compared with, or equated to ("其实就是活期存款", "相当于存款")
_PREDICATE_END = re.compile(r"的?[了啦呀吧哦]?")
_CLAUSE_BREAK = re.compile(r"[,，;；:：。!?！？…\n]")

Tagger = Callable[[str], "tuple[int, str] | None"]


def _default_lexicon(word: str) -> tuple[int, str] | None:
    from rm_copilot.compliance.names import lexicon

    return lexicon().get(word)


class ClaimContext:
    def __init__(self, claims: Claims, lexicon: Tagger = _default_lexicon):
        self.ranking_rules = frozenset(claims.ranking_rules)
        self.targets = phrases_pattern(claims.targets)
        self.unranked = phrases_pattern(claims.unranked)
        self.advice = frozenset(normalize_term(a) for a in claims.advice)
        self.advice_tags = frozenset(claims.advice_tags)
        self.unique = frozenset(normalize_term(u) for u in claims.unique)
        self.services = phrases_pattern(claims.services)
        self.offered = phrases_pattern(claims.offered)
        self.backed_rules = frozenset(claims.backed_rules)
        self.backed = frozenset(normalize_term(b) for b in claims.backed)
        self.instruments = phrases_pattern(claims.backed + claims.instruments)
        self.need_categories = frozenset(claims.need_categories)
        self.needs = phrases_pattern(claims.needs)
        self.answers = phrases_pattern(claims.answers)
        self.lexicon = lexicon

    def excused(self, rule_id: str, category: str, text: str, start: int, end: int) -> bool:
        if rule_id in self.ranking_rules and self.ranks_nothing(text, start, end):
            return True
        if rule_id in self.backed_rules and self.backed_fact(text, start, end):
            return True
        return category in self.need_categories and self.need_answered(text, start, end)

    def ranks_nothing(self, text: str, start: int, end: int) -> bool:
        clause_start, clause_end = _clause(text, start, end)
        unique = next((u for u in self.unique if text.startswith(u, start)), None)  # "唯一", "第一家"
        if unique is not None and self._service_fact(text, start + len(unique), clause_end):
            return True
        if self.targets is not None and self.targets.search(text, clause_start, clause_end):
            return False
        if text[start:end] in self.advice and (self._verb_follows(text, end, clause_end)
                                               or self._action_is_best(text, clause_start, end, clause_end)):
            return True
        return self.unranked is not None and bool(self.unranked.search(text, clause_start, clause_end))

    def _service_fact(self, text: str, end: int, clause_end: int) -> bool:
        """唯一 or 第一家 said of a service fact ("本行唯一官方客服热线", "本区唯一提供外币兑换服务的网点",
        "县城第一家提供外币预约服务的网点"): a `services`
        head follows in its clause with nothing `offered` (a product, a return, safety, a rating) before it."""
        if self.services is None:
            return False
        head = self.services.search(text, end, clause_end)
        return head is not None and (self.offered is None or not self.offered.search(text, end, head.start()))

    def _verb_follows(self, text: str, end: int, clause_end: int) -> bool:
        word = text[end:min(end + 2, clause_end)]
        if len(word) < 2:
            return False
        entry = self.lexicon(word)
        return entry is not None and entry[1] in self.advice_tags

    def _action_is_best(self, text: str, clause_start: int, end: int, clause_end: int) -> bool:
        """Said of what to do, not of a product: the superlative ends its clause and the clause opens
        with a verb, adverb or preposition ("按实际情况来是最好的", "先留足应急的钱最好")."""
        if not _PREDICATE_END.fullmatch(text, end, clause_end):
            return False
        for size in (2, 1):
            entry = self.lexicon(text[clause_start:clause_start + size]) if clause_start + size < end else None
            if entry is not None:
                return entry[1] in self.advice_tags
        return False

    def backed_fact(self, text: str, start: int, end: int) -> bool:
        if self.instruments is None or not self.instruments.search(text):
            return False
        sentence_start = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
        before = None
        for mention in self.instruments.finditer(text, sentence_start, start):
            if mention.start() == 0 or text[mention.start() - 1] not in _LIKENED:
                before = mention  # not what the subject is compared with ("这款理财跟国债一样")
        if before is None:
            _, clause_end = _clause(text, start, end)
            before = self.instruments.search(text, end, clause_end)
        return before is not None and before.group() in self.backed

    def need_answered(self, text: str, start: int, end: int) -> bool:
        if self.needs is None or self.answers is None or not self.needs.search(text):
            return False
        clause_start, clause_end = _clause(text, start, end)
        if not self.needs.search(text, clause_start, clause_end):
            return False
        closing = _SENTENCE_END.search(text, end)
        if closing is None:
            return bool(self.answers.search(text, end))
        reach = closing.start()
        if closing.group() in "?？":  # a question about the need, answered in the next sentence
            following = _SENTENCE_END.search(text, closing.end())
            reach = following.start() if following else len(text)
        return bool(self.answers.search(text, end, reach))


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    clause_start = max((m.end() for m in _CLAUSE_BREAK.finditer(text, 0, start)), default=0)
    closing = _CLAUSE_BREAK.search(text, end)
    return clause_start, closing.start() if closing else len(text)
