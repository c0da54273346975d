"""The tables of jieba's part-of-speech tagger, saved once in shards by character and decoded only
where a text needs them.

The name finder tags a text when a common surname stands next to a verb of contact (`names.py`):
a handful of texts in thousands, yet loading `jieba.posseg` costs ~2.5 s of CPU — jieba's whole
prefix dictionary (~580,000 entries), dict.txt parsed again into a table of tags, the HMM's tables.
Every lookup its cut makes is keyed by a character of the text: a word of the DAG, the frequency of
a buffer and the tag of a word by the word's first character (a substring starting at position k
begins with text[k]); the HMM's possible states and emission probabilities by the character itself.
So the tables are saved as one shard per character — (words beginning with it and their
frequencies, prefixes of frequency 0 included; their tags; the character's HMM states; its emission
probability per state) — each marshalled on its own, in an outer dict character → bytes, beside the
dictionary's total and the HMM's start and transition probabilities (small, kept whole). Only the
shards of a text's characters are decoded, once each, and merged into plain dicts the tagger
(`pos_tagger.py`) reads as jieba reads its own.

The file sits in a cache directory (a home's `compliance-cache/`), named by a sha256 of what it is
derived from — jieba's version and dictionary file, this module's source, the Python version (the
file is `marshal` data) — so a changed input never reads an older file. A file that cannot be read
is ignored and rebuilt; a read-only folder still tags, from shards derived in memory.
"""
from __future__ import annotations

import hashlib
import inspect
import logging
import marshal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata, util
from pathlib import Path
from typing import Any

from rm_copilot.cache_files import save_derived

log = logging.getLogger(__name__)
FORMAT = "1"
KEEP_FILES = 4
State = tuple[str, str]  # (B/M/E/S, part of speech)


@dataclass(frozen=True)
class Source:
    """jieba's tables as `jieba.posseg.cut` reads them."""

    freq: dict[str, int]  # jieba.dt.FREQ: words and, with frequency 0, their prefixes (get_DAG's stop test)
    total: int  # jieba.dt.total
    tags: dict[str, str]  # jieba.posseg.dt.word_tag_tab
    char_states: dict[str, tuple[State, ...]]  # jieba.posseg.char_state_tab_P
    start: dict[State, float]  # jieba.posseg.start_P
    trans: dict[State, dict[State, float]]  # jieba.posseg.trans_P
    emit: dict[State, dict[str, float]]  # jieba.posseg.emit_P


def shards(source: Source) -> dict[str, bytes]:
    """One marshalled (freq, tags, states, emit) per character: what a text with it may look up."""
    freq: dict[str, dict[str, int]] = {}
    tags: dict[str, dict[str, str]] = {}
    emit: dict[str, dict[State, float]] = {}
    for word, frequency in source.freq.items():
        if word:
            freq.setdefault(word[0], {})[word] = frequency
    for word, tag in source.tags.items():
        if word:
            tags.setdefault(word[0], {})[word] = tag
    for state, row in source.emit.items():
        for char, probability in row.items():
            emit.setdefault(char, {})[state] = probability
    chars = freq.keys() | tags.keys() | source.char_states.keys() | emit.keys()
    return {char: marshal.dumps((freq.get(char, {}), tags.get(char, {}), source.char_states.get(char),
                                 emit.get(char, {})))
            for char in sorted(chars)}


class PosTables:
    """The tagger's tables: `start` and `trans` whole; `freq`, `tags`, `char_states` and `emit`
    (character → state → probability) hold the shards of the characters `ensure` was given."""

    def __init__(self, total: int, start: dict[State, float], trans: dict[State, dict[State, float]],
                 packed: dict[str, bytes]):
        self.total = total
        self.start = start
        self.trans = trans
        self.freq: dict[str, int] = {}
        self.tags: dict[str, str] = {}
        self.char_states: dict[str, tuple[State, ...]] = {}
        self.emit: dict[str, dict[State, float]] = {}
        self._packed = packed
        self._decoded: set[str] = set()
        self._lock = threading.Lock()

    def ensure(self, text: str) -> None:
        """Decode the shard of every character of `text` not decoded yet."""
        missing = set(text) - self._decoded
        if not missing:
            return
        with self._lock:
            for char in missing - self._decoded:
                blob = self._packed.get(char)
                if blob is not None:
                    freq, tags, states, emit = marshal.loads(blob)
                    self.freq.update(freq)
                    self.tags.update(tags)
                    if states is not None:
                        self.char_states[char] = states
                    if emit:
                        self.emit[char] = emit
                self._decoded.add(char)  # after the merge: a reader skipping the lock sees it whole


def fingerprint() -> str:
    digest = hashlib.sha256(f"format={FORMAT}\0python={sys.version_info[:2]}\0marshal={marshal.version}".encode())
    digest.update(Path(inspect.getfile(sys.modules[__name__])).read_bytes())
    digest.update(f"\0jieba={_version('jieba')}\0dictionary={_dictionary_identity()}".encode())
    return digest.hexdigest()


def saved_path(cache_dir: Path, key: str | None = None) -> Path:
    """Where the tables derived from the current inputs are (or would be) saved."""
    return Path(cache_dir) / f"postags-{(key or fingerprint())[:32]}.marshal"


def load_or_build(cache_dir: Path, source: Callable[[], Source]) -> PosTables:
    """The saved tables when `cache_dir` holds them for these inputs, else derived from `source()` (and saved)."""
    key = fingerprint()
    path = saved_path(cache_dir, key)
    saved = _read(path, key)
    if saved is not None:
        return saved
    tables = source()
    packed = shards(tables)
    save_derived(path, marshal.dumps([key, tables.total, tables.start, tables.trans, packed]), keep=KEEP_FILES,
                 what="part-of-speech tables")
    return PosTables(tables.total, tables.start, tables.trans, packed)


def _read(path: Path, key: str) -> PosTables | None:
    try:
        saved: Any = marshal.loads(path.read_bytes())
        saved_key, total, start, trans, packed = saved
    except FileNotFoundError:
        return None
    except (OSError, ValueError, EOFError, TypeError) as error:
        log.warning("part-of-speech tables %s unreadable, rebuilt: %s", path.name, error)
        return None
    if saved_key != key or not isinstance(total, int) or not all(isinstance(part, dict) for part in (start, trans, packed)):
        log.warning("part-of-speech tables %s do not match their inputs, rebuilt", path.name)
        return None
    return PosTables(total, start, trans, packed)


def _dictionary_identity() -> str:
    """Size and time of jieba's dictionary file, found without importing jieba (its import loads tables)."""
    spec = util.find_spec("jieba")
    if spec is None or spec.origin is None:
        return "?"
    try:
        stat = Path(spec.origin).with_name("dict.txt").stat()
    except OSError:
        return "?"
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"
