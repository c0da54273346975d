"""Split long text into pieces under a UTF-8 byte limit, preferring sentence boundaries.

Joining the pieces gives back the original text exactly: nothing is trimmed or added.
"""
from __future__ import annotations

_SENTENCE_ENDS = frozenset("。！？!?；;\n")
_CLAUSE_ENDS = frozenset("，,、：: ")
_CLOSERS = frozenset("”’」』）)】\"'")


def _byte_len(text: str) -> int:
    return len(text.encode())


def _pieces(text: str, ends: frozenset[str]) -> list[str]:
    """Cut after each run of end marks (and the closing quotes that follow them)."""
    pieces, start, i = [], 0, 0
    while i < len(text):
        if text[i] in ends:
            i += 1
            while i < len(text) and (text[i] in ends or text[i] in _CLOSERS):
                i += 1
            pieces.append(text[start:i])
            start = i
        else:
            i += 1
    if start < len(text):
        pieces.append(text[start:])
    return pieces


def _hard_split(text: str, max_bytes: int) -> list[str]:
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for char in text:
        width = _byte_len(char)
        if size + width > max_bytes and current:
            chunks.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += width
    if current:
        chunks.append("".join(current))
    return chunks


def _units(text: str, max_bytes: int) -> list[str]:
    """Sentences; a sentence over the limit becomes clauses, a clause over it becomes characters."""
    units = []
    for sentence in _pieces(text, _SENTENCE_ENDS):
        if _byte_len(sentence) <= max_bytes:
            units.append(sentence)
            continue
        for clause in _pieces(sentence, _CLAUSE_ENDS):
            units.extend([clause] if _byte_len(clause) <= max_bytes else _hard_split(clause, max_bytes))
    return units


def split_text(text: str, max_bytes: int) -> list[str]:
    if max_bytes < 4:
        raise ValueError("max_bytes must hold at least one UTF-8 character")
    chunks, current, size = [], "", 0
    for unit in _units(text, max_bytes):
        width = _byte_len(unit)
        if current and size + width > max_bytes:
            chunks.append(current)
            current, size = "", 0
        current += unit
        size += width
    if current:
        chunks.append(current)
    return chunks
