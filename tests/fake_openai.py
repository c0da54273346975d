"""An OpenAI-compatible server that misbehaves on purpose: drip-feeds, hangs, or answers a fixed reply."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DRIP_LIMIT = 300  # chunks a drip-feeding server sends at most (one every 0.1 s: 30 s)


class MisbehavingOpenAI:
    """`mode`: drip (one SSE chunk every 0.1 s until the client leaves), hang (answers nothing for
    `hold_s` seconds or until released), or reply (answers `reply` at once, streamed or not)."""

    def __init__(self, mode: str, reply: str = "", *, hold_s: float = 30.0):
        self.mode = mode
        self.reply = reply
        self.hold_s = hold_s
        self.asked = threading.Event()
        self.requests: list[dict] = []
        self.dripped = 0
        self.release = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append(body)
                fake.asked.set()
                if fake.mode == "hang":
                    fake.release.wait(fake.hold_s)
                    return
                self.send_response(200)
                if fake.mode == "drip" or body.get("stream"):
                    self.send_header("Content-Type", "text/event-stream")
                    self.end_headers()
                    pieces = (["存"] * DRIP_LIMIT) if fake.mode == "drip" else [fake.reply[i:i + 4] for i in range(0, len(fake.reply), 4)]
                    try:
                        for piece in pieces:
                            self._event({"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]})
                            if fake.mode == "drip":
                                fake.dripped += 1
                                if fake.release.wait(0.1):
                                    return
                        self._event({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
                        self.wfile.write(b"data: [DONE]\n\n")
                    except (BrokenPipeError, ConnectionResetError):
                        return
                    return
                payload = json.dumps({
                    "id": "c", "object": "chat.completion", "created": 0, "model": "fake",
                    "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": fake.reply}}],
                }, ensure_ascii=False).encode()
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _event(self, data: dict) -> None:
                event = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "fake", **data}
                self.wfile.write(f"data: {json.dumps(event, ensure_ascii=False)}\n\n".encode())
                self.wfile.flush()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> MisbehavingOpenAI:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
