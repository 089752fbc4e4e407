"""Per-request observability: a request id on every log line and response, counts and latency by route."""
import re
import time
import uuid

import structlog
from prometheus_client import Counter, Histogram

from jefacture.log import get_logger

REQUESTS = Counter("jefacture_http_requests_total", "HTTP requests answered by the gateway",
                   ["method", "route", "status"])
REQUEST_SECONDS = Histogram("jefacture_http_request_seconds", "Time spent answering an HTTP request",
                            ["method", "route", "status"])

REQUEST_ID_HEADER = "x-request-id"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def _request_id(scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == REQUEST_ID_HEADER.encode():
            candidate = value.decode("latin-1")
            if _SAFE_REQUEST_ID.match(candidate):
                return candidate
    return uuid.uuid4().hex


class RequestObservation:
    """ASGI middleware; the route label is the route's template, so ids in paths do not explode the metrics."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        status = 500

        async def send_with_id(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (REQUEST_ID_HEADER.encode(), request_id.encode())]
            await send(message)

        started = time.perf_counter()
        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                seconds = time.perf_counter() - started
                route = getattr(scope.get("route"), "path", "unmatched")
                REQUESTS.labels(scope["method"], route, str(status)).inc()
                REQUEST_SECONDS.labels(scope["method"], route, str(status)).observe(seconds)
                get_logger().info("request_handled", method=scope["method"], path=scope["path"], route=route,
                                  status=status, seconds=round(seconds, 4))
