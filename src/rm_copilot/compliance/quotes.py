"""Quoted examples after a prohibition are mentions, not claims.

"不得说“保本保息”“本金无忧”“稳赚不赔”" names forbidden phrases; the negation before the first
quote covers the whole list of quoted items. Decided on the original text, where the quotation
marks still are (normalisation drops them between CJK characters).
"""
from __future__ import annotations

import re

from rm_copilot.compliance.matcher import NegationDetector
from rm_copilot.compliance.normalize import normalize

_QUOTED = re.compile(r'“[^“”]*”|「[^「」]*」|『[^『』]*』|"[^"\n]*"')
_OPENERS = '“「『"'
_LIST_TAIL = re.compile(r"(?:[\s、：:]|[，,](?=\s*(?:例如|比如|如|像))|和|或|及|与|以及|或者|等|例如|比如|如|像)*\Z")
_SENTENCE_END = re.compile(r"[。！？!?\n]")


def quoted_after_negation(text: str, start: int, negation: NegationDetector) -> bool:
    """True when the hit at `start` sits in a quotation whose list is introduced by a negation."""
    ends = [match.end() for match in _SENTENCE_END.finditer(text, 0, start)]
    prefix = _QUOTED.sub("", text[ends[-1] if ends else 0:start])
    opener = max(prefix.rfind(char) for char in _OPENERS)
    if opener == -1:
        return False
    before = prefix[:opener]
    before = before[:_LIST_TAIL.search(before).start()]
    normalized = normalize(before).text
    return bool(normalized) and negation.negated(normalized, len(normalized))
