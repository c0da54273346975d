"""Campaign throughput: 10,000 generated customers, builtin backend, 1 variant, end to end.

Runs `rm-copilot campaign` as a separate process (its wall time and peak RSS, worker processes
included) and, in the same run, a naive baseline over the same customers: one customer at a time
in one process, each row appended by reopening the file. Prints rows/s of both and the ratio.

    .venv/bin/python benchmarks/campaign_bench.py [--customers 10000]
"""
from __future__ import annotations

import argparse
import json
import os
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


def _tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, from /proc (Linux)."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))
            for task in Path(f"/proc/{current}/task").iterdir():
                stack += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, StopIteration, ValueError):
            continue
    return total / 1024


def run_with_peak_tree_rss(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time and the peak summed RSS of the whole process tree, sampled every 50 ms."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, _tree_rss_mb(process.pid))
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"campaign failed:\n{process.stderr.read()}")
    return elapsed, peak


def naive_rows_per_second(home: Path, out: Path) -> tuple[int, float]:
    """Every customer, one at a time, in one process; timed from building the graph."""
    from rm_copilot.campaigns.rows import build_batch
    from rm_copilot.config import Settings
    from rm_copilot.services import Services

    started = time.perf_counter()
    services = Services(Settings(home=home))
    spec = {"product_id": PRODUCT, "channel": "wecom", "variants": 1, "scenario": None}
    rows = 0
    for customer_id in services.customers.iter_ids():
        (_, customer_rows), = build_batch(services, [customer_id], spec)
        for row in customer_rows:
            with out.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            rows += 1
    return rows, rows / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=10_000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="campaign-bench-") as tmp:
        home = Path(tmp) / "home"
        env = {**os.environ, "RM_COPILOT_HOME": str(home), "RM_COPILOT_DEMO_CUSTOMER_COUNT": "0"}
        _cli(env, "customers", "generate", "--count", str(args.customers), "--seed", "11")

        out = Path(tmp) / "campaign.jsonl"
        elapsed, peak_mb = run_with_peak_tree_rss(
            CLI + ["campaign", "--product", PRODUCT, "--segment", "all", "--out", str(out)], env
        )
        summary = json.loads(out.with_name(out.name + ".summary.json").read_text(encoding="utf-8"))
        rows = summary["rows"]
        print(f"store: {summary['customers']} customers in the segment")

        os.environ["RM_COPILOT_HOME"] = str(home)
        naive_rows, naive = naive_rows_per_second(home, Path(tmp) / "naive.jsonl")

    rate = rows / elapsed
    print(f"campaign: {rows} rows in {elapsed:.1f} s end to end = {rate:.0f} rows/s "
          f"(workers = {os.cpu_count()} processes), peak RSS of the whole process tree {peak_mb:.0f} MB")
    print(f"by verdict: {summary['by_verdict']}")
    print(f"naive one-at-a-time loop, same {naive_rows} rows in one process: {naive:.0f} rows/s")
    print(f"ratio campaign / naive: {rate / naive:.2f}x")
    print(f"targets: <= 60 s -> {'OK' if elapsed <= 60 else 'MISSED'}; "
          f"peak RSS <= 2048 MB -> {'OK' if peak_mb <= 2048 else 'MISSED'}")


if __name__ == "__main__":
    main()
