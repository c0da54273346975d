"""A lexicon's jieba dictionary saved in shards by first character, read only where a text needs it.

Loading jieba's prefix dictionary (≈500,000 entries, from its marshal cache) costs about a second
of CPU in every new process — more than the rest of a cold `rm-copilot ask`. Every lookup jieba
makes while cutting a text is a substring of that text (its DAG, the route's frequencies, the
HMM's buffer), and so are the search-mode sub-words the lexicon adds. So the dictionary, with the
lexicon's user words and synonyms already in it, is written once as one shard per first character;
before a text is cut, the shards of its characters are merged into the tokenizer's (plain) dict.
Cutting a text then gives exactly the segmentation of the whole dictionary, at a dict's speed.

The file is named by a sha256 of what the dictionary is built from (the lexicon's fingerprint:
its files, jieba's version; and the default dictionary file's size and time), so a changed lexicon
never reads an older file. A file that cannot be read is ignored and rebuilt.
"""
from __future__ import annotations

import hashlib
import logging
import marshal
import threading
from pathlib import Path

from rm_copilot.cache_files import keep_newest, write_atomically

log = logging.getLogger(__name__)
MAGIC = b"RMJIEBA1"
KEEP_FILES = 4


def shard_key(lexicon_fingerprint: str) -> str:
    import jieba

    default = Path(jieba.__file__).with_name(jieba.DEFAULT_DICT_NAME)
    stat = default.stat() if default.is_file() else None
    identity = f"{MAGIC.decode()};{lexicon_fingerprint};{stat and (stat.st_size, stat.st_mtime_ns)}"
    return hashlib.sha256(identity.encode()).hexdigest()


def write(path: Path, freq: dict[str, int], total: int, force_split: list[str]) -> None:
    """Save `freq` in shards by first character (atomically: readers see the old or the whole new file);
    `force_split`: the user words of frequency 0 that jieba's HMM must split."""
    shards: dict[str, dict[str, int]] = {}
    for word, count in freq.items():
        if word:
            shards.setdefault(word[0], {})[word] = count
    blobs: list[bytes] = []
    index: dict[str, tuple[int, int]] = {}
    offset = 0
    for char, shard in shards.items():
        blob = marshal.dumps(shard)
        index[char] = (offset, len(blob))
        blobs.append(blob)
        offset += len(blob)
    header = marshal.dumps((total, sorted(force_split), index))
    write_atomically(path, MAGIC + len(header).to_bytes(8, "little") + header + b"".join(blobs))
    keep_newest(path.parent, "jieba-*.shards", KEEP_FILES)


class ShardedDictionary:
    """Reads shards of a saved dictionary into `target` (the tokenizer's FREQ) on demand."""

    def __init__(self, path: Path):
        data = path.read_bytes()
        if data[:8] != MAGIC:
            raise ValueError(f"{path.name}: not a dictionary shard file")
        length = int.from_bytes(data[8:16], "little")
        self.total, self.force_split, self._index = marshal.loads(data[16:16 + length])
        self._data = memoryview(data)[16 + length:]
        self._loaded: set[str] = set()
        self._lock = threading.Lock()

    def ensure(self, text: str, target: dict[str, int]) -> None:
        """Merge into `target` the shard of every character of `text` not merged yet."""
        missing = set(text) - self._loaded
        if not missing:
            return
        with self._lock:
            for char in missing - self._loaded:
                where = self._index.get(char)
                if where is not None:
                    offset, size = where
                    target.update(marshal.loads(self._data[offset:offset + size]))
                self._loaded.add(char)

    def ensure_all(self, target: dict[str, int]) -> None:
        self.ensure("".join(self._index), target)


def open_or_none(path: Path) -> ShardedDictionary | None:
    try:
        return ShardedDictionary(path)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, EOFError, TypeError) as error:
        log.warning("jieba dictionary shards %s unreadable, rebuilt: %s", path.name, error)
        return None
