"""A bounded pool for work that must not run inside the callback request."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

log = logging.getLogger(__name__)


class BackgroundWorker:
    """At most `max_workers` tasks run and `max_pending` are accepted at once; beyond that, refuse."""

    def __init__(self, *, max_workers: int = 4, max_pending: int = 64, name: str = "wecom"):
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix=name)
        self.max_pending = max_pending
        self._pending = 0
        self._idle = threading.Condition()

    def try_submit(self, task: Callable[[], None]) -> bool:
        with self._idle:
            if self._pending >= self.max_pending:
                return False
            self._pending += 1
        try:
            self._pool.submit(self._run, task)
        except RuntimeError:  # pool shut down
            self._done()
            return False
        return True

    def _run(self, task: Callable[[], None]) -> None:
        try:
            task()
        except Exception:  # noqa: BLE001 - a failed task must not kill the pool thread silently
            log.exception("background task failed")
        finally:
            self._done()

    def _done(self) -> None:
        with self._idle:
            self._pending -= 1
            self._idle.notify_all()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until no task is pending or running; False if `timeout` passed first."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    @property
    def pending(self) -> int:
        return self._pending

    def shutdown(self, wait: bool = True) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=not wait)
