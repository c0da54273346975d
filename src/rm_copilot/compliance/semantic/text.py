"""Sentences, their folded form (the model's input and the cache key) and character n-grams.

Folding keeps what carries meaning and drops what varies between copies of the same campaign
line: digits (amounts, dates, rates), masked or addressed names ("王女士", "李总", "张*" → "客户"),
product names from the catalogue (→ "某产品"), an opening that only greets ("客户您好，") and spacing;
and what an answer adds to a knowledge-base sentence: citation markers ("[2]"), list numbers ("③ ").
Training and inference fold alike.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from rm_copilot.compliance.normalize import normalize

# Normalised text: full-width terminators are already ASCII, except 。 and … which NFKC keeps.
_SENTENCE = re.compile(r"[^。!?;\n…]+[。!?;\n…]*")
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
# An answer cites its sources after the sentence ("…越来越重[1]。"): the marker says nothing.
_CITATION = re.compile(r"\[\d+(?:[,，]\d+)*\]")
# NFKC reads "③ " as "3 ": a number and a space opening a sentence is a list's too.
_ENUMERATOR = re.compile(r"^(?:\(?\d{1,2}[.、)](?!\d)\s*|\d{1,2}\s+|[\u2460-\u2473]\s*)")
_MASKED_NAME = re.compile(r"[\u4e00-\u9fff]\*{1,3}")
# A surname (or a compound one) with an honorific at the start of a clause: "王女士", "欧阳总".
_ADDRESSED = re.compile(
    r"(?<![\u4e00-\u9fff])(?:欧阳|司马|上官|诸葛|东方|皇甫|慕容|令狐|夏侯|[\u4e00-\u9fff])"
    r"(?:先生|女士|小姐|总|姐|哥|阿姨|叔|老师|经理|老板|大爷|奶奶|爷爷)"
)
# An opening that only addresses or greets ("客户您好，", "早上好，", "客户，跟您汇报一下：") says nothing
# about the product: folded away, so the same line sent with different openings is judged once.
_OPENING = re.compile(
    r"^(?:(?:(?:尊敬的|亲爱的)?客户(?:您好|你好|好)?|您好|你好|(?:早上|上午|中午|下午|晚上|新年|节日)好)[,:!~ ]+)?"
    r"(?:(?:微信上)?跟您(?:汇报|说|讲|报告)一下[,:!~ ]+)?"
)
# A label that opens a sentence ("正确说法：", "错误示范：", "培训材料（可直接转发客户）：", "客户问：") names the
# genre, not the content: the model would learn the label instead of what follows it.
_LABEL = re.compile(r"^(?:[^\s,:!?;。…]{1,16}:\s*)+(?=.{4})")
_SPACES = re.compile(r"\s+")
MIN_CHARS = 4


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of each sentence of (normalised) text, terminators included, blanks skipped."""
    spans = []
    for match in _SENTENCE.finditer(text):
        start, end = match.span()
        while start < end and text[start].isspace():
            start += 1
        if end - start >= 2:
            spans.append((start, end))
    return spans


class Folder:
    """Folds a normalised sentence; product names come from the catalogue the caller passes in."""

    def __init__(self, product_names: Iterable[str] = ()):
        names = sorted({normalize(name).text for name in product_names if len(name) >= 2}, key=len, reverse=True)
        self._products = re.compile("|".join(map(re.escape, names))) if names else None

    def fold(self, sentence: str) -> str:
        folded = _ENUMERATOR.sub("", _SPACES.sub(" ", _CITATION.sub("", sentence).strip()), count=1)
        if self._products is not None:
            folded = self._products.sub("某产品", folded)
        folded = _MASKED_NAME.sub("客户", folded)
        folded = _ADDRESSED.sub("客户", folded)
        opening = _OPENING.match(folded)
        if opening and opening.end() < len(folded):
            folded = folded[opening.end():]
        folded = _LABEL.sub("", folded, count=1)
        return _DIGITS.sub("#", folded)


def char_ngrams(folded: str, low: int = 1, high: int = 3) -> list[str]:
    """Character n-grams of the folded sentence with boundary marks, so openings and endings count."""
    padded = f"<{folded}>"
    grams: list[str] = []
    for size in range(low, high + 1):
        grams.extend(padded[i:i + size] for i in range(len(padded) - size + 1))
    return grams
