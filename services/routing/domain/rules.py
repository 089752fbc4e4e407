"""Where an invoice event goes: the rules of the sorting station, and the idempotency key of each delivery."""
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from .subscriptions import Subscription

ACCEPTED, REJECTED, PAID = "invoice.accepted", "invoice.rejected", "invoice.paid"
EVENT_TYPES = (ACCEPTED, REJECTED, PAID)
# The platform event each webhook event type stands for.
EVENT_OF_MESSAGE = {"InvoiceValidated": ACCEPTED, "InvoiceRejected": REJECTED, "InvoicePaid": PAID}

WEBHOOK, CHORUS_PRO, CUSTOMER_EMAIL = "firm-webhook", "chorus-pro", "customer-email"
SALE = "sale"


@dataclass(frozen=True)
class Destination:
    kind: str
    target: str = ""  # the subscription id of a webhook, the address of an e-mail

    @property
    def name(self) -> str:
        """As InvoiceRouted and DeliveryFailed name it: "firm-webhook:<subscription>", "chorus-pro", …"""
        return f"{WEBHOOK}:{self.target}" if self.kind == WEBHOOK else self.kind


@dataclass(frozen=True)
class RoutedEvent:
    """What the rules look at: the event, the invoice's direction and its customer."""
    event: str
    direction: str  # purchase, sale
    customer_email: str = ""
    customer_siren: str = ""


def asks_chorus_pro(routed: RoutedEvent) -> bool:
    """Whether the customer must be looked up among Chorus Pro's public structures (only it can say)."""
    return routed.event == ACCEPTED and routed.direction == SALE and bool(routed.customer_siren)


def destinations(routed: RoutedEvent, subscriptions: Iterable[Subscription], public_buyer: bool) -> list[Destination]:
    """Every destination of the event: the firm's subscriptions that want it; for an accepted sales invoice, Chorus Pro
    when the buyer is a public structure, and the customer when their e-mail address is known."""
    chosen = [Destination(WEBHOOK, subscription.id) for subscription in subscriptions
              if subscription.wants(routed.event)]
    if routed.event == ACCEPTED and routed.direction == SALE:
        if public_buyer:
            chosen.append(Destination(CHORUS_PRO))
        if routed.customer_email:
            chosen.append(Destination(CUSTOMER_EMAIL, routed.customer_email))
    return chosen


def delivery_id(document_id: str, event: str, destination: Destination) -> str:
    """The idempotency key: one delivery per document, event and destination, whoever plans it and however often.
    Short and plain so that it fits a header, a Message-ID and a file name."""
    digest = hashlib.sha256(f"{document_id}\n{event}\n{destination.name}".encode()).hexdigest()
    return f"dlv_{digest[:24]}"
