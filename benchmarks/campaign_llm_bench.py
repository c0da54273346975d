"""Campaign throughput with an LLM backend: how close a campaign gets to what its LLM concurrency allows.

A local fake OpenAI-compatible server (127.0.0.1, its own process, as a real model server would
be) answers every chat completion after a fixed latency (default 0.5 s) with a short compliant
script, streamed or not. With `llm_max_concurrency` C (default 8) the ceiling is C / latency calls
per second (16/s with the defaults).

In the same run it measures:
- the bare client: C threads calling the fake through the same LangChain client, nothing else
  (what the client and the fake allow), and
- the campaign: `run_campaign` over generated customers with marketing consent, LLM backend,
  1 variant, timed from the first call the fake receives to the last answer (the calls/s while
  generating) and end to end.

It prints calls/s of both, the ratio to the ceiling (target >= 90 %), the most calls in flight and
the process CPU time per row (all threads: the per-row Python work that shares one GIL).
`--profile FILE.html` then makes 40 more customers' rows one after another in this thread under
pyinstrument, which shows what a row costs besides its call.

    .venv/bin/python benchmarks/campaign_llm_bench.py [--customers 240] [--latency 0.5] [--concurrency 8]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

PRODUCT = "DP003"
CLI = [sys.executable, "-c", "from rm_copilot.cli import main; main()"]
REPLY = ("您好，您近期的资金有合适的安排机会。这款存款产品期限灵活、流动性好，适合您稳健的资金规划。"
         "欢迎您抽空到网点或在手机银行了解详情。")


class FakeOpenAIServer:
    """Answers /v1/chat/completions after `latency` seconds; counts calls and the most in flight
    (GET /stats). Runs in its own process (`--fake-server`), so it takes no share of the campaign's GIL."""

    def __init__(self, latency: float):
        self.latency = latency
        self.calls = 0
        self.in_flight = 0
        self.most_in_flight = 0
        self.first_arrival: float | None = None
        self.last_answer: float | None = None
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                with fake._lock:
                    payload = json.dumps({"calls": fake.calls, "most_in_flight": fake.most_in_flight,
                                          "first_arrival": fake.first_arrival, "last_answer": fake.last_answer}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_POST(self):
                if self.path.endswith("/reset"):
                    fake.reset()
                    self.send_response(204)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake._arrived()
                try:
                    time.sleep(fake.latency)
                    if body.get("stream"):
                        self._stream()
                    else:
                        self._json()
                finally:
                    fake._answered()

            def _json(self):
                payload = json.dumps({
                    "id": "c", "object": "chat.completion", "created": 0, "model": "fake",
                    "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": REPLY}}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                }, ensure_ascii=False).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _stream(self):
                events = [{"choices": [{"index": 0, "delta": {"role": "assistant", "content": REPLY}, "finish_reason": None}]},
                          {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}]
                data = b"".join(
                    b"data: " + json.dumps({"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "fake",
                                            **event}, ensure_ascii=False).encode() + b"\n\n"
                    for event in events
                ) + b"data: [DONE]\n\n"
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def _arrived(self) -> None:
        with self._lock:
            self.calls += 1
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            if self.first_arrival is None:
                self.first_arrival = time.monotonic()

    def _answered(self) -> None:
        with self._lock:
            self.in_flight -= 1
            self.last_answer = time.monotonic()

    def reset(self) -> None:
        with self._lock:
            self.calls = self.most_in_flight = 0
            self.first_arrival = self.last_answer = None


class FakeOpenAI:
    """The fake server in a child process, seen from the benchmark."""

    def __init__(self, latency: float):
        self._process = subprocess.Popen([sys.executable, __file__, "--fake-server", "--latency", str(latency)],
                                         stdout=subprocess.PIPE, text=True)
        port = int(self._process.stdout.readline())
        self._base = f"http://127.0.0.1:{port}"
        self.url = f"{self._base}/v1"

    def reset(self) -> None:
        httpx.post(f"{self._base}/reset").raise_for_status()

    def stats(self) -> dict:
        return httpx.get(f"{self._base}/stats").json()

    def rate(self) -> tuple[float, int, int]:
        """(calls/s from the first call's arrival to the last answer, calls, most in flight)."""
        stats = self.stats()
        return stats["calls"] / (stats["last_answer"] - stats["first_arrival"]), stats["calls"], stats["most_in_flight"]

    def stop(self) -> None:
        self._process.terminate()
        self._process.wait(timeout=10)


def bare_client_rate(settings, fake: FakeOpenAI, calls: int) -> float:
    """C threads, each calling the model back to back: no rows, no gate, no store."""
    from langchain_core.messages import HumanMessage

    from rm_copilot.generation.backends import make_openai_model

    model = make_openai_model(base_url=settings.llm_base_url, model=settings.llm_model, api_key="x",
                              timeout=settings.llm_timeout, retries=0)
    fake.reset()
    with ThreadPoolExecutor(max_workers=settings.llm_max_concurrency) as pool:
        list(pool.map(lambda _: model.invoke([HumanMessage("hi")]), range(calls)))
    return fake.rate()[0]


def profile_rows(services, path: Path) -> None:
    from pyinstrument import Profiler

    from rm_copilot.campaigns.rows import build_batch
    from rm_copilot.campaigns.segment import parse_segment

    ids = list(services.customers.iter_ids())[-40:]
    spec = {"product_id": PRODUCT, "channel": "wecom", "variants": 1, "scenario": None}
    profiler = Profiler(interval=0.001)
    profiler.start()
    build_batch(services, ids, spec, segment=parse_segment("consent"))
    profiler.stop()
    path.write_text(profiler.output_html(), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=240, help="customers with consent in the campaign")
    parser.add_argument("--latency", type=float, default=0.5)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--profile", type=Path, help="write a pyinstrument HTML profile of the campaign here")
    parser.add_argument("--fake-server", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fake_server:
        server = FakeOpenAIServer(args.latency)
        print(server.port, flush=True)
        server.serve_forever()
        return
    ceiling = args.concurrency / args.latency
    fake = FakeOpenAI(args.latency)
    try:
        run(args, fake, ceiling)
    finally:
        fake.stop()


def run(args: argparse.Namespace, fake: FakeOpenAI, ceiling: float) -> None:
    with tempfile.TemporaryDirectory(prefix="campaign-llm-bench-") as tmp:
        home = Path(tmp) / "home"
        env = {**os.environ, "RM_COPILOT_HOME": str(home), "RM_COPILOT_DEMO_CUSTOMER_COUNT": "0"}
        # About two in three generated customers give marketing consent; generate enough of them.
        subprocess.run(CLI + ["customers", "generate", "--count", str(args.customers * 2), "--seed", "11"],
                       env=env, check=True, capture_output=True)
        os.environ["RM_COPILOT_HOME"] = str(home)

        from rm_copilot.campaigns.runner import CampaignSpec, run_campaign
        from rm_copilot.config import Settings
        from rm_copilot.services import Services

        settings = Settings(home=home, llm_backend="openai", llm_base_url=fake.url, llm_model="fake",
                            llm_max_concurrency=args.concurrency, llm_timeout=30.0)
        services = Services(settings)
        bare = bare_client_rate(settings, fake, calls=args.concurrency * 8)

        # Warm the graph (rulebook, meaning layer, catalog, store) so the timing is the campaign's own.
        warm = CampaignSpec(product_id=PRODUCT, segment="consent", limit=2)
        run_campaign(services, warm, Path(tmp) / "warm.jsonl")

        fake.reset()
        spec = CampaignSpec(product_id=PRODUCT, segment="consent", limit=args.customers)
        out = Path(tmp) / "campaign.jsonl"
        started, cpu = time.perf_counter(), time.process_time()
        summary = run_campaign(services, spec, out)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        generating, calls, most_in_flight = fake.rate()
        if args.profile:
            profile_rows(services, args.profile)

    print(f"fake LLM: {args.latency:.2f} s per call, concurrency {args.concurrency} -> ceiling {ceiling:.1f} calls/s")
    print(f"bare client, {args.concurrency} threads, no rows: {bare:.1f} calls/s = {bare / ceiling:.0%} of the ceiling")
    print(f"campaign: {summary['rows']} rows for {summary['customers']} customers, {calls} LLM calls "
          f"in {elapsed:.1f} s end to end; by verdict {summary['by_verdict']}; "
          f"process CPU {1000 * cpu / max(1, summary['rows']):.0f} ms per row")
    print(f"campaign while generating: {generating:.1f} calls/s = {generating / ceiling:.0%} of the ceiling "
          f"({generating / bare:.0%} of the bare client); most calls in flight {most_in_flight}")
    print(f"target >= 90 % of the ceiling -> {'OK' if generating / ceiling >= 0.9 else 'MISSED'}")
    if args.profile:
        print(f"profile: {args.profile}")


if __name__ == "__main__":
    main()
