"""Citation markers: renumbered by first appearance so `[i]` is the i-th entry of `citations`."""
from __future__ import annotations

import re
from typing import Any

_MARKER = re.compile(r"\[(\d+)\]")


def chunk_citation(chunk: dict[str, Any]) -> dict[str, Any]:
    return {"source": chunk["source"], "title": chunk["title"], "product_id": chunk.get("product_id"),
            "chunk_id": chunk["chunk_id"]}


class CitationNumbering:
    """Stateful across calls, so sentences streamed one by one keep one consistent numbering."""

    def __init__(self, chunks: list[dict[str, Any]]):
        self._by_n = {chunk["n"]: chunk for chunk in chunks}
        self._chunks = chunks
        self._assigned: dict[int, int] = {}

    def __call__(self, text: str) -> str:
        return _MARKER.sub(self._replace, text)

    def _replace(self, match: re.Match[str]) -> str:
        n = int(match.group(1))
        if n not in self._by_n:
            return ""
        new = self._assigned.setdefault(n, len(self._assigned) + 1)
        return f"[{new}]"

    def citations(self) -> list[dict[str, Any]]:
        ordered = sorted(self._assigned.items(), key=lambda item: item[1])
        return [chunk_citation(self._by_n[n]) for n, _ in ordered]


class PerTextNumbering:
    """Numbering for whole texts: each text (one attempt of an answer) is numbered afresh."""

    def __init__(self, chunks: list[dict[str, Any]]):
        self._chunks = chunks
        self._current = CitationNumbering(chunks)
        self._text = ""

    def __call__(self, text: str) -> str:
        self._current = CitationNumbering(self._chunks)
        self._text = self._current(text)
        return self._text

    def citations(self, final_text: str | None = None) -> list[dict[str, Any]]:
        """The citations of the last numbered text; none when the delivered text cites nothing."""
        if final_text is not None and not _MARKER.search(final_text):
            return []
        return self._current.citations()
