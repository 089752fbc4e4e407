"""What the HTTP simulators of public registries share: JSON answers, a per-client rate limit, a request counter,
and running one in a child process for tests."""
import http.server
import json
import math
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

STATS_PATH = "/_simulator/stats"


class SlidingWindow:
    """At most `limit` requests per client in any `window` seconds; a limit of 0 admits everything."""

    def __init__(self, limit: int, window: float):
        self.limit = limit
        self.window = window
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def wait_before(self, client: str) -> float:
        """0 when the request is admitted (and counted), else the seconds until it would be."""
        if self.limit <= 0:
            return 0.0
        now = time.monotonic()
        with self._lock:
            seen = self._seen.setdefault(client, deque())
            while seen and seen[0] <= now - self.window:
                seen.popleft()
            if len(seen) < self.limit:
                seen.append(now)
                return 0.0
            return seen[0] + self.window - now


class Counter:
    """What the tests read at STATS_PATH: how many API requests arrived, and how many were throttled."""

    def __init__(self):
        self.requests = 0
        self.throttled = 0
        self._lock = threading.Lock()

    def count(self, throttled: bool = False) -> None:
        with self._lock:
            self.requests += 1
            self.throttled += throttled

    def as_dict(self) -> dict[str, int]:
        with self._lock:
            return {"requests": self.requests, "throttled": self.throttled}


class JsonHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def answer_json(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *_):
        pass


def retry_after(seconds: float) -> str:
    """Retry-After takes whole seconds: round up, so that a client honouring it is admitted."""
    return str(max(1, math.ceil(seconds)))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def child_server(module: str, args: list[str], port: int, timeout: float = 30,
                 health_port: int | None = None) -> Iterator[str]:
    """`python -m module --port port *args` in a child process: yields the URL of its HTTP side (on `health_port`
    when it has one besides `port`) once GET / answers 200 there."""
    url = f"http://127.0.0.1:{health_port or port}"
    # A file rather than a pipe: a long test run could fill a pipe nobody reads and stall the server.
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen([sys.executable, "-m", module, "--port", str(port), *args],
                                 stdout=subprocess.DEVNULL, stderr=errors)
        try:
            deadline = time.monotonic() + timeout
            while not _answers(url + "/"):
                if child.poll() is not None:
                    errors.seek(0)
                    raise RuntimeError(f"{module} exited with code {child.returncode}: "
                                       f"{errors.read().decode(errors='replace')}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{module} does not answer at {url}/ after {timeout:.0f} s")
                time.sleep(0.05)
            yield url
        finally:
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def stats(url: str) -> dict[str, int]:
    """The request counter of a simulator running at `url`."""
    return httpx.get(url.rstrip("/") + STATS_PATH, timeout=5).json()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
