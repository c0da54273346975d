"""Sentence splitting for Chinese text, whole and incremental (streams release whole sentences)."""
from __future__ import annotations

import re
from collections.abc import Iterator

_TERMINATORS = "。！？!?；\n"
_TRAILERS = re.compile(r"^(?:\[\d+\]|[”’」』）)\]])+")
_PARTIAL_TRAILER = re.compile(r"^(?:\[\d+\]|[”’」』）)\]])*\[\d*$")
_SENTENCE = re.compile(rf"[^{_TERMINATORS}]*(?:[{_TERMINATORS}]+|$)")


def split_sentences(text: str) -> list[str]:
    """Sentences with their terminators (and trailing citation markers) kept, so ''.join() == text."""
    buffer = SentenceBuffer()
    sentences = list(buffer.feed(text))
    rest = buffer.flush()
    return sentences + ([rest] if rest else [])


class SentenceBuffer:
    """Accumulates streamed text and yields each sentence once it is complete."""

    def __init__(self) -> None:
        self._pending = ""

    def feed(self, delta: str) -> Iterator[str]:
        self._pending += delta
        while True:
            cut = self._complete_prefix()
            if cut is None:
                return
            sentence, self._pending = self._pending[:cut], self._pending[cut:]
            if sentence:
                yield sentence

    def flush(self) -> str:
        rest, self._pending = self._pending, ""
        return rest

    def _complete_prefix(self) -> int | None:
        match = _SENTENCE.match(self._pending)
        if not match or not match.group(0):
            return None
        end = match.end()
        if end == len(self._pending):
            # Ends on its terminator: release now unless a quote or bracket is still open (its closing
            # mark would follow); waiting for the next piece would add the model's inter-token time.
            sentence = self._pending
            closed = sentence[-1] in _TERMINATORS and not _open_marks(sentence)
            return end if closed and sentence.strip() else None
        if _PARTIAL_TRAILER.match(self._pending[end:]):
            return None
        trailer = _TRAILERS.match(self._pending[end:])
        if trailer:
            end += trailer.end()
            if end == len(self._pending):
                return None
        return end


def _open_marks(text: str) -> bool:
    return text.count("“") > text.count("”") or text.count("（") > text.count("）") or text.count("(") > text.count(")")
