"""`BuiltinComposer`: the offline backend's composer without the LangChain wrapper.

The guarded generator calls `compose` directly, so a process answering with the builtin backend
(`rm-copilot ask`, the API) never imports LangChain's chat-model stack (langsmith and its tracers:
about a second of a cold start). `BuiltinComposerChatModel` (`builtin.py`) is the same composer as
a LangChain chat model, for chains and for the LLM path's interface.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from rm_copilot.generation.composer import compose
from rm_copilot.generation.prompts import get_renderer
from rm_copilot.generation.request import ComposeRequest


class BuiltinComposer:
    def __init__(self, prompts_dir: str | Path, lexicon_dir: str | Path | None = None):
        self.prompts_dir = str(prompts_dir)
        self.lexicon_dir = str(lexicon_dir) if lexicon_dir is not None else None

    def compose(self, request: ComposeRequest) -> str:
        return compose_offline(request, self.prompts_dir, self.lexicon_dir)


def compose_offline(request: ComposeRequest, prompts_dir: str, lexicon_dir: str | None) -> str:
    return compose(request, get_renderer(Path(prompts_dir)), lambda text: lexicon_terms(lexicon_dir, text))


@lru_cache(maxsize=50_000)
def lexicon_terms(lexicon_dir: str | None, text: str) -> frozenset[str]:
    """Words as retrieval sees them (jieba, financial dictionary, synonyms); chunk sentences repeat."""
    from rm_copilot.knowledge.tokenizer import get_lexicon

    return frozenset(get_lexicon(Path(lexicon_dir) if lexicon_dir else None).words(text))
