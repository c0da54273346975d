"""The tokenised corpus and BM25 indexes are saved once and read back while nothing changed."""
from __future__ import annotations

import shutil

import numpy as np

from rm_copilot.knowledge.lexical import LexicalIndex
from rm_copilot.knowledge.snapshot import LexicalStore
from rm_copilot.knowledge.tokenizer import DEFAULT_LEXICON_DIR, Lexicon


def _scores(index: LexicalIndex, lexicon: Lexicon, query: str) -> np.ndarray:
    return index.score(lexicon.tokens(query)).words


def test_a_second_build_reads_the_saved_corpus_and_scores_the_same(synced_index, tmp_path):
    lexicon = Lexicon(DEFAULT_LEXICON_DIR)
    store = LexicalStore(tmp_path / "lexical")
    chunks = synced_index.chunks()
    built = LexicalIndex(chunks, lexicon, store=store)
    loaded = LexicalIndex(chunks, lexicon, store=store)
    assert not built.loaded_from_store and loaded.loaded_from_store
    np.testing.assert_allclose(_scores(loaded, lexicon, "大额存单提前支取"), _scores(built, lexicon, "大额存单提前支取"))
    assert loaded.coverage(["大额存单"], _scores(loaded, lexicon, "大额存单")) == built.coverage(["大额存单"], _scores(built, lexicon, "大额存单"))


def test_changed_chunks_or_lexicon_rebuild_the_corpus(synced_index, tmp_path):
    store = LexicalStore(tmp_path / "lexical")
    chunks = synced_index.chunks()
    LexicalIndex(chunks, Lexicon(DEFAULT_LEXICON_DIR), store=store)
    assert not LexicalIndex(chunks[:-1], Lexicon(DEFAULT_LEXICON_DIR), store=store).loaded_from_store
    edited = tmp_path / "lexicon"
    shutil.copytree(DEFAULT_LEXICON_DIR, edited)
    with (edited / "synonyms.yaml").open("a", encoding="utf-8") as handle:
        handle.write("- [新词, 新说法]\n")
    assert not LexicalIndex(chunks, Lexicon(edited), store=store).loaded_from_store
