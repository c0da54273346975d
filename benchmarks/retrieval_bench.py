"""Knowledge index: incremental `sync` after editing one file vs re-embedding everything, and
hybrid query latency vs a naive lexical baseline, both measured in the same run.

1. Index the shipped knowledge base into a fresh Chroma store with the real embedding model
   (the naive way to pick up an edit: embed every chunk again), then edit one product file and
   `sync` again: only that file's changed chunks are embedded. Prints both times and the ratio.
2. Hybrid search (bm25s sparse scores + one dense query + RRF) against a naive scorer that
   tokenises every chunk again for each query and counts overlapping words in Python.

    .venv/bin/python benchmarks/retrieval_bench.py [--queries 60]
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

ROOT = Path(__file__).resolve().parents[1]
EDITED = Path("products/wealth/WM003.md")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=60)
    args = parser.parse_args()

    from rm_copilot.config import Settings
    from rm_copilot.knowledge.documents import load_documents
    from rm_copilot.knowledge.embeddings import make_embeddings
    from rm_copilot.knowledge.evaluation import load_dataset
    from rm_copilot.knowledge.retriever import HybridRetriever
    from rm_copilot.knowledge.tokenizer import get_lexicon
    from rm_copilot.services import lexicon_dir, make_knowledge_index

    make_embeddings(os.environ.get("RM_COPILOT_EMBEDDING_MODEL")).embed_query("预热")  # load once, outside every timing
    with tempfile.TemporaryDirectory() as tmp:
        kb = Path(tmp) / "kb"
        shutil.copytree(ROOT / "knowledge_base", kb)
        # A fresh embedding cache: the full index really embeds every chunk.
        settings = Settings(home=Path(tmp) / "home", knowledge_base=kb, embedding_cache_dir=Path(tmp) / "cache")
        index = make_knowledge_index(settings)

        started = time.perf_counter()
        full = index.sync(load_documents(kb))
        full_seconds = time.perf_counter() - started

        path = kb / EDITED
        path.write_text(path.read_text(encoding="utf-8").replace("T+1到账。", "T+1到账（节假日顺延）。", 1), encoding="utf-8")
        started = time.perf_counter()
        incremental = index.sync(load_documents(kb))
        incremental_seconds = time.perf_counter() - started

        print(f"full index:        {full.added} chunks embedded in {full_seconds:.1f} s")
        print(f"edit {EDITED}: {incremental.embedded} chunk(s) re-embedded, {incremental.unchanged} unchanged, "
              f"{incremental_seconds:.2f} s")
        print(f"incremental sync is {full_seconds / incremental_seconds:.0f}x faster than re-embedding everything")

        retriever = HybridRetriever.from_index(index, lexicon=get_lexicon(lexicon_dir(settings)))
        questions = [q.question for q in load_dataset(kb / "eval" / "questions.jsonl")][: args.queries]
        retriever.search("预热")
        hybrid = _latencies(lambda q: retriever.search(q, k=5), questions)
        chunks, lexicon = index.chunks(), retriever.lexicon

        def naive(query: str) -> list[str]:
            wanted = set(lexicon.words(query))
            scored = [(len(wanted & set(lexicon.words(c.text))), c.chunk_id) for c in chunks]
            return [cid for _, cid in sorted(scored, reverse=True)[:5]]

        baseline = _latencies(naive, questions[: max(5, args.queries // 10)])
        print(f"hybrid search:     median {statistics.median(hybrid) * 1000:.1f} ms over {len(hybrid)} queries")
        print(f"naive word overlap: median {statistics.median(baseline) * 1000:.1f} ms over {len(baseline)} queries")
        print(f"hybrid search is {statistics.median(baseline) / statistics.median(hybrid):.0f}x faster than the naive scorer")


def _latencies(search, queries: list[str]) -> list[float]:
    result = []
    for query in queries:
        started = time.perf_counter()
        search(query)
        result.append(time.perf_counter() - started)
    return result


if __name__ == "__main__":
    main()
