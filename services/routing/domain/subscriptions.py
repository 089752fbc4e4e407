"""A firm's webhook subscriptions: where to post, which events, and the secrets that sign them."""
import ipaddress
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from urllib.parse import urlsplit

SECRET_PREFIX = "whsec_"
LOOPBACK_NAMES = {"localhost"}
MAX_URL_LENGTH = 2000
MAX_OVERLAP = timedelta(days=30)


class InvalidSubscription(ValueError):
    """A subscription's field is wrong; the message names it."""


@dataclass(frozen=True)
class Subscription:
    id: str
    firm_id: str
    url: str
    events: tuple[str, ...]
    enabled: bool
    secret: str
    previous_secret: str = ""
    previous_secret_expires_at: datetime | None = None
    disabled_reason: str = ""
    created_at: datetime | None = None

    def wants(self, event: str) -> bool:
        return self.enabled and event in self.events

    def signing_secrets(self, now: datetime) -> list[str]:
        """The current secret, and the previous one during a rotation's overlap."""
        overlapping = self.previous_secret and self.previous_secret_expires_at and now < self.previous_secret_expires_at
        return [self.secret, self.previous_secret] if overlapping else [self.secret]


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def checked_url(url: str, this_machine_allowed: bool = False) -> str:
    """An https URL to a host that is not an address of a private network; http and this machine only when
    `this_machine_allowed` (development). Anything else is refused with the reason."""
    url = url.strip()
    if not url:
        raise InvalidSubscription("url is required: where the platform posts the webhooks (https://…)")
    if len(url) > MAX_URL_LENGTH:
        raise InvalidSubscription(f"url is longer than {MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises on an invalid port
    except ValueError as error:
        raise InvalidSubscription(f"url {url!r} is not a valid URL: {error}") from None
    if parts.scheme not in ("https", "http") or not host:
        raise InvalidSubscription(f"url {url!r} must be an absolute https:// URL")
    if parts.fragment:
        raise InvalidSubscription(f"url {url!r} must not have a #fragment")
    on_this_machine = _is_loopback(host)
    if on_this_machine and not this_machine_allowed:
        raise InvalidSubscription(f"url {url!r} points to the platform's own machine: webhooks go to the firm's "
                                  f"servers on the internet")
    if parts.scheme == "http" and not on_this_machine:
        raise InvalidSubscription(f"url {url!r} must use https (http is accepted only for localhost)")
    if not on_this_machine and _is_ip_address(host):
        reason = refused_address(host, [host], this_machine_allowed)
        if reason:
            raise InvalidSubscription(f"url {url!r}: {reason}")
    return url


def refused_address(host: str, addresses: list[str], this_machine_allowed: bool) -> str | None:
    """Why a webhook must not be posted to `host`, which resolves to `addresses`: only public addresses are reached
    (never a private network, the cloud's metadata service or the platform's own services), and this machine only
    when allowed; None when it may be posted."""
    for text in addresses:
        address = ipaddress.ip_address(text)
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if address.is_loopback and this_machine_allowed:
            continue
        if not address.is_global:
            return f"{host} is {address}, not a public address: webhooks only go to servers on the internet"
    return None


def _is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def checked_events(events: list[str] | tuple[str, ...], known: tuple[str, ...]) -> tuple[str, ...]:
    """The event types asked for, in the platform's order; none means all of them."""
    unknown = sorted(set(events) - set(known))
    if unknown:
        raise InvalidSubscription(f"events: unknown event type(s) {', '.join(unknown)}; "
                                  f"choose among {', '.join(known)}")
    return tuple(event for event in known if event in events) if events else known


def rotated(subscription: Subscription, secret: str, now: datetime, overlap: timedelta) -> Subscription:
    """The subscription signing with `secret` from now on, and with its former secret too until the overlap ends
    (an earlier previous secret stops signing at once)."""
    if overlap < timedelta(0) or overlap > MAX_OVERLAP:
        raise InvalidSubscription(f"overlap must be between 0 and {MAX_OVERLAP.days} days, not {overlap}")
    return replace(subscription, secret=secret, previous_secret=subscription.secret if overlap else "",
                   previous_secret_expires_at=now + overlap if overlap else None)
