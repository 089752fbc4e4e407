"""What the clients of public registries (INSEE Sirene, BODACC) share: identifiers checked before any request, GET
that waits out throttling within a bounded time, and an in-memory cache in which misses live shorter."""
import email.utils
import itertools
import threading
import time
from collections.abc import Callable, Hashable
from datetime import datetime, timezone
from typing import Any, TypeVar

import httpx
from stdnum import exceptions as stdnum_errors
from stdnum.fr import siren, siret

from jefacture.log import get_logger

T = TypeVar("T")


class InvalidIdentifier(ValueError):
    """A SIREN or SIRET that cannot exist: refused before any request."""


class RegistryError(Exception):
    """A registry could not answer a lookup."""


class RegistryUnavailable(RegistryError):
    """Down, unreachable, or throttling for longer than the client waits: worth trying again later."""


class RegistryRefused(RegistryError):
    """The registry refused the request itself (a wrong API key, a query it rejects): trying again will not help."""


def checked_siren(value: str) -> str:
    """The 9 digits of a valid SIREN (spaces and dots allowed), else InvalidIdentifier naming the value."""
    try:
        return siren.validate(value)
    except stdnum_errors.ValidationError as error:
        raise InvalidIdentifier(f"SIREN {value!r} is invalid: {_reason(error)}") from None


def checked_siret(value: str) -> str:
    """The 14 digits of a valid SIRET (spaces and dots allowed), else InvalidIdentifier naming the value."""
    try:
        return siret.validate(value)
    except stdnum_errors.ValidationError as error:
        raise InvalidIdentifier(f"SIRET {value!r} is invalid: {_reason(error)}") from None


def _reason(error: stdnum_errors.ValidationError) -> str:
    message = str(error).rstrip(".")
    return message[:1].lower() + message[1:]


class TtlCache:
    """Answers kept for a time that depends on the answer; the oldest entries go first when full."""

    def __init__(self, max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic):
        self._entries: dict[Hashable, tuple[float, Any]] = {}
        self._max_entries = max_entries
        self._clock = clock
        self._lock = threading.Lock()

    def get_or_fetch(self, key: Hashable, fetch: Callable[[], T], ttl: Callable[[T], float]) -> T:
        """The cached answer for `key`, else `fetch()`'s, kept `ttl(answer)` seconds. Errors are not cached."""
        now = self._clock()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] > now:
                return entry[1]
        value = fetch()
        with self._lock:
            self._entries.pop(key, None)
            while len(self._entries) >= self._max_entries:
                self._entries.pop(next(iter(self._entries)))
            self._entries[key] = (self._clock() + ttl(value), value)
        return value


class RegistryHttp:
    """GET on one registry's API. Returns 2xx and 404 answers; waits out 429 (Retry-After, else exponential backoff)
    while the total wait stays within `max_wait`; raises `unavailable` for 5xx, network errors and throttling beyond
    that, `refused` for the other 4xx."""

    def __init__(self, registry: str, base_url: str, *, timeout: float, max_wait: float, backoff: float,
                 unavailable: type[RegistryUnavailable], refused: type[RegistryRefused],
                 headers: dict[str, str] | None = None, refused_hint: str = ""):
        if backoff <= 0 or max_wait < 0:
            raise ValueError(f"backoff must be positive and max_wait not negative, not {backoff} and {max_wait}")
        self.registry = registry
        self._http = httpx.Client(base_url=base_url, timeout=timeout, headers=headers or {})
        self._max_wait = max_wait
        self._backoff = backoff
        self._unavailable = unavailable
        self._refused = refused
        self._refused_hint = refused_hint
        self._log = get_logger().bind(registry=registry)

    def get(self, path: str, params: dict[str, str | int] | None = None) -> httpx.Response:
        waited = 0.0
        for attempt in itertools.count():
            response = self._send(path, params)
            if response.status_code != 429:
                return self._checked(response, path)
            delay = max(_retry_after(response), self._backoff * 2 ** attempt)
            if waited + delay > self._max_wait:
                break
            self._log.info("registry_throttled", path=path, retry_in_s=round(delay, 2), attempt=attempt + 1)
            time.sleep(delay)
            waited += delay
        raise self._unavailable(f"{self.registry} is throttling requests (HTTP 429) beyond the {self._max_wait:g} s "
                                f"this client waits (waited {waited:g} s for {path}); try again later")

    def json(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            raise self._unavailable(f"{self.registry} answered {response.request.url} with something that is not "
                                    f"JSON: {response.text[:200]!r}") from None

    def close(self) -> None:
        self._http.close()

    def _send(self, path: str, params: dict[str, str | int] | None) -> httpx.Response:
        try:
            return self._http.get(path, params=params)
        except httpx.HTTPError as error:
            raise self._unavailable(f"{self.registry} is unreachable at {self._http.base_url}: "
                                    f"{type(error).__name__}: {error}") from error

    def _checked(self, response: httpx.Response, path: str) -> httpx.Response:
        status = response.status_code
        if status < 400 or status == 404:
            return response
        detail = _detail(response)
        if status >= 500:
            raise self._unavailable(f"{self.registry} failed on {path} with HTTP {status}: {detail}")
        if status in (401, 403):
            hint = f"; {self._refused_hint}" if self._refused_hint else ""
            raise self._refused(f"{self.registry} refused access (HTTP {status}: {detail}){hint}")
        raise self._refused(f"{self.registry} rejected {path} with HTTP {status}: {detail}")


class RegistryClient:
    """What every registry client shares: its HTTP session, closed by `close()` or at the end of a `with`."""

    _http: RegistryHttp

    def close(self) -> None:
        self._http.close()

    def __enter__(self):
        return self

    def __exit__(self, *_) -> None:
        self.close()


def _retry_after(response: httpx.Response) -> float:
    """Retry-After in seconds, whether given as a number or as an HTTP date; 0 when absent or unreadable."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return 0.0
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 0.0
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _detail(response: httpx.Response) -> str:
    """The registry's own words: Sirene's header.message, the gateway's or OpenDataSoft's message, else the text."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or response.reason_phrase
    if isinstance(body, dict):
        header = body.get("header")
        if isinstance(header, dict) and header.get("message"):
            return str(header["message"])
        if body.get("message"):
            return str(body["message"])
    return response.text[:200]
