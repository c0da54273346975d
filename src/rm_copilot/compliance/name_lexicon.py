"""The part of jieba's dictionary the compliance package consults, derived once and persisted.

Loading jieba's dictionary and its part-of-speech table costs ~1.5-2 s of CPU, paid by the first
text with evidence of a name or a homophone of a term. Only two kinds of question are ever asked
of it: the name finder (`names.py`) looks up single characters and words of two to four characters
that begin or end with a surname's first character (the word a surname character ends, "一张",
"提高"; the candidate itself, "黄金", "周末"; a tagged person, "王丽华"); the homophone reader
(`evasion.py`) looks up single characters and two-character words (a substitute, the word it
makes with its neighbour). The entries of those shapes (about 211,000 of 349,000) answer every
such question as the whole dictionary does, and load in a tenth of the time. They are saved as one
file in a cache directory (a home's `compliance-cache/`) whose name is a sha256 of everything they
are derived from — jieba's version, the surname lists, this module's, `names.py`'s and
`evasion.py`'s source, the Python version (the file is `marshal` data) — so a changed input never
reads an older file. A file that cannot be read is ignored and rebuilt; a read-only home still
answers, deriving the entries each time.
"""
from __future__ import annotations

import hashlib
import inspect
import logging
import marshal
import sys
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path

from rm_copilot.cache_files import save_derived
from rm_copilot.compliance import surnames

log = logging.getLogger(__name__)
FORMAT = "1"
KEEP_FILES = 4
LONGEST = 4  # the longest word the name finder looks up
ANY_WORD = 2  # every word up to this length is kept (the homophone reader's questions)


class Lexicon:
    """jieba's dictionary as word → (frequency, part of speech); None for no word."""

    def __init__(self, frequencies: dict[str, int], tags: dict[str, str]):
        self.frequencies = frequencies
        self.tags = tags

    def get(self, word: str) -> tuple[int, str] | None:
        frequency = self.frequencies.get(word)
        return (frequency, self.tags.get(word, "x")) if frequency else None


def edge_characters() -> frozenset[str]:
    """The characters a looked-up word of three or four characters begins or ends with."""
    return frozenset(surnames.SINGLE_SURNAMES) | {surname[0] for surname in surnames.COMPOUND_SURNAMES}


def subset(full: Lexicon, edges: Iterable[str] | None = None) -> Lexicon:
    """The entries of `full` the name finder and the homophone reader can ask about."""
    edges = edge_characters() if edges is None else frozenset(edges)
    frequencies = {word: frequency for word, frequency in full.frequencies.items()
                   if frequency and (len(word) <= ANY_WORD
                                      or (len(word) <= LONGEST and (word[0] in edges or word[-1] in edges)))}
    tags = {word: full.tags[word] for word in frequencies if word in full.tags}
    return Lexicon(frequencies, tags)


def fingerprint() -> str:
    from rm_copilot.compliance import evasion, names

    digest = hashlib.sha256(f"format={FORMAT}\0python={sys.version_info[:2]}\0marshal={marshal.version}".encode())
    for module in (names, evasion, surnames, sys.modules[__name__]):
        digest.update(Path(inspect.getfile(module)).read_bytes())
    digest.update(f"\0jieba={_version('jieba')}".encode())
    return digest.hexdigest()


def saved_path(cache_dir: Path, key: str | None = None) -> Path:
    """Where the entries derived from the current inputs are (or would be) saved."""
    return Path(cache_dir) / f"names-{(key or fingerprint())[:32]}.marshal"


def load_or_build(cache_dir: Path, full: Callable[[], Lexicon]) -> Lexicon:
    """The saved subset when `cache_dir` holds it for these inputs, else derived from `full()` (and saved)."""
    key = fingerprint()
    path = saved_path(cache_dir, key)
    saved = _read(path, key)
    if saved is not None:
        return saved
    derived = subset(full())
    save_derived(path, marshal.dumps([key, derived.frequencies, derived.tags]), keep=KEEP_FILES, what="name lexicon")
    return derived


def _read(path: Path, key: str) -> Lexicon | None:
    try:
        saved_key, frequencies, tags = marshal.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError, EOFError, TypeError) as error:
        log.warning("name lexicon %s unreadable, rebuilt: %s", path.name, error)
        return None
    if saved_key != key or not isinstance(frequencies, dict) or not isinstance(tags, dict):
        log.warning("name lexicon %s does not match its inputs, rebuilt", path.name)
        return None
    return Lexicon(frequencies, tags)


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"
