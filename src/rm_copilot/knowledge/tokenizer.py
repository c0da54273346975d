"""Chinese tokenisation for the lexical index: jieba with a financial user dictionary, synonyms,
stop words, traditional→simplified (OpenCC), full-width→half-width (NFKC) and lowercase.

The same `Lexicon` tokenises documents and queries, so 大存 in a question meets 大额存单 in a
document. jieba is initialised once per process per lexicon directory.
"""
from __future__ import annotations

import hashlib
import logging
import re
import tempfile
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import jieba
import yaml
from opencc import OpenCC

from rm_copilot.knowledge import dictionary_shards
from rm_copilot.knowledge.dictionary_shards import ShardedDictionary

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_KEEP_TOKEN = re.compile(r"[\u4e00-\u9fffa-z0-9]")
_opencc_lock = threading.Lock()
_jieba_lock = threading.Lock()
_opencc: OpenCC | None = None
_lexicons: dict[Path, Lexicon] = {}
_lexicons_lock = threading.Lock()

DEFAULT_LEXICON_DIR = Path(__file__).resolve().parents[3] / "knowledge_base" / "lexicon"


def to_simplified(text: str) -> str:
    global _opencc
    if _opencc is None:
        with _opencc_lock:
            if _opencc is None:
                _opencc = OpenCC("t2s")
    return _opencc.convert(text)


def normalize(text: str) -> str:
    """NFKC (full-width → half-width), traditional → simplified, lowercase."""
    text = unicodedata.normalize("NFKC", text or "")
    if any("\u4e00" <= ch <= "\u9fff" for ch in text):
        text = to_simplified(text)
    return text.lower()


@dataclass(frozen=True)
class Tokens:
    words: list[str]
    bigrams: list[str]


class Lexicon:
    """jieba tokenizer + synonym table + stop words loaded from one lexicon directory."""

    RECENT_TEXTS = 4096
    VERSION = "1"  # bump when tokenisation changes, so persisted token corpora are rebuilt

    def __init__(self, directory: Path, *, cache_dir: Path | None = None):
        """`cache_dir`: where the segmenter's dictionary is saved in shards (`dictionary_shards.py`);
        default: the system's temporary folder, where jieba keeps its own cache."""
        self.directory = Path(directory)
        self.cache_dir = Path(cache_dir) if cache_dir is not None else Path(tempfile.gettempdir())
        self.stopwords = _read_lines(self.directory / "stopwords.txt")
        self.synonyms = _read_synonyms(self.directory / "synonyms.yaml")
        self._lock = threading.Lock()
        self._recent: OrderedDict[str, Tokens] = OrderedDict()
        self._shards: ShardedDictionary | None = None

    @cached_property
    def fingerprint(self) -> str:
        """Changes whenever a lexicon file or the tokeniser changes."""
        digest = hashlib.sha256(f"lexicon={self.VERSION};jieba={jieba.__version__}".encode())
        for name in ("stopwords.txt", "synonyms.yaml", "user_dict.txt"):
            path = self.directory / name
            digest.update(b"\0" + name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b""))
        return digest.hexdigest()

    @cached_property
    def _jieba(self) -> jieba.Tokenizer:
        """The segmenter: from the saved shards (filled per text, see `_segmenter`), else built
        from jieba's dictionary and this lexicon's words, then saved."""
        jieba.setLogLevel(logging.WARNING)
        path = self.cache_dir / f"jieba-{dictionary_shards.shard_key(self.fingerprint)[:32]}.shards"
        saved = dictionary_shards.open_or_none(path)
        if saved is not None:
            tokenizer = jieba.Tokenizer()
            tokenizer.FREQ, tokenizer.total, tokenizer.initialized = {}, saved.total, True
            for word in saved.force_split:
                jieba.finalseg.add_force_split(word)
            self._shards = saved
            return tokenizer
        before = set(jieba.finalseg.Force_Split_Words)
        tokenizer = self._built_jieba()
        try:
            dictionary_shards.write(path, tokenizer.FREQ, tokenizer.total,
                                    list(set(jieba.finalseg.Force_Split_Words) - before))
        except OSError as error:  # a read-only folder: later processes build it again
            logging.getLogger(__name__).warning("jieba dictionary not saved in %s: %s", self.cache_dir, error)
        return tokenizer

    def _segmenter(self, text: str) -> jieba.Tokenizer:
        """The segmenter, its dictionary holding every entry a cut of `text` can look up."""
        tokenizer = self._jieba
        if self._shards is not None:
            self._shards.ensure(text, tokenizer.FREQ)
        return tokenizer

    def frequency(self, word: str) -> int:
        """`word`'s frequency in the segmenter's dictionary (0: no dictionary word)."""
        return self._segmenter(word).FREQ.get(word) or 0

    def _built_jieba(self) -> jieba.Tokenizer:
        # jieba's default dictionary is loaded once per process (jieba.dt, which other packages use
        # too) and copied: a second load from its cache costs seconds on a busy machine. The copy
        # gets this lexicon's words, so the shared one stays untouched.
        with _jieba_lock:
            jieba.dt.check_initialized()
            tokenizer = jieba.Tokenizer()
            tokenizer.FREQ, tokenizer.total = dict(jieba.dt.FREQ), jieba.dt.total
            tokenizer.initialized = True
        user_dict = self.directory / "user_dict.txt"
        if user_dict.is_file():
            tokenizer.load_userdict(str(user_dict))
        for variant in self.synonyms:
            if len(variant) > 1 and not variant.isascii():
                tokenizer.add_word(variant, freq=20000)
        return tokenizer

    def words(self, text: str) -> list[str]:
        """Informative word tokens: segmented for search, synonyms folded, stop words removed."""
        return self.tokens(text).words

    def tokens(self, text: str) -> Tokens:
        """Search-mode words plus character bigrams over the folded precise cut (typo tolerance).

        Recent texts are remembered: answers tokenise the same retrieved chunks again and again.
        """
        with self._lock:
            known = self._recent.get(text)
            if known is not None:
                self._recent.move_to_end(text)
                return Tokens(words=list(known.words), bigrams=list(known.bigrams))
            normalized = normalize(text)
            precise = list(self._segmenter(normalized).cut(normalized))
            search = list(self._search_mode(precise))
        bigrams: list[str] = []
        for run in _CJK_RUN.findall("".join(self._fold(precise))):
            if len(run) == 1:
                bigrams.append(run)
            bigrams.extend(run[i : i + 2] for i in range(len(run) - 1))
        result = Tokens(words=self._fold(search), bigrams=bigrams)
        with self._lock:
            self._recent[text] = Tokens(words=list(result.words), bigrams=list(result.bigrams))
            while len(self._recent) > self.RECENT_TEXTS:
                self._recent.popitem(last=False)
        return result

    def _search_mode(self, precise: list[str]):
        """jieba's cut_for_search, derived from an existing precise cut instead of cutting twice."""
        freq = self._jieba.FREQ
        for word in precise:
            for size in (2, 3):
                if len(word) > size:
                    for i in range(len(word) - size + 1):
                        gram = word[i : i + size]
                        if freq.get(gram):
                            yield gram
            yield word

    def _fold(self, raw: list[str]) -> list[str]:
        result: list[str] = []
        for token in raw:
            token = token.strip()
            if not token or not _KEEP_TOKEN.search(token) or token in self.stopwords:
                continue
            result.extend(self.synonyms.get(token, (token,)))
        return result


def get_lexicon(directory: Path | None = None) -> Lexicon:
    """The shared lexicon of a directory (default: the packaged one); the composition root passes
    the configured knowledge base's lexicon/."""
    key = Path(directory if directory is not None else DEFAULT_LEXICON_DIR).resolve()
    with _lexicons_lock:
        if key not in _lexicons:
            _lexicons[key] = Lexicon(key)
        return _lexicons[key]


def _read_lines(path: Path) -> frozenset[str]:
    if not path.is_file():
        return frozenset()
    lines = (normalize(line.strip()) for line in path.read_text(encoding="utf-8").splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


def _read_synonyms(path: Path) -> dict[str, tuple[str, ...]]:
    if not path.is_file():
        return {}
    groups = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    table: dict[str, tuple[str, ...]] = {}
    for group in groups:
        canonical = tuple(normalize(str(group[0])).split())
        for variant in group:
            table[normalize(str(variant))] = canonical
    return table
