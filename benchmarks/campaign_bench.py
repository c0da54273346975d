"""Campaign throughput: 10,000 generated customers, builtin backend, 1 variant, end to end.

Runs `rm-copilot campaign` as a separate process (its wall time and peak RSS, worker processes
included) and, in the same run, a naive baseline: one customer at a time in one process, each
row appended by reopening the file. Prints rows/s of both and the ratio.

    .venv/bin/python benchmarks/campaign_bench.py [--customers 10000] [--baseline 500]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

PRODUCT = "WM002"
CLI = [sys.executable, "-c", "from rm_copilot.cli import main; main()"]


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run(CLI + list(args), env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"rm-copilot {' '.join(args)} failed:\n{result.stderr}")
    return result


def naive_rows_per_second(home: Path, count: int, out: Path) -> float:
    from rm_copilot.channels.campaign.rows import build_rows
    from rm_copilot.config import Settings
    from rm_copilot.services import Services

    services = Services(Settings(home=home))
    spec = {"product_id": PRODUCT, "channel": "wecom", "variants": 1, "scenario": None}
    ids = [customer_id for _, customer_id in zip(range(count), services.customers.iter_ids())]
    services.copilot  # build the graph before timing, as the real run does in its workers
    started = time.perf_counter()
    rows = 0
    for customer_id in ids:
        for row in build_rows(services, customer_id, spec):
            with out.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            rows += 1
    return rows / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--baseline", type=int, default=500, help="customers in the naive baseline")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="campaign-bench-") as tmp:
        home = Path(tmp) / "home"
        env = {**os.environ, "RM_COPILOT_HOME": str(home), "RM_COPILOT_DEMO_CUSTOMER_COUNT": "0"}
        _cli(env, "customers", "generate", "--count", str(args.customers), "--seed", "11")

        out = Path(tmp) / "campaign.jsonl"
        started = time.perf_counter()
        _cli(env, "campaign", "--product", PRODUCT, "--segment", "all", "--out", str(out), "--json")
        elapsed = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        summary = json.loads(out.with_name(out.name + ".summary.json").read_text(encoding="utf-8"))
        rows = summary["rows"]
        print(f"store: {summary['customers']} customers in the segment")

        os.environ["RM_COPILOT_HOME"] = str(home)
        naive = naive_rows_per_second(home, args.baseline, Path(tmp) / "naive.jsonl")

    rate = rows / elapsed
    print(f"campaign: {rows} rows in {elapsed:.1f} s end to end = {rate:.0f} rows/s "
          f"(workers = {os.cpu_count()} processes), peak RSS of one process {peak_mb:.0f} MB")
    print(f"by verdict: {summary['by_verdict']}")
    print(f"naive one-at-a-time loop ({args.baseline} customers): {naive:.0f} rows/s")
    print(f"ratio campaign / naive: {rate / naive:.2f}x")
    print(f"targets: <= 60 s -> {'OK' if elapsed <= 60 else 'MISSED'}; "
          f"peak RSS <= 2048 MB -> {'OK' if peak_mb <= 2048 else 'MISSED'}")


if __name__ == "__main__":
    main()
