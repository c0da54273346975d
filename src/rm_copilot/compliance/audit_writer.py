"""A thread that writes batches of audit entries in the order they are handed to it.

The database's work (SQLite's inserts and commit, a server's round trips) releases the GIL, so a
file check goes on checking while a batch is written. At most `depth` batches wait behind the one
being written: a slow store holds the checker back instead of piling up entries. A failed write
stops the writer; the error is raised in the caller's thread at its next `put`, `check` or `close`,
and every batch written before it stays written (each batch is its own transaction).
"""
from __future__ import annotations

import queue
import threading
from collections.abc import Callable

_DONE = None


class BackgroundWriter:
    def __init__(self, write: Callable[[list[dict]], None], *, depth: int = 1):
        self._write = write
        self._queue: queue.Queue[list[dict] | None] = queue.Queue(maxsize=max(1, depth))
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="compliance-audit", daemon=True)
        self._thread.start()

    def put(self, entries: list[dict]) -> None:
        self.check()
        while True:  # wait for room, but not past a failure of the batch being written
            try:
                self._queue.put(entries, timeout=0.05)
                return
            except queue.Full:
                self.check()

    def check(self) -> None:
        """Raise the error of a failed write, if any."""
        if self._error is not None:
            raise self._error

    def close(self) -> None:
        """Write everything handed over, stop the thread, raise a write's error."""
        if self._thread.is_alive():
            while self._error is None:
                try:
                    self._queue.put(_DONE, timeout=0.05)
                    break
                except queue.Full:
                    continue
            self._thread.join()
        self.check()

    def _run(self) -> None:
        while True:
            entries = self._queue.get()
            if entries is _DONE:
                return
            try:
                self._write(entries)
            except BaseException as error:  # noqa: BLE001 - handed to the caller's thread
                self._error = error
                return
