"""What a query needs, saved under the home so a new process answers without rebuilding it.

Two parts, each guarded by a fingerprint of what it was built from (written atomically, read
only when the fingerprint matches, rebuilt otherwise):
- the index: chunk rows and their vectors, written after every sync of a local Chroma store, so
  a cold `ask` searches them with numpy without opening Chroma;
- the lexical side: the jieba-tokenised corpus and both BM25 indexes (bm25s save/load), keyed by
  the chunks' content hashes and the lexicon's files, so a cold start tokenises nothing.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from rm_copilot.knowledge.chunker import Chunk

FORMAT = 2


def chunks_fingerprint(chunks: Iterable[Chunk], *extra: str) -> str:
    digest = hashlib.sha256(f"format={FORMAT}".encode())
    for part in extra:
        digest.update(b"\0" + part.encode("utf-8"))
    for chunk in chunks:
        digest.update(f"\0{chunk.chunk_id}\0{chunk.content_hash}".encode())
    return digest.hexdigest()


def _write_atomically(target: Path, fill) -> None:
    """Build a directory beside `target`, then swap it in (readers never see half a snapshot)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        fill(staging)
        old = target.with_name(f".{target.name}-old-{os.getpid()}-{threading.get_ident()}")
        try:
            if target.exists():
                os.replace(target, old)
            os.replace(staging, target)
        except OSError:
            if not target.exists():
                raise  # otherwise another process has just written it: theirs stands
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _manifest(directory: Path) -> dict[str, Any] | None:
    try:
        return json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


class IndexSnapshot:
    """Chunk rows (id, text, metadata) and an aligned float32 matrix of their vectors."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)

    def save(self, chunks: list[Chunk], vectors: np.ndarray) -> None:
        fingerprint = chunks_fingerprint(chunks)

        def fill(staging: Path) -> None:
            rows = [{"id": c.chunk_id, "text": c.text, "meta": c.metadata} for c in chunks]
            (staging / "chunks.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
            np.save(staging / "vectors.npy", np.asarray(vectors, dtype=np.float32))
            (staging / "manifest.json").write_text(json.dumps({"fingerprint": fingerprint, "count": len(chunks)}))

        _write_atomically(self.directory, fill)

    def load(self) -> tuple[list[dict[str, Any]], np.ndarray] | None:
        manifest = _manifest(self.directory)
        if manifest is None:
            return None
        try:
            rows = json.loads((self.directory / "chunks.json").read_text(encoding="utf-8"))
            vectors = np.load(self.directory / "vectors.npy")
        except (OSError, ValueError):
            return None
        if len(rows) != manifest.get("count") or vectors.shape[0] != len(rows):
            return None
        return rows, vectors

    def fingerprint(self) -> str | None:
        manifest = _manifest(self.directory)
        return manifest.get("fingerprint") if manifest else None

    def delete(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


class LexicalStore:
    """Tokenised corpora and BM25 indexes, one directory per fingerprint (the last few kept)."""

    KEEP = 3

    def __init__(self, directory: Path):
        self.directory = Path(directory)

    def path_for(self, fingerprint: str) -> Path:
        return self.directory / fingerprint[:24]

    def load(self, fingerprint: str) -> Path | None:
        path = self.path_for(fingerprint)
        manifest = _manifest(path)
        return path if manifest and manifest.get("fingerprint") == fingerprint else None

    def save(self, fingerprint: str, fill) -> None:
        def fill_with_manifest(staging: Path) -> None:
            fill(staging)
            (staging / "manifest.json").write_text(json.dumps({"fingerprint": fingerprint}))

        _write_atomically(self.path_for(fingerprint), fill_with_manifest)
        self._prune()

    def _prune(self) -> None:
        entries = [p for p in self.directory.iterdir() if p.is_dir() and not p.name.startswith(".")]
        entries.sort(key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in entries[self.KEEP :]:
            shutil.rmtree(stale, ignore_errors=True)
