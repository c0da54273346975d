"""`rm-copilot serve` as a real subprocess on a fresh home, for the contract, schemathesis and browser tests.

Readiness is polled on /healthz (bounded); tokens come from the CLI (`rm-copilot advisors token`),
once per advisor, because issuing a new token revokes the previous one.
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from rm_copilot.config import PROJECT_ROOT

BIN = Path(sys.executable).parent
READY_TIMEOUT_S = 900  # a fresh home embeds the whole knowledge base on 2 shared cores
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    def __init__(self, home: Path, *, extra_env: dict[str, str] | None = None):
        self.home = home
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "RM_COPILOT_HOME": str(home),
            "RM_COPILOT_ENVIRONMENT": "test",
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "ANONYMIZED_TELEMETRY": "False",
            **(extra_env or {}),
        }
        self.log_path = home.parent / f"{home.name}-serve.log"
        self._tokens: dict[str, str] = {}
        self._process: subprocess.Popen | None = None

    def start(self) -> LiveServer:
        log = self.log_path.open("wb")
        self._process = subprocess.Popen(
            [str(BIN / "rm-copilot"), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=PROJECT_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"rm-copilot serve exited with {self._process.returncode}:\n{self.output()}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.5)  # polling interval, not synchronisation: /healthz decides
        self.stop()
        raise RuntimeError(f"rm-copilot serve not ready after {READY_TIMEOUT_S}s:\n{self.output()}")

    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-4000:]

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(BIN / "rm-copilot"), *args], cwd=PROJECT_ROOT, env=self.env,
            capture_output=True, text=True, timeout=300,
        )

    def token(self, advisor_id: str) -> str:
        """A bearer token from `rm-copilot advisors token ID`, issued once per advisor per run."""
        if advisor_id not in self._tokens:
            result = self.cli("advisors", "token", advisor_id)
            found = _TOKEN.findall(result.stdout)
            if result.returncode != 0 or not found:
                raise RuntimeError(f"advisors token {advisor_id} failed: {result.stdout}{result.stderr}")
            self._tokens[advisor_id] = found[-1]
        return self._tokens[advisor_id]

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
