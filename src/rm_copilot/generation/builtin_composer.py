"""`BuiltinComposer`: the offline backend's composer without the LangChain wrapper.

The guarded generator calls `compose` directly, so a process answering with the builtin backend
(`rm-copilot ask`, the API) never imports LangChain's chat-model stack (langsmith and its tracers:
about a second of a cold start). `BuiltinComposerChatModel` (`builtin.py`) is the same composer as
a LangChain chat model, for chains and for the LLM path's interface.

The composer weighs words of every sentence of the retrieved chunks (jieba through the lexicon:
about a third of an answer's CPU when the sentences are new to the process). `save_terms` writes
those words for the whole knowledge base's sentences to one file (done when the index is synced);
a composer given `terms_dir` reads it, so a new process starts with them. The file is named by the
lexicon's fingerprint: a word list depends only on the text and the lexicon, so an entry is never
stale — a sentence the file lacks is simply tokenised.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from rm_copilot.cache_files import write_atomically
from rm_copilot.generation.composer import compose
from rm_copilot.generation.prompts import get_renderer
from rm_copilot.generation.request import ComposeRequest

log = logging.getLogger(__name__)
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|「[^」]*」")


class BuiltinComposer:
    def __init__(self, prompts_dir: str | Path, lexicon_dir: str | Path | None = None, *,
                 terms_dir: Path | None = None):
        self.prompts_dir = str(prompts_dir)
        self.lexicon_dir = str(lexicon_dir) if lexicon_dir is not None else None
        self.terms_dir = terms_dir
        self._saved: dict[str, frozenset[str] | list[str]] | None = None
        self._lock = threading.Lock()

    def compose(self, request: ComposeRequest) -> str:
        return compose(request, get_renderer(Path(self.prompts_dir)), self.terms)

    def terms(self, text: str) -> frozenset[str]:
        saved = self._saved if self._saved is not None else self._load()
        found = saved.get(text)
        if found is None:
            return lexicon_terms(self.lexicon_dir, text)
        if not isinstance(found, frozenset):
            found = saved[text] = frozenset(found)
        return found

    def save_terms(self, chunk_texts: Iterable[str], extra: Iterable[str] = ()) -> int:
        """Write the words of every sentence of these chunks (and of `extra` texts: headings,
        product names) to `terms_dir`; returns how many texts the file holds."""
        if self.terms_dir is None:
            return 0
        from rm_copilot.generation.points import chunk_sentences

        texts: set[str] = set(extra)
        for text in chunk_texts:
            for sentence, asked in chunk_sentences({"text": text}):
                texts.update((sentence, asked, _QUOTED.sub("", sentence)))
        texts.discard("")
        path = self._path(self.terms_dir)
        terms = {text: sorted(lexicon_terms(self.lexicon_dir, text)) for text in sorted(texts)}
        try:
            payload = {"lexicon": _lexicon(self.lexicon_dir).fingerprint, "terms": terms}
            write_atomically(path, json.dumps(payload, ensure_ascii=False).encode("utf-8"))
        except OSError as error:  # answers still work, each new process tokenises again
            log.warning("composer terms not saved in %s: %s", path.parent, error)
        with self._lock:
            self._saved = None
        return len(terms)

    def has_saved_terms(self) -> bool:
        return self.terms_dir is not None and self._path(self.terms_dir).is_file()

    def _path(self, terms_dir: Path) -> Path:
        key = hashlib.sha256(_lexicon(self.lexicon_dir).fingerprint.encode()).hexdigest()[:32]
        return Path(terms_dir) / f"composer-terms-{key}.json"

    def _load(self) -> dict[str, frozenset[str] | list[str]]:
        with self._lock:
            if self._saved is not None:
                return self._saved
            saved: dict = {}
            if self.terms_dir is not None:
                path = self._path(self.terms_dir)
                try:
                    data = json.loads(path.read_text(encoding="utf-8"))
                    if data.get("lexicon") == _lexicon(self.lexicon_dir).fingerprint and isinstance(data.get("terms"), dict):
                        saved = data["terms"]
                except FileNotFoundError:
                    pass
                except (OSError, ValueError, AttributeError) as error:
                    log.warning("composer terms %s unreadable, ignored: %s", path.name, error)
            self._saved = saved
            return saved


def compose_offline(request: ComposeRequest, prompts_dir: str, lexicon_dir: str | None) -> str:
    return compose(request, get_renderer(Path(prompts_dir)), lambda text: lexicon_terms(lexicon_dir, text))


@lru_cache(maxsize=8)
def _lexicon(lexicon_dir: str | None):
    from rm_copilot.knowledge.tokenizer import get_lexicon

    return get_lexicon(Path(lexicon_dir) if lexicon_dir else None)


@lru_cache(maxsize=50_000)
def lexicon_terms(lexicon_dir: str | None, text: str) -> frozenset[str]:
    """Words as retrieval sees them (jieba, financial dictionary, synonyms); chunk sentences repeat."""
    return frozenset(_lexicon(lexicon_dir).words(text))
