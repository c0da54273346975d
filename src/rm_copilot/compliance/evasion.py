"""Rule terms read through evasions: homophones, look-alike characters and pinyin initials.

Restricted to the families where evasions are used (guarantee/risk promises, absolute terms):
- homophones: a text span whose toneless pinyin equals a term's, one or two characters written
  differently ("饱本", "零凤险"). Term keys are precomputed; each check maps the text to a stream
  of syllable codes once (one `str.translate`) and runs one Aho-Corasick automaton over it.
- look-alikes: one character of a term replaced by a character with the same four-corner code
  (the 四角号码 data, where look-alike glyphs share their code: 风/凤/凨, 险/脸, 兑/兊).
  The variants are built once and join the main automaton, so they cost nothing per check.
- pinyin initials ("bbbx", "lfx"): listed per rule in the rulebook; a match needs a boundary on
  both sides (no Latin letter or digit next to it).
A two-character term, where one wrong character is often just another word ("刚对", "文章"), only
matches through a rare substitute that does not form a dictionary word.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from functools import cache, lru_cache
from typing import Generic, TypeVar

import ahocorasick

from rm_copilot.compliance.normalize import is_cjk, normalize_char

HOMOPHONE = "拼音谐音"
LOOKALIKE = "形近字"
INITIALS = "拼音首字母"
EVASION_CATEGORIES = frozenset({"guarantee", "absolute"})
MIN_ABSOLUTE_LENGTH = 3  # two-character absolute terms (第一, 唯一) have too many innocent homophones
COMMON_CHAR_FREQUENCY = 20_000  # jieba frequency above which a character is too common to be a substitute
NEIGHBOUR_WORD_FREQUENCY = 100  # a substitute forming a word this common with the character beside the span belongs to that word
MAX_LOOKALIKE_GROUP = 8
_FILLER = "\x00"
_CODE_BASE = 0xF0000  # supplementary private use: never in real text


@cache
def toneless(char: str) -> str | None:
    """The default reading of a character without tone marks ("饱" → "bao"), None if it has none."""
    from pypinyin.pinyin_dict import pinyin_dict

    readings = pinyin_dict.get(ord(char))
    if not readings:
        return None
    first = readings.split(",")[0]
    return "".join(c for c in unicodedata.normalize("NFD", first) if not unicodedata.combining(c)).lower()


@lru_cache(maxsize=1)
def _four_corner_groups() -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    from four_corner_method import FourCornerMethod

    codes = {char: code for char, code in FourCornerMethod().data.items() if len(char) == 1 and is_cjk(char)}
    groups: dict[str, list[str]] = {}
    for char, code in codes.items():
        groups.setdefault(code, []).append(char)
    return codes, {code: tuple(chars) for code, chars in groups.items()}


def lookalikes(char: str) -> tuple[str, ...]:
    """Characters sharing `char`'s full four-corner code, in their normalised form."""
    codes, groups = _four_corner_groups()
    code = codes.get(char)
    if code is None or len(groups[code]) > MAX_LOOKALIKE_GROUP:
        return ()  # a code shared by many characters (风's 77210: 几, 凡, 肌…) is too coarse to mean "looks alike"
    found = {normalize_char(other) for other in groups[code]}
    return tuple(sorted(other for other in found if len(other) == 1 and other != char and is_cjk(other)))


def jieba_frequency(word: str) -> int:
    """Frequency of `word` in jieba's dictionary (0 when it is no word)."""
    from rm_copilot.compliance.names import lexicon

    entry = lexicon().get(word)
    return entry[0] if entry else 0


def eligible(term: str, category: str) -> bool:
    if category not in EVASION_CATEGORIES or len(term) < 2 or not all(is_cjk(c) for c in term):
        return False
    return category != "absolute" or len(term) >= MIN_ABSOLUTE_LENGTH


def lookalike_variants(term: str) -> list[str]:
    """`term` with one character replaced by a look-alike."""
    variants = []
    for index, char in enumerate(term):
        for other in lookalikes(char):
            variants.append(term[:index] + other + term[index + 1:])
    return variants


def initials(term: str) -> str:
    """Pinyin initials as the phrase is read ("银行兜底" → "yhdd": 行 read háng here)."""
    from pypinyin import Style, lazy_pinyin

    return "".join(lazy_pinyin(term, style=Style.FIRST_LETTER))


class _SyllableTable(dict):
    """`str.translate` table: CJK character → code of its syllable when some term uses that syllable."""

    def __init__(self, codes: dict[str, str]):
        super().__init__()
        self._codes = codes

    def __missing__(self, code_point: int) -> str:
        char = chr(code_point)
        value = self._codes.get(toneless(char) or "", _FILLER) if is_cjk(char) else _FILLER
        self[code_point] = value
        return value


class _FixedTable(list):
    """A complete table (every character some term's syllable reads as, precomputed), indexed by code
    point: a list lookup is twice as fast in `str.translate` as a dict's. A character past its end
    maps to itself, which only a character in the syllable codes' plane could be mistaken for:
    `covers` sends such a text to the dictionary form."""

    def __init__(self, codes: dict[int, str]):
        super().__init__([_FILLER] * (max(codes, default=0) + 1))
        for code_point, value in codes.items():
            self[code_point] = value
        self.fallback = _Filled(codes)

    def covers(self, text: str) -> bool:
        return ord(max(text)) < _CODE_BASE


class _Filled(dict):
    def __missing__(self, code_point: int) -> str:
        return _FILLER


Payload = TypeVar("Payload")


class EvasionReader(Generic[Payload]):
    """Finds homophone spellings of terms; also decides whether a variant hit is plausible.

    `reading` and `sounds` come from saved word data (`word_data.py`) so a process need not import
    pypinyin: `reading(char)` is a term character's toneless reading, `sounds` maps a reading to
    every character read that way. Without them both are computed with pypinyin."""

    def __init__(self, terms: Iterable[tuple[str, Payload]], *,
                 frequency: Callable[[str], int] = jieba_frequency,
                 reading: Callable[[str], str | None] = toneless,
                 sounds: dict[str, str] | None = None):
        self.frequency = frequency
        grouped: dict[str, list[tuple[str, Payload]]] = {}
        syllables: dict[str, str] = {}
        for term, payload in terms:
            read = [reading(char) for char in term]
            readings = [r for r in read if r is not None]
            if len(readings) < len(read):
                continue
            key = "".join(syllables.setdefault(r, chr(_CODE_BASE + len(syllables))) for r in readings)
            grouped.setdefault(key, []).append((term, payload))
        self.table: _SyllableTable | _FixedTable
        if sounds is None:
            self.table = _SyllableTable(syllables)
        else:
            self.table = _FixedTable({ord(char): syllables[r] for r, chars in sounds.items() if r in syllables
                                      for char in chars})
        self.automaton = ahocorasick.Automaton()
        for key, entries in grouped.items():
            self.automaton.add_word(key, (len(key), tuple(entries)))
        self.empty = not grouped
        if not self.empty:
            self.automaton.make_automaton()

    def homophones(self, text: str) -> list[tuple[int, int, str, Payload]]:
        """(start, end, term, payload) for spans that sound like a term but are not written like it."""
        if self.empty or text.isascii():
            return []
        table = self.table
        stream = text.translate(table.fallback if isinstance(table, _FixedTable) and not table.covers(text)
                                else table)
        found: list[tuple[int, int, str, Payload]] = []
        for end_index, (length, entries) in self.automaton.iter(stream):
            start, end = end_index + 1 - length, end_index + 1
            span = text[start:end]
            for term, payload in entries:
                if span != term and self.plausible(term, span) and not self.bound_outside(text, start, end, term):
                    found.append((start, end, term, payload))
        return found

    def bound_outside(self, text: str, start: int, end: int, term: str) -> bool:
        """A substituted first or last character that makes a common word with its neighbour outside
        the span is read as part of that word (服务 in "贷款服务风险提示"), not as a respelling."""
        if text[start] != term[0] and start > 0 and \
                self.frequency(text[start - 1:start + 1]) >= NEIGHBOUR_WORD_FREQUENCY:
            return True
        return text[end - 1] != term[-1] and end < len(text) and \
            self.frequency(text[end - 1:end + 1]) >= NEIGHBOUR_WORD_FREQUENCY

    def plausible(self, term: str, span: str) -> bool:
        """One or two substituted characters, at least one kept; for a two-character term, a rare
        substitute that does not make the span an ordinary word."""
        changed = [(t, s) for t, s in zip(term, span, strict=False) if t != s]
        if not changed or len(changed) > 2 or len(changed) >= len(term):
            return False
        if len(term) > 2:
            return True
        substitute = changed[0][1]
        return self.frequency(substitute) < COMMON_CHAR_FREQUENCY and self.frequency(span) == 0
