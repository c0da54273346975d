"""The bounded background worker: refuses work beyond its capacity, reports when idle."""
from __future__ import annotations

import threading

from rm_copilot.channels.wecom.worker import BackgroundWorker


def test_worker_refuses_beyond_max_pending_and_accepts_again_when_idle():
    worker = BackgroundWorker(max_workers=1, max_pending=2)
    gate = threading.Event()
    done: list[int] = []

    accepted = [worker.try_submit(lambda n=n: (gate.wait(10), done.append(n))) for n in range(3)]
    gate.set()

    assert accepted == [True, True, False]
    assert worker.wait_idle(timeout=10)
    assert sorted(done) == [0, 1]
    assert worker.try_submit(lambda: done.append(9))
    assert worker.wait_idle(timeout=10) and done[-1] == 9
    worker.shutdown()


def test_a_failing_task_frees_its_slot():
    worker = BackgroundWorker(max_workers=1, max_pending=1)

    def boom() -> None:
        raise RuntimeError("boom")

    assert worker.try_submit(boom)
    assert worker.wait_idle(timeout=10)
    assert worker.pending == 0
    assert worker.try_submit(lambda: None)
    worker.shutdown()


def test_shut_down_worker_refuses_work():
    worker = BackgroundWorker()
    worker.shutdown()

    assert worker.try_submit(lambda: None) is False
    assert worker.pending == 0
