"""Derived data saved beside the home's other files: written atomically, older versions pruned.

A concurrent reader sees the old file or the whole new one, never half of either; a failed write
leaves no staging file behind.
"""
from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)


def write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, staging = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(staging, path)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise


def keep_newest(folder: Path, pattern: str, keep: int) -> None:
    """Delete all but the `keep` most recently written files of `folder` matching `pattern`."""
    files = sorted(folder.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in files[keep:]:
        stale.unlink(missing_ok=True)


def save_derived(path: Path, data: bytes, *, keep: int, what: str) -> None:
    """Write `path` atomically and keep the `keep` newest files of its kind (the same name up to its
    first "-" and the same suffix: "names-<hash>.marshal"). A home that cannot be written is logged
    and left as it is: the caller answers from what it just derived, only derives it again next time."""
    try:
        write_atomically(path, data)
        keep_newest(path.parent, f"{path.name.split('-', 1)[0]}-*{path.suffix}", keep)
    except OSError as error:
        log.warning("%s not saved in %s: %s", what, path.parent, error)
