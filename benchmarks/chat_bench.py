"""Latency of `POST /api/v1/chat` (builtin backend, real embedding model and index) at concurrency 1
and 4, against a naive baseline measured in the same run; and `serve` start → first answer.

Requests carry distinct questions (knowledge_base/eval/questions.jsonl), so no cache of a repeated
question flatters the figures; `--repeat` measures the old 8 repeated questions too. Each client
thread keeps one connection alive, as a browser does; `--fresh-connections` also measures a client
that opens a connection per request. `--threads 1,2` starts one server per e5 thread count
(RM_COPILOT_EMBEDDING_THREADS), to show what a team of spinning OpenMP threads per query costs
when four requests share two cores.

The server runs as `rm-copilot serve` in its own process. It shares one object graph (embedding model, BM25 index, compliance automaton,
catalogue, prompt templates) across requests. The naive baseline is what that replaces: every
request builds its graph afresh (rulebook compiled, catalogue parsed, Chroma reopened, BM25 index
rebuilt, Copilot created) and only the embedding model stays cached, as the process would keep it
anyway. Target: p95 ≤ 150 ms at concurrency 4 on a 2-core machine.

Usage: .venv/bin/python benchmarks/chat_bench.py [--requests 60] [--naive 6] [--home DIR]
       [--threads 1] [--workers 1,2] [--repeat] [--fresh-connections]
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

from rm_copilot.config import Settings  # noqa: E402
from rm_copilot.services import (
    Services,  # noqa: E402
    prepare,  # noqa: E402
)

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

    def __init__(self, home: Path, extra_env: dict[str, str] | None = None, workers: int = 1):
        self.port = free_port()
        env = {**os.environ, "RM_COPILOT_HOME": str(home), "RM_COPILOT_ENVIRONMENT": "test",
               "RM_COPILOT_LLM_BACKEND": "builtin", "RM_COPILOT_CHAT_RATE_LIMIT_PER_MINUTE": str(10**7),
               **(extra_env or {})}
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "rm-copilot"), "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", str(workers)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )

    def __enter__(self) -> ServerProcess:
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

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the server has used so far, its worker processes included (Linux /proc)."""
        ticks, pending = 0, [self.process.pid]
        while pending:
            pid = pending.pop()
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                ticks += int(fields[11]) + int(fields[12])
                pending += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
            except (OSError, ValueError, IndexError):
                continue
        return ticks / os.sysconf("SC_CLK_TCK")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()


def http_latencies(base_url: str, token: str, bodies: list[dict], concurrency: int, *,
                   fresh_connections: bool = False) -> list[float]:
    local = threading.local()
    headers = {"Authorization": f"Bearer {token}"}

    def one(body: dict) -> float:
        if fresh_connections:
            started = time.perf_counter()
            with httpx.Client(base_url=base_url, headers=headers, timeout=60) as client:
                response = client.post("/api/v1/chat", json=body)
            elapsed = time.perf_counter() - started
        else:
            if not hasattr(local, "client"):
                local.client = httpx.Client(base_url=base_url, headers=headers, timeout=60)
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
    parser.add_argument("--threads", default="1", help="e5 OpenMP threads per query, e.g. 1,2 (one server each)")
    parser.add_argument("--workers", default="1", help="server worker processes, e.g. 1,2 (one server each)")
    parser.add_argument("--repeat", action="store_true", help="also measure 8 repeated questions")
    parser.add_argument("--fresh-connections", action="store_true", help="also measure a connection per request")
    args = parser.parse_args()

    home = args.home or Path(tempfile.mkdtemp(prefix="rm-copilot-chat-bench-"))
    try:
        run(home, args)
    finally:
        if args.home is None:
            shutil.rmtree(home, ignore_errors=True)


def distinct_questions() -> list[str]:
    import json

    path = ROOT / "knowledge_base" / "eval" / "questions.jsonl"
    rows = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return list(dict.fromkeys(row["question"] for row in rows))


def make_bodies(questions: list[str], count: int, customer_ids: list[str], offset: int = 0) -> list[dict]:
    return [
        {"message": questions[(offset + i) % len(questions)],
         **({"customer_id": customer_ids[i % len(customer_ids)]} if i % 3 == 0 and customer_ids else {})}
        for i in range(count)
    ]


def run(home: Path, args: argparse.Namespace) -> None:
    settings = Settings(home=home, environment="test", llm_backend="builtin", chat_rate_limit_per_minute=10**7)
    services = Services(settings)
    started = time.perf_counter()
    print(prepare(services).describe(), f"（{time.perf_counter() - started:.1f} s）")
    token = services.customers.issue_token("A001")
    customer_ids = [c.id for c in services.customers.list(advisor_id="A001", limit=8)]
    questions = distinct_questions()
    # Distinct questions per measurement: warm-up, c=1, c=4 and fresh connections never share one.
    warm = make_bodies(questions, 8, customer_ids, offset=0)
    measured = {c: make_bodies(questions, args.requests, customer_ids, offset=8 + i * args.requests) for i, c in enumerate((1, 4))}
    fresh = make_bodies(questions, args.requests, customer_ids, offset=8 + 2 * args.requests)
    repeated = make_bodies(QUESTIONS, args.requests, customer_ids)
    services.copilot.chat("A001", QUESTIONS[0])  # the naive baseline keeps the embedding model loaded

    results: dict[str, list[float]] = {}
    server_cpu: dict[str, float] = {}  # server CPU seconds per request: load on the machine inflates wall time, less so this
    first_answer: dict[str, float] = {}
    first_answer_cpu: dict[str, float] = {}
    configurations = [(int(t), int(w)) for t in args.threads.split(",") if t.strip()
                      for w in args.workers.split(",") if w.strip()]
    for threads, workers in configurations:
        with ServerProcess(home, {"RM_COPILOT_EMBEDDING_THREADS": str(threads)}, workers=workers) as server:
            base_url = f"http://127.0.0.1:{server.port}"
            name = f"e5 threads {threads}, workers {workers}"
            http_latencies(base_url, token, warm[:1], 1)
            first_answer[name] = time.perf_counter() - server.started
            first_answer_cpu[name] = server.cpu_seconds()
            http_latencies(base_url, token, warm[1:], 4)  # warm-up on four connections: every worker answers once
            for concurrency, bodies in measured.items():
                label = f"{name}, distinct questions, keep-alive, concurrency {concurrency}"
                before = server.cpu_seconds()
                results[label] = http_latencies(base_url, token, bodies, concurrency)
                server_cpu[label] = (server.cpu_seconds() - before) / len(bodies)
            if args.fresh_connections:
                results[f"{name}, distinct questions, new connection per request, concurrency 4"] = \
                    http_latencies(base_url, token, fresh, 4, fresh_connections=True)
            if args.repeat:
                results[f"{name}, 8 repeated questions, keep-alive, concurrency 4"] = \
                    http_latencies(base_url, token, repeated, 4)
    naive = naive_latencies(settings, measured[1][: args.naive])

    print(f"\nPOST /api/v1/chat, builtin backend, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    for label, latencies in results.items():
        cpu = f"   server CPU {server_cpu[label] * 1000:5.1f} ms/request" if label in server_cpu else ""
        print(f"  {label}:  {summary(latencies)}{cpu}")
    print(f"  naive (graph rebuilt per request), concurrency 1:  {summary(naive)}")
    for name, seconds in first_answer.items():
        print(f"  serve start → first answer (prepared home, {name}): {seconds:.1f} s "
              f"({first_answer_cpu[name]:.1f} s of server CPU)")
    first_key = next(iter(results))
    ratio = percentile(naive, 0.5) / percentile(results[first_key], 0.5)
    print(f"\n  naive p50 / served p50 at concurrency 1: {ratio:.1f}×")
    for label, latencies in results.items():
        if label.endswith("keep-alive, concurrency 4") and "distinct" in label:
            p95 = percentile(latencies, 0.95) * 1000
            print(f"  p95 ({label}): {p95:.1f} ms (target ≤ 150 ms): {'met' if p95 <= 150 else 'NOT met'}")


if __name__ == "__main__":
    main()
