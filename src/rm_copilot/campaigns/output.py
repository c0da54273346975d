"""Crash-safe campaign output: one JSON line per (customer, variant), appended with one write each.

The output file is its own checkpoint. Each row is written with a single `os.write` on an
O_APPEND descriptor, so a killed process leaves at most one torn line at the end. On resume the
file is scanned: a torn tail is cut off, and the keys of complete lines are the work already done.
A sidecar `<out>.meta.json` records the campaign parameters and the fingerprint of what made the
rows (rulebook, prompt templates, backend and model), so a resume with other parameters, or after
any of those changed, is refused instead of mixing two campaigns in one file.
"""
from __future__ import annotations

import errno
import fcntl
import json
import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rm_copilot.campaigns.fingerprint import check_same
from rm_copilot.errors import CampaignConflict, CampaignError

RowKey = tuple[str, int]


def row_key(row: dict[str, Any]) -> RowKey:
    return (row["customer_id"], int(row["variant"]))


def meta_path(out: Path) -> Path:
    return out.with_name(out.name + ".meta.json")


def summary_path(out: Path) -> Path:
    return out.with_name(out.name + ".summary.json")


def lock_path(out: Path) -> Path:
    return out.with_name(out.name + ".lock")


class OutputLock:
    """One writer per campaign output: an exclusive OS lock on `<out>.lock`, held for the whole run.

    The kernel drops the lock when its holder exits, however it dies, so a lock is never stale;
    a second run or a --resume while the first is alive is refused instead of duplicating rows.
    """

    def __init__(self, out: Path):
        self._path = lock_path(out)
        self._fd = -1

    def __enter__(self) -> OutputLock:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o640)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "另一个进程"
            os.close(fd)
            raise CampaignConflict(
                f"输出文件 {self._path.name[:-5]} 正由另一个任务写入（{holder}）；请等它结束后再运行或加 --resume 续跑"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{socket.gethostname()} 进程 {os.getpid()}".encode(), 0)
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd >= 0:
            os.close(self._fd)  # closing the descriptor releases the lock
            self._fd = -1


def storage_error(error: OSError, out: Path) -> CampaignError:
    """A Chinese message for a write that failed; the rows already written stay and --resume continues."""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        reason = "磁盘空间不足"
    elif error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason = "没有写入权限或磁盘只读"
    else:
        reason = f"读写出错（{os.strerror(error.errno) if error.errno else type(error).__name__}）"
    return CampaignError(f"无法写入 {out.name}：{reason}。已写入的行已保存，处理后加 --resume 以相同参数续跑")


@dataclass(frozen=True)
class ResumeState:
    done: frozenset[RowKey]
    truncated_bytes: int


def scan_completed(out: Path) -> ResumeState:
    """Keys of complete lines; cuts a torn or unparsable tail so appends start on a line boundary."""
    done: set[RowKey] = set()
    if not out.exists():
        return ResumeState(frozenset(), 0)
    good_end = 0
    with out.open("rb") as handle:
        for raw in handle:
            if not raw.endswith(b"\n"):
                break
            try:
                key = row_key(json.loads(raw))
            except (ValueError, KeyError, TypeError):
                break
            done.add(key)
            good_end += len(raw)
    size = out.stat().st_size
    if size > good_end:
        with out.open("r+b") as handle:
            handle.truncate(good_end)
            handle.flush()
            os.fsync(handle.fileno())
    return ResumeState(frozenset(done), size - good_end)


FINGERPRINT = "fingerprint"  # the meta file's key beside the parameters


def read_meta(out: Path) -> tuple[dict[str, Any], dict[str, Any] | None] | None:
    """The recorded (parameters, fingerprint) of an output, or None when it has no meta file."""
    meta = meta_path(out)
    if not meta.exists():
        return None
    recorded = json.loads(meta.read_text(encoding="utf-8"))
    fingerprint = recorded.pop(FINGERPRINT, None)
    return recorded, fingerprint


def check_resumable(out: Path, parameters: dict[str, Any], fingerprint: dict[str, str]) -> bool:
    """Raise when a --resume of `out` would be refused; True when there are rows to continue from."""
    has_rows = out.exists() and out.stat().st_size > 0
    recorded = read_meta(out)
    if recorded is None:
        if has_rows:
            raise CampaignError(f"{out} 缺少任务参数文件 {meta_path(out).name}，无法确认是同一任务，拒绝续跑")
        return False
    recorded_parameters, recorded_fingerprint = recorded
    changed = sorted(k for k in parameters.keys() | recorded_parameters.keys()
                     if recorded_parameters.get(k) != parameters.get(k))
    if changed:
        raise CampaignError(f"--resume 的参数与上次不同（{', '.join(changed)}），请使用相同参数续跑")
    if has_rows:
        check_same(recorded_fingerprint, fingerprint)
    return has_rows


def prepare_output(
    out: Path, parameters: dict[str, Any], *, resume: bool, fingerprint: dict[str, str] | None = None
) -> ResumeState:
    """Check the output path against --resume, the recorded parameters and fingerprint."""
    meta = meta_path(out)
    fingerprint = fingerprint or {}
    recorded = {**parameters, FINGERPRINT: fingerprint}
    if not resume:
        if out.exists() and out.stat().st_size > 0:
            raise CampaignError(f"输出文件 {out} 已存在且非空；继续上次任务请加 --resume，否则请换一个文件名")
        out.parent.mkdir(parents=True, exist_ok=True)
        _write_json_atomically(meta, recorded)
        out.touch()
        return ResumeState(frozenset(), 0)
    if not check_resumable(out, parameters, fingerprint):
        # Nothing written yet: this run begins the file's history, with today's fingerprint.
        out.parent.mkdir(parents=True, exist_ok=True)
        _write_json_atomically(meta, recorded)
    out.touch()
    return scan_completed(out)


class RowWriter:
    """Appends rows; each row is one `os.write` of a complete line."""

    def __init__(self, out: Path, *, fsync_every: int = 200):
        self._fd = os.open(out, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        self._fsync_every = fsync_every
        self._since_sync = 0

    def write(self, row: dict[str, Any]) -> None:
        data = (json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        written = os.write(self._fd, data)
        while written < len(data):
            written += os.write(self._fd, data[written:])
        self._since_sync += 1
        if self._since_sync >= self._fsync_every:
            os.fsync(self._fd)
            self._since_sync = 0

    def write_all(self, rows: Iterable[dict[str, Any]]) -> None:
        for row in rows:
            self.write(row)

    def close(self) -> None:
        if self._fd >= 0:
            os.fsync(self._fd)
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> RowWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _write_json_atomically(path: Path, payload: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def write_summary(out: Path, summary: dict[str, Any]) -> Path:
    path = summary_path(out)
    _write_json_atomically(path, summary)
    return path
