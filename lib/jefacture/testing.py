"""Test support on real infrastructure: a private vhost and database prefix, event capture, polling."""
import os
import random
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import kombu
import pymongo

from jefacture.messaging import event_exchange
from jefacture.platform import REPO, Platform, addresses


def create_vhost(name: str) -> None:
    subprocess.run(["bash", str(REPO / "scripts" / "infra.sh"), "vhost", name], check=True, capture_output=True)


def drop_vhost(name: str) -> None:
    """In the background: nothing waits on the cleanup."""
    subprocess.Popen(["bash", str(REPO / "scripts" / "infra.sh"), "drop-vhost", name],
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _bindable(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _port(value: str) -> int:
    """The port of "host:port", of a URL, or the port itself."""
    if value.isdigit():
        return int(value)
    return urlsplit(value).port if "://" in value else int(value.rsplit(":", 1)[1])


# Shifted by these, the HTTP ports land below Linux's ephemeral range (32768-60999) and the gRPC ones above it, so
# that no outgoing connection takes one as its local port between the check and the bind.
PORT_BASES = range(11000, 15400, 100)


def platform_ports(base: int) -> list[int]:
    return [_port(value) for key, value in addresses(base).items()
            if key.endswith(("_ADDRESS", "_GRPC", "_URL", "_ISSUER", "_PORT"))]


def free_port_base() -> int:
    """A shift for `platform.addresses` under which every port is free now, so that runs at once do not meet."""
    for base in random.sample(PORT_BASES, 30):
        if all(_bindable(port) for port in platform_ports(base)):
            return base
    raise RuntimeError("no free set of ports for a test platform")


def unique_name(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def wait_for(condition: Callable[[], object], timeout: float = 20, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class EventCapture:
    """A private queue bound to some producers' event exchanges; collects what they publish."""

    def __init__(self, amqp_uri: str, bindings: list[tuple[str, str]]):
        self.connection = kombu.Connection(amqp_uri)
        channel = self.connection.channel()
        self.queue = kombu.Queue(f"capture-{uuid.uuid4().hex[:8]}", exclusive=True, auto_delete=True)
        self.queue = self.queue.bind(channel)
        self.queue.declare()
        for producer, routing_key in bindings:
            exchange = event_exchange(producer).bind(channel)
            exchange.declare()
            self.queue.bind_to(exchange, routing_key)
        self.events: list[dict] = []

    def drain(self) -> list[dict]:
        while (message := self.queue.get(no_ack=True)) is not None:
            self.events.append(message.decode())
        return self.events

    def wait_for(self, predicate: Callable[[dict], bool], count: int = 1, timeout: float = 20) -> list[dict]:
        return wait_for(lambda: (found := [e for e in self.drain() if predicate(e)]) and len(found) >= count
                        and found, timeout, what=f"{count} matching event(s)")

    def close(self) -> None:
        self.connection.release()


class WebhookReceiver:
    """A real HTTP server on loopback that records what it is sent; it can fail the first N requests."""

    def __init__(self, fail_first: int = 0):
        import http.server
        import threading

        self.received: list[tuple[dict, bytes]] = []
        self.fail_first = fail_first
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if receiver.fail_first > 0:
                    receiver.fail_first -= 1
                    self.send_response(503)
                else:
                    receiver.received.append((dict(self.headers), body))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/jefacture"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def drop_databases(mongo_uri: str, prefix: str) -> None:
    """Drops every database a test platform made (their names start with its MONGO_DB_PREFIX)."""
    client = pymongo.MongoClient(mongo_uri)
    for name in client.list_database_names():
        if name.startswith(prefix):
            client.drop_database(name)
    client.close()


@contextmanager
def private_platform(var_dir: Path, processes: list[str] | None = None, **env: str) -> Iterator[Platform]:
    """A platform of its own (vhost, database prefix, ports) running `processes` (all when None); stopped and
    cleaned up afterwards. `env` adds or overrides settings."""
    amqp_base = os.environ.get("AMQP_URI", "pyamqp://guest:guest@127.0.0.1:5672/")
    mongo_uri = os.environ.get("MONGO_URI", "mongodb://127.0.0.1:27017/")
    vhost = unique_name("jf-test-")
    create_vhost(vhost)
    settings = {**addresses(base=free_port_base()), "AMQP_URI": amqp_base.rstrip("/") + "/" + vhost,
                "MONGO_URI": mongo_uri, "MONGO_DB_PREFIX": unique_name("t") + "_", "SIRENE_RATE_LIMIT": "0", **env}
    platform = Platform(settings, var_dir)
    try:
        platform.start(processes)
        yield platform
    finally:
        platform.stop()
        drop_databases(mongo_uri, settings["MONGO_DB_PREFIX"])
        drop_vhost(vhost)
