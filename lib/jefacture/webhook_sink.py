"""A stand-in for a firm's webhook endpoint (the demo's, and the tests'): checks each signature, processes each
delivery id once, and tells what it saw.

    POST <any path>   a webhook: 401 when no known secret signed it; 200 for a delivery id already processed
                      (counted as a duplicate, not processed again); 204 when processed
    POST /_sink/secrets {"secret": "whsec_…"}   adds a secret to accept (the platform shows it once, at creation)
    GET /             {"received": [delivery ids, in order, once each], "duplicates": [delivery ids sent again],
                       "bad_signatures": n, "events": [{"delivery_id", "type", "document_id"}]}

Run: python -m jefacture.webhook_sink --port 8099 [--secret S]… [--fail-first N] [--delay SECONDS]
"""
import argparse
import http.server
import json
import sys
import threading
import time
from datetime import datetime, timezone

from jefacture.simulators.kit import JsonHandler
from jefacture.webhook_signature import DELIVERY_HEADER, SIGNATURE_HEADER, verify

SECRETS_PATH = "/_sink/secrets"


class SinkState:
    """What the sink knows and saw; safe to share between the server's threads."""

    def __init__(self, secrets: list[str], fail_first: int = 0, fail_status: int = 503, delay: float = 0):
        self.secrets = list(secrets)
        self.fail_first = fail_first  # answer the next N webhooks with fail_status, without looking at them
        self.fail_status = fail_status
        self.delay = delay  # seconds before answering: a slow receiver
        self.open = threading.Event()  # cleared: webhooks wait, unanswered, until it is set again
        self.open.set()
        self.received: list[str] = []
        self.duplicates: list[str] = []
        self.bad_signatures = 0
        self.events: list[dict] = []
        self.bodies: list[dict] = []  # what was processed, for tests in the same process
        self.lock = threading.Lock()

    def add_secret(self, secret: str) -> None:
        with self.lock:
            if secret not in self.secrets:
                self.secrets.append(secret)

    def take(self, headers, body: bytes) -> int:
        """The status to answer a webhook with, after recording it."""
        with self.lock:
            if self.fail_first > 0:
                self.fail_first -= 1
                return self.fail_status
            if not verify(self.secrets, headers.get(SIGNATURE_HEADER, ""), body):
                self.bad_signatures += 1
                return 401
            delivery_id = headers.get(DELIVERY_HEADER, "")
            if delivery_id in self.received:
                self.duplicates.append(delivery_id)
                return 200
            self.received.append(delivery_id)
            event = json.loads(body or b"{}")
            self.bodies.append(event)
            self.events.append({"delivery_id": delivery_id, "type": event.get("type"),
                                "document_id": event.get("document_id")})
            return 204

    def counts(self) -> dict:
        with self.lock:
            return {"received": list(self.received), "duplicates": list(self.duplicates),
                    "bad_signatures": self.bad_signatures, "events": list(self.events)}


def handler_for(state: SinkState, echo: bool) -> type[JsonHandler]:
    class Handler(JsonHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.path == SECRETS_PATH:
                secret = json.loads(body or b"{}").get("secret", "")
                if not secret:
                    self.answer_json(422, {"error": 'send {"secret": "…"}'})
                    return
                state.add_secret(secret)
                self.answer_json(200, {"secrets": len(state.secrets)})
                return
            time.sleep(state.delay)
            state.open.wait()
            status = state.take(self.headers, body)
            if echo:
                print(json.dumps({"at": datetime.now(timezone.utc).isoformat(), "status": status,
                                  "delivery": self.headers.get(DELIVERY_HEADER),
                                  "body": body.decode(errors="replace")}), flush=True)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self):
            self.answer_json(200, state.counts())

    return Handler


class QuietServer(http.server.ThreadingHTTPServer):
    """A sender that went away mid-request (killed, timed out) is part of the game, not an error to print."""

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class WebhookSink:
    """The sink on a loopback port in this process (port 0: any free one); `url` is where to subscribe."""

    def __init__(self, secrets: list[str] = (), port: int = 0, fail_first: int = 0, fail_status: int = 503,
                 delay: float = 0, echo: bool = False):
        self.state = SinkState(list(secrets), fail_first, fail_status, delay)
        self.server = QuietServer(("127.0.0.1", port), handler_for(self.state, echo))
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/jefacture"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def add_secret(self, secret: str) -> None:
        self.state.add_secret(secret)

    def counts(self) -> dict:
        return self.state.counts()

    def hold(self) -> None:
        """Webhooks arriving from now on wait, unanswered, until `release`: a sender caught mid-attempt."""
        self.state.open.clear()

    def release(self) -> None:
        self.state.open.set()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", action="append", default=[], help="a secret to accept (repeatable)")
    parser.add_argument("--fail-first", type=int, default=0, help="answer 503 to the first N webhooks")
    parser.add_argument("--delay", type=float, default=0, help="seconds before each answer (a slow receiver)")
    args = parser.parse_args()
    sink = WebhookSink(args.secret, args.port, args.fail_first, delay=args.delay, echo=True)
    print(f"webhook sink listening at {sink.url}", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    sys.exit(main())
