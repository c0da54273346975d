"""What durable WeCom answers cost: the database as the queue, against the dedupe-only inbox of before.

Each accepted message is claimed in the inbox (the baseline: what every message already paid) and,
for durability, also written to `wecom_pending` before the ack and deleted once answered. Both run
here, in the same process, on one SQLite file (WAL), as `rm-copilot serve` uses it.

    .venv/bin/python benchmarks/wecom_queue_bench.py [--count 2000]
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from rm_copilot import schema
from rm_copilot.channels.wecom.inbox import WeComInbox
from rm_copilot.channels.wecom.messages import InboundMessage
from rm_copilot.channels.wecom.pending import PendingMessages
from rm_copilot.db import make_engine, make_session_factory


def _message(number: int) -> InboundMessage:
    return InboundMessage(from_user="zhangwei", to_user="corp", create_time="1763900000", msg_type="text",
                          content="存款保险的保障额度是多少？", msg_id=f"{7_400_000_000_000_000 + number}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=2000)
    count = parser.parse_args().count
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'queue.db'}")
        schema.upgrade(engine)
        factory = make_session_factory(engine)
        inbox, pending = WeComInbox(factory), PendingMessages(factory)

        started = time.perf_counter()
        for number in range(count):
            message = _message(number)
            inbox.claim(message.dedupe_key, message.msg_type)
            inbox.finish(message.dedupe_key, "answered")
        baseline_s = time.perf_counter() - started

        started = time.perf_counter()
        for number in range(count, 2 * count):
            message = _message(number)
            inbox.claim(message.dedupe_key, message.msg_type)
            pending.hold(message)
            inbox.finish(message.dedupe_key, "answered")
            pending.done(message.dedupe_key)
        durable_s = time.perf_counter() - started
        engine.dispose()

    per_baseline, per_durable = baseline_s / count * 1000, durable_s / count * 1000
    print(f"{count} messages: inbox dedupe only {per_baseline:.2f} ms/message, "
          f"with the durable pending row {per_durable:.2f} ms/message → {durable_s / baseline_s:.2f}× "
          f"({per_durable - per_baseline:.2f} ms more per message)")


if __name__ == "__main__":
    main()
