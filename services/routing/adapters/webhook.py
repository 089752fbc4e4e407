"""Delivering to a firm's webhook subscription: a signed JSON POST."""
import time
from collections.abc import Callable

import requests

from jefacture.webhook_signature import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, sign

from ..domain.deliveries import Delivery, Outcome
from ..domain.subscriptions import Subscription
from ..domain.webhooks import GONE, outcome_of_response

ATTEMPT_HEADER = "Jefacture-Attempt"
USER_AGENT = "jefacture-webhooks/1"
RESPONSE_BYTES_READ = 1024


class WebhookSender:
    def __init__(self, subscription_of: Callable[[str], Subscription | None],
                 disable: Callable[[str, str], None], timeout: float, clock: Callable[[], object]):
        self.subscription_of = subscription_of
        self.disable = disable
        self.timeout = timeout
        self.clock = clock

    def send(self, delivery: Delivery, attempt: int) -> Outcome:
        subscription = self.subscription_of(delivery.target)
        if subscription is None:
            return Outcome.refused(f"webhook subscription {delivery.target} was deleted")
        if not subscription.enabled:
            return Outcome.refused(f"webhook subscription {delivery.target} is disabled")
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
