"""Time to the first sentence through the gated stream, against the model's own, with an
OpenAI-compatible model: a local fake server (127.0.0.1) that answers after a fixed latency.

The fake answers as a grounded model would: its first sentence restates the first sentence of the
first chunk in the prompt's <knowledge> (with its [n]), so the gate passes it and the stream is the
LLM's own — a fixed reply would state numbers the retrieved chunks lack and be replaced by the
builtin answer, timing the fallback instead. Its first token comes after `--first-token-ms`; the
first sentence always takes 7 pieces (whatever its length), the rest one 4-character piece every
`--piece-ms`. The model's own time to its first sentence is measured by a plain client reading the
fake's stream until the first 。 (the baseline, same run; no <knowledge>: a fixed reply). Then
`rm-copilot serve` (RM_COPILOT_LLM_BACKEND=openai, pointed at the fake) answers
`POST /api/v1/chat/stream`, and the client times its first `delta` event. The difference is what
the copilot adds: retrieval and prompt before the call, gate and SSE after the sentence.
Target: ≤ 50 ms added (median). The run also counts how many first deltas were the model's sentence.

Usage: .venv/bin/python benchmarks/llm_stream_bench.py --home DIR [--runs 8] [--first-token-ms 400]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import httpx  # noqa: E402

from chat_bench import ServerProcess  # noqa: E402

REPLY = "大额存单20万元起存，以1万元的整数倍递增[1]。提前支取的部分按活期利率计息，剩余部分不低于起存金额的可继续持有[1]。"
QUESTION = "大额存单的起存金额是多少？"
FIRST_SENTENCE_PIECES = 7
_KNOWLEDGE = re.compile(r"<knowledge>\s*(\[.*?\])\s*</knowledge>", re.S)
_SENTENCE = re.compile(r"[^。！？!?\n]{6,80}。")
_MARKERS = re.compile(r"\[\d+\]")


def reply_for(body: dict) -> str:
    """A grounded reply: the first chunk's first sentence with its number, then a plain closing one."""
    content = str(body["messages"][-1]["content"])
    found = _KNOWLEDGE.search(content)
    for chunk in json.loads(found.group(1)) if found else []:
        for sentence in _SENTENCE.findall(str(chunk.get("text", "")).split("\n", 1)[-1]):
            if "问：" not in sentence and "答：" not in sentence:
                return f"{sentence[:-1]}[{chunk['n']}]。具体以产品说明书和合同为准[{chunk['n']}]。"
    return REPLY


def pieces(reply: str) -> list[str]:
    first, rest = reply.split("。", 1)[0] + "。", reply.split("。", 1)[1]
    size = -(-len(first) // FIRST_SENTENCE_PIECES)
    return [first[i : i + size] for i in range(0, len(first), size)] + [rest[i : i + 4] for i in range(0, len(rest), 4)]


class FakeOpenAI:
    """Streams REPLY with a fixed first-token latency; records when each first sentence ended."""

    def __init__(self, first_token_s: float, piece_s: float):
        self.first_token_s, self.piece_s = first_token_s, piece_s
        self.first_sentence_s: list[float] = []
        self.first_sentences: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                try:
                    self._answer()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the reader stopped after the sentence it was waiting for

            def _answer(self):
                arrived = time.perf_counter()
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if not body.get("stream"):
                    payload = json.dumps({"id": "c", "object": "chat.completion", "created": 0, "model": "fake",
                                          "choices": [{"index": 0, "finish_reason": "stop",
                                                       "message": {"role": "assistant", "content": REPLY}}]},
                                         ensure_ascii=False).encode()
                    time.sleep(fake.first_token_s)
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                reply = reply_for(body)
                fake.first_sentences.append(reply.split("。", 1)[0] + "。")
                time.sleep(fake.first_token_s)
                sent = ""
                for piece in pieces(reply):
                    self._event({"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]})
                    sent += piece
                    if "。" in piece and sent.count("。") == 1:
                        fake.first_sentence_s.append(time.perf_counter() - arrived)
                    time.sleep(fake.piece_s)
                self._event({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
                self.close_connection = True

            def _event(self, data: dict) -> None:
                chunk = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "fake", **data}
                self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
                self.wfile.flush()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"


# One client per side, made before any timing: building an httpx.Client (its TLS context) costs
# 60–200 ms here, which a client made per request would count as server latency.
CLIENT = httpx.Client(timeout=60)


def model_first_sentence(base_url: str) -> float:
    """A plain streaming client: request → first 。 in the streamed text."""
    started = time.perf_counter()
    text = ""
    body = {"model": "fake", "stream": True, "messages": [{"role": "user", "content": QUESTION}]}
    with CLIENT.stream("POST", f"{base_url}/chat/completions", json=body) as response:
        for line in response.iter_lines():
            if line.startswith("data: {"):
                delta = json.loads(line[6:])["choices"][0]["delta"].get("content") or ""
                text += delta
                if "。" in text:
                    return time.perf_counter() - started
    raise SystemExit("the fake never finished a sentence")


def distinct_questions() -> list[str]:
    """Deposit questions from the shipped eval set (the fake's answer is about deposits), each asked once,
    so no remembered query vector or retrieval makes a run faster than a new question would be."""
    path = ROOT / "knowledge_base" / "eval" / "questions.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return list(dict.fromkeys(r["question"] for r in rows if any(x.startswith(("DP", "faq/deposit")) for x in r["relevant"])))


def copilot_first_delta(base_url: str, token: str, question: str) -> tuple[float, str]:
    started = time.perf_counter()
    headers = {"Authorization": f"Bearer {token}"}
    with CLIENT.stream("POST", f"{base_url}/api/v1/chat/stream", json={"message": question}, headers=headers) as response:
        if response.status_code != 200:
            raise SystemExit(f"/api/v1/chat/stream → {response.status_code}")
        event = None
        for line in response.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event == "delta":
                return time.perf_counter() - started, line[5:].strip()
            elif line.startswith("data:") and event in ("done", "error"):
                raise SystemExit(f"stream ended with {event} before any delta: {line[:200]}")
    raise SystemExit("stream closed before any delta")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="a prepared RM_COPILOT_HOME (rm-copilot index)")
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--first-token-ms", type=float, default=400.0)
    parser.add_argument("--piece-ms", type=float, default=5.0)
    args = parser.parse_args()

    from rm_copilot.config import Settings
    from rm_copilot.services import Services

    fake = FakeOpenAI(args.first_token_ms / 1000, args.piece_ms / 1000)
    token = Services(Settings(home=args.home, environment="test")).customers.issue_token("A001")
    own = [model_first_sentence(fake.base_url) for _ in range(args.runs)]
    env = {"RM_COPILOT_LLM_BACKEND": "openai", "RM_COPILOT_LLM_BASE_URL": fake.base_url,
           "RM_COPILOT_LLM_MODEL": "fake", "RM_COPILOT_LLM_MAX_RETRIES": "0"}
    with ServerProcess(args.home, env) as server:
        base_url = f"http://127.0.0.1:{server.port}"
        questions = distinct_questions()
        if len(questions) < args.runs + 1:
            raise SystemExit(f"only {len(questions)} distinct deposit questions for {args.runs} runs")
        copilot_first_delta(base_url, token, questions[0])  # warm-up: first query, templates
        fake.first_sentence_s.clear()
        fake.first_sentences.clear()
        runs = [copilot_first_delta(base_url, token, q) for q in questions[1 : args.runs + 1]]
    served = [elapsed for elapsed, _ in runs]
    delivered = sum(_MARKERS.sub("", text).strip() == _MARKERS.sub("", sent).strip()
                    for (_, text), sent in zip(runs, fake.first_sentences, strict=False))
    model_median = statistics.median(own)
    served_median = statistics.median(served)
    inside = statistics.median(fake.first_sentence_s) if fake.first_sentence_s else float("nan")
    print(f"OpenAI-compatible fake: first token after {args.first_token_ms:.0f} ms, 4 characters per {args.piece_ms:.0f} ms; "
          f"{args.runs} runs; load average {os.getloadavg()[0]:.1f}")
    print(f"  model's own first sentence (plain client):   median {model_median * 1000:6.1f} ms")
    print(f"  model's first sentence as the fake saw it:    median {inside * 1000:6.1f} ms (inside the copilot's calls)")
    print(f"  first delta through /api/v1/chat/stream:     median {served_median * 1000:6.1f} ms "
          f"({delivered} of {len(runs)} first deltas were the model's own sentence, the rest its replacement)")
    added = (served_median - model_median) * 1000
    print(f"  added by the copilot: {added:.1f} ms (target ≤ 50 ms): {'met' if added <= 50 else 'NOT met'}")


if __name__ == "__main__":
    main()
