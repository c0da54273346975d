"""Progress of embedding the knowledge base: a rich bar on a terminal, plain lines otherwise."""
from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

Progress = Callable[[int, int], None]


@contextmanager
def embedding_progress(stream: TextIO | None = None, *, steps: int = 10) -> Iterator[Progress]:
    """Yields a `(done, total)` callback for `KnowledgeIndex.sync`; nothing is shown when nothing
    needs embedding. Plain lines (for logs and pipes) at every tenth of the work."""
    stream = stream or sys.stderr
    started = time.perf_counter()
    if stream.isatty():
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TimeElapsedColumn, TimeRemainingColumn
        from rich.progress import Progress as RichProgress

        bar = RichProgress("正在计算知识片段向量", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                           TimeRemainingColumn(), console=Console(file=stream), transient=False)
        task = None

        def update(done: int, total: int) -> None:
            nonlocal task
            if task is None:
                bar.start()
                task = bar.add_task("embed", total=total)
            bar.update(task, completed=done)

        try:
            yield update
        finally:
            bar.stop()
        return

    shown = -1

    def line(done: int, total: int) -> None:
        nonlocal shown
        step = done * steps // max(total, 1)
        if step != shown:
            shown = step
            elapsed = time.perf_counter() - started
            print(f"正在计算知识片段向量：{done}/{total}（{done * 100 // max(total, 1)}%，已用 {elapsed:.0f} 秒）",
                  file=stream, flush=True)

    yield line
