"""Latency of `POST /api/v1/chat` (builtin backend, real embedding model and index) at concurrency 1
and 4, against a naive baseline measured in the same run.

The server runs as `rm-copilot serve` in its own process. It shares one object graph (embedding model, BM25 index, compliance automaton,
catalogue, prompt templates) across requests. The naive baseline is what that replaces: every
request builds its graph afresh (rulebook compiled, catalogue parsed, Chroma reopened, BM25 index
rebuilt, Copilot created) and only the embedding model stays cached, as the process would keep it
anyway. Target: p95 ≤ 150 ms at concurrency 4 on a 2-core machine.

Usage: .venv/bin/python benchmarks/chat_bench.py [--requests 60] [--naive 6] [--home DIR]
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import httpx  # noqa: E402

from rm_copilot.bootstrap import prepare  # noqa: E402
from rm_copilot.config import Settings  # noqa: E402
from rm_copilot.services import Services  # noqa: E402

QUESTIONS = [
    "星河天天利现金管理理财的起购金额是多少？",
    "大额存单可以提前支取吗？",
    "存款保险最高赔多少？",
    "理财产品的业绩比较基准是什么意思？",
    "基金定投怎么设置？",
    "信用卡免息期有多长？",
    "结构性存款有风险吗？",
    "重疾险的犹豫期是多久？",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def summary(latencies: list[float]) -> str:
    return (f"p50 {percentile(latencies, 0.5) * 1000:7.1f} ms   p95 {percentile(latencies, 0.95) * 1000:7.1f} ms   "
            f"mean {statistics.mean(latencies) * 1000:7.1f} ms   n={len(latencies)}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    """`rm-copilot serve` in its own process (its own GIL), as in production; the client threads live here."""

    def __init__(self, home: Path):
        self.port = free_port()
        env = {**os.environ, "RM_COPILOT_HOME": str(home), "RM_COPILOT_ENVIRONMENT": "test",
               "RM_COPILOT_LLM_BACKEND": "builtin", "RM_COPILOT_CHAT_RATE_LIMIT_PER_MINUTE": str(10**7)}
        self.process = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "rm-copilot"), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )

    def __enter__(self) -> "ServerProcess":
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit("rm-copilot serve exited before it was ready")
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise SystemExit("rm-copilot serve did not become ready")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()


def http_latencies(base_url: str, token: str, bodies: list[dict], concurrency: int) -> list[float]:
    local = threading.local()

    def one(body: dict) -> float:
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"},
                                        timeout=60)
        started = time.perf_counter()
        response = local.client.post("/api/v1/chat", json=body)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"POST /api/v1/chat → {response.status_code}: {response.text[:200]}")
        return elapsed

    with ThreadPoolExecutor(concurrency) as pool:
        return list(pool.map(one, bodies))


def naive_latencies(settings: Settings, bodies: list[dict]) -> list[float]:
    latencies = []
    for body in bodies:
        started = time.perf_counter()
        fresh = Services(settings)
        fresh.copilot.chat("A001", body["message"], customer_id=body.get("customer_id"))
        latencies.append(time.perf_counter() - started)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=60, help="requests per served measurement")
    parser.add_argument("--naive", type=int, default=6, help="requests for the naive baseline (slow)")
    parser.add_argument("--home", type=Path, default=None, help="reuse a prepared RM_COPILOT_HOME")
    args = parser.parse_args()

    home = args.home or Path(tempfile.mkdtemp(prefix="rm-copilot-chat-bench-"))
    try:
        run(home, args)
    finally:
        if args.home is None:
            shutil.rmtree(home, ignore_errors=True)


def run(home: Path, args: argparse.Namespace) -> None:
    settings = Settings(home=home, environment="test", llm_backend="builtin", chat_rate_limit_per_minute=10**7)
    services = Services(settings)
    started = time.perf_counter()
    print(prepare(services).describe(), f"（{time.perf_counter() - started:.1f} s）")
    token = services.customers.issue_token("A001")
    customer_ids = [c.id for c in services.customers.list(advisor_id="A001", limit=8)]
    bodies = [
        {"message": QUESTIONS[i % len(QUESTIONS)], **({"customer_id": customer_ids[i % len(customer_ids)]}
                                                      if i % 3 == 0 and customer_ids else {})}
        for i in range(args.requests)
    ]
    services.copilot.chat("A001", QUESTIONS[0])  # the naive baseline keeps the embedding model loaded

    with ServerProcess(home) as server:
        base_url = f"http://127.0.0.1:{server.port}"
        http_latencies(base_url, token, bodies[:16], 1)  # warm-up: embedding model, jieba, templates
        served = {c: http_latencies(base_url, token, bodies, c) for c in (1, 4)}
    naive = naive_latencies(settings, bodies[: args.naive])

    print(f"\nPOST /api/v1/chat, builtin backend, {os.cpu_count()} CPUs")
    for concurrency, latencies in served.items():
        print(f"  shared graph, concurrency {concurrency}:  {summary(latencies)}")
    print(f"  naive (graph rebuilt per request), concurrency 1:  {summary(naive)}")
    ratio = percentile(naive, 0.5) / percentile(served[1], 0.5)
    print(f"\n  naive p50 / served p50 at concurrency 1: {ratio:.1f}×")
    p95 = percentile(served[4], 0.95) * 1000
    print(f"  p95 at concurrency 4: {p95:.1f} ms (target ≤ 150 ms): {'met' if p95 <= 150 else 'NOT met'}")


if __name__ == "__main__":
    main()
