"""Delivering to a firm's webhook subscription: a signed JSON POST."""
import socket
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import requests

from jefacture.webhook_signature import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, sign

from ..domain.deliveries import Delivery, Outcome
from ..domain.subscriptions import Subscription, refused_address
from ..domain.webhooks import GONE, outcome_of_response

ATTEMPT_HEADER = "Jefacture-Attempt"
USER_AGENT = "jefacture-webhooks/1"
RESPONSE_BYTES_READ = 1024


class WebhookSender:
    def __init__(self, subscription_of: Callable[[str], Subscription | None],
                 disable: Callable[[str, str], None], timeout: float, clock: Callable[[], object],
                 this_machine_allowed: bool = False, resolve: Callable[[str], list[str]] | None = None):
        self.subscription_of = subscription_of
        self.disable = disable
        self.timeout = timeout
        self.clock = clock
        self.this_machine_allowed = this_machine_allowed
        self.resolve = resolve or addresses_of

    def send(self, delivery: Delivery, attempt: int) -> Outcome:
        subscription = self.subscription_of(delivery.target)
        if subscription is None:
            return Outcome.refused(f"webhook subscription {delivery.target} was deleted")
        if not subscription.enabled:
            return Outcome.refused(f"webhook subscription {delivery.target} is disabled")
        host = urlsplit(subscription.url).hostname or ""
        try:
            refusal = refused_address(host, self.resolve(host), self.this_machine_allowed)
        except OSError as failure:
            return Outcome.retry(f"{host} cannot be resolved: {failure}")
        if refusal:
            return Outcome.refused(refusal)
        body = delivery.payload["body"].encode()
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, DELIVERY_HEADER: delivery.id,
                   EVENT_HEADER: delivery.event, ATTEMPT_HEADER: str(attempt),
                   SIGNATURE_HEADER: sign(subscription.signing_secrets(self.clock()), int(time.time()), body)}
        try:
            with requests.post(subscription.url, data=body, headers=headers, timeout=self.timeout,
                               allow_redirects=False, stream=True) as response:
                text = next(response.iter_content(RESPONSE_BYTES_READ), b"").decode(errors="replace")
        except requests.RequestException as failure:
            return Outcome.retry(f"{subscription.url} did not answer: {type(failure).__name__}: {failure}")
        outcome = outcome_of_response(response.status_code, text)
        if response.status_code == GONE:
            self.disable(subscription.id, outcome.error)
        return outcome

    def follow(self, delivery: Delivery) -> Outcome:
        return Outcome.delivered("a webhook has nothing to follow")

    def recover(self, delivery: Delivery, attempt: int) -> Outcome | None:
        """A receiver cannot be asked what it got: the delivery is sent again with the same id."""
        return None


def addresses_of(host: str) -> list[str]:
    """Every address `host` resolves to (checked before each post: a name may come to point elsewhere)."""
    return sorted({info[4][0].split("%")[0] for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)})
