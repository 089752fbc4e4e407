"""routing's use cases: take in the events to route, plan their deliveries, deliver what is due (once per
destination, whatever crashes), and the firm's subscriptions and deliveries for the API."""
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from google.protobuf.json_format import MessageToDict

from jefacture import metrics
from jefacture.dossier_profiles import DossierUnknown
from jefacture.envelope import new_envelope, payload_of, to_wire
from jefacture.events.v1 import invoice_pb2 as ev
from jefacture.events.v1.envelope_pb2 import Envelope
from jefacture.log import get_logger

from .domain import subscriptions as subs
from .domain.deliveries import (
    FOLLOW,
    RECOVER,
    REPLAY,
    REPLAYABLE,
    SEND,
    STATUSES,
    Delivery,
    Outcome,
    after_attempt,
    replayed,
)
from .domain.retry import RetryPolicy
from .domain.rules import (
    ACCEPTED,
    CHORUS_PRO,
    EVENT_OF_MESSAGE,
    EVENT_TYPES,
    PAID,
    WEBHOOK,
    Destination,
    RoutedEvent,
    asks_chorus_pro,
    delivery_id,
    destinations,
)
from .domain.webhooks import webhook_body

PRODUCER = "routing"
MAX_SUBSCRIPTIONS_PER_FIRM = 20
MAX_LISTED_DELIVERIES = 500
PLAN_RETRY = RetryPolicy(base=timedelta(seconds=2), cap=timedelta(minutes=10), give_up_after=timedelta.max)


class NotFound(LookupError):
    """No such subscription or delivery for this firm (exactly as if it did not exist)."""


class NotReplayable(ValueError):
    """The delivery is on its way already; it can be replayed once delivered, failed or dead."""


class Sender(Protocol):
    """Delivers to one kind of destination; never raises for a destination's refusal or absence: it says so."""

    def send(self, delivery: Delivery, attempt: int) -> Outcome: ...

    def follow(self, delivery: Delivery) -> Outcome:
        """What became of a delivery the destination is still processing (its `progress.reference`)."""

    def recover(self, delivery: Delivery, attempt: int) -> Outcome | None:
        """What became of send attempt `attempt`, interrupted before its outcome was recorded; None when the
        destination cannot be asked (the delivery is then sent again with the same id)."""


@dataclass
class Context:
    store: object
    profiles: object  # DossierProfiles: profile(dossier_id)
    senders: dict[str, Sender]
    # The SIRET of the Chorus Pro public structure of a customer SIREN, or None; itself None without Chorus Pro.
    public_buyer: Callable[[str], str | None] | None
    policy: RetryPolicy
    lease: timedelta
    clock: Callable[[], datetime]
    run: Callable[[Callable, Iterable], Iterable] = map  # how due deliveries are worked through (a green pool)
    webhooks_to_this_machine: bool = False  # development: webhook receivers on localhost


# ---- events in

def record_event(envelope: Envelope, *, ctx: Context) -> None:
    """Keep the event to route (once per document and event type); its deliveries are planned right after."""
    payload = payload_of(envelope)
    reference = payload.invoice
    event = EVENT_OF_MESSAGE[envelope.type]
    summary = _as_dict(payload.summary) if isinstance(payload, (ev.InvoiceValidated, ev.InvoiceRejected)) else {}
    ctx.store.record_event({
        "id": f"{reference.document_id}:{event}", "document_id": reference.document_id,
        "dossier_id": reference.dossier_id, "direction": ev.Direction.Name(reference.direction).lower(),
        "event": event, "occurred_at": envelope.occurred_at.ToJsonString(), "summary": summary,
        "extra": _extra(payload)}, ctx.clock())


def _as_dict(message) -> dict:
    return MessageToDict(message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True)


def _extra(payload) -> dict:
    """What the webhook body carries besides the invoice, by event."""
    if isinstance(payload, ev.InvoiceRejected):
        return {"reasons": list(payload.reasons), "cdar_code": payload.cdar_code}
    if isinstance(payload, ev.InvoicePaid):
        paid_at = payload.paid_at.ToJsonString() if payload.HasField("paid_at") else ""
        return {"payment": {"amount": payload.amount, "paid_at": paid_at, "reference": payload.reference}}
    return {}


# ---- planning

def plan_due(*, ctx: Context) -> int:
    """Plan the deliveries of every recorded event not planned yet; an event whose dossier or buyer cannot be
    looked up now is tried again later. Returns how many events were planned."""
    planned = 0
    for record in ctx.store.events_to_plan(ctx.clock()):
        try:
            plan_event(record, ctx)
            planned += 1
        except DossierUnknown as error:
            get_logger().error("routing_dossier_unknown", document_id=record.document_id, error=str(error))
            ctx.store.mark_planned(record.id, note=str(error))
        except Exception as error:
            tries = record.plan_tries + 1
            get_logger().warning("routing_plan_postponed", document_id=record.document_id, event_type=record.event,
                                 tries=tries, error=f"{type(error).__name__}: {error}")
            ctx.store.postpone_plan(record.id, tries, f"{type(error).__name__}: {error}",
                                    ctx.clock() + PLAN_RETRY.delay(tries))
    return planned


def plan_event(record, ctx: Context) -> list[Delivery]:
    profile = ctx.profiles.profile(record.dossier_id)
    summary = record.summary or _summary_at_acceptance(record, ctx)
    routed = RoutedEvent(record.event, record.direction, summary.get("customer_email", ""),
                         summary.get("customer_siren", ""))
    buyer_siret = ctx.public_buyer(routed.customer_siren) \
        if asks_chorus_pro(routed) and ctx.public_buyer is not None else None
    planned = []
    for destination in destinations(routed, ctx.store.subscriptions_of(profile.firm_id), bool(buyer_siret)):
        key = delivery_id(record.document_id, record.event, destination)
        delivery = Delivery(id=key, firm_id=profile.firm_id, document_id=record.document_id,
                            dossier_id=record.dossier_id, direction=record.direction, event=record.event,
                            destination=destination.name, kind=destination.kind, target=destination.target,
                            payload=_payload(destination, key, record, summary, profile, buyer_siret))
        ctx.store.plan(delivery, ctx.clock())
        planned.append(delivery)
    ctx.store.mark_planned(record.id)
    get_logger().info("routing_planned", document_id=record.document_id, event_type=record.event,
                      destinations=[delivery.destination for delivery in planned])
    return planned


def _summary_at_acceptance(record, ctx: Context) -> dict:
    """A payment carries no summary: the invoice's, as it was accepted, when routing saw that."""
    if record.event != PAID:
        return {}
    accepted = ctx.store.event(f"{record.document_id}:{ACCEPTED}")
    return accepted.summary if accepted else {}


def _payload(destination: Destination, key: str, record, summary: dict, profile, buyer_siret: str | None) -> dict:
    if destination.kind == WEBHOOK:
        return {"body": webhook_body(delivery_id=key, event=record.event, occurred_at=record.occurred_at,
                                     dossier_id=record.dossier_id, document_id=record.document_id,
                                     direction=record.direction, invoice=summary, extra=record.extra)}
    if destination.kind == CHORUS_PRO:
        return {"summary": summary, "buyer_siret": buyer_siret}
    return {"summary": summary, "dossier_name": profile.name, "reply_to": profile.email,
            "settings": _as_dict(profile.settings)}


# ---- delivering

def deliver_due(*, ctx: Context, limit: int = 100) -> int:
    """Work through every due delivery (each at most once at a time, whichever process asks). Returns how many
    attempts ended."""
    due = ctx.store.due(ctx.clock(), limit)
    return sum(ctx.run(lambda delivery: _deliver_safely(delivery, ctx), due))


def _deliver_safely(delivery: Delivery, ctx: Context) -> bool:
    try:
        return deliver(delivery, ctx)
    except Exception as error:  # a store failure: the lease expires and the attempt is recovered
        get_logger().error("routing_delivery_crashed", delivery_id=delivery.id, exc_info=error)
        return False


def deliver(delivery: Delivery, ctx: Context) -> bool:
    """Take the delivery's next attempt (an insert: one taker) and run it; or bring the delivery up to date with
    an attempt that ended without it; or recover an attempt whose holder stopped (its lease expired)."""
    number, now = delivery.step + 1, ctx.clock()
    kind = FOLLOW if delivery.progress.reference else SEND
    if ctx.store.begin(delivery, number, kind, now, now + ctx.lease):
        outcome = _run(kind, delivery, number, ctx)
        _conclude(delivery, number, outcome, sent=int(kind == SEND), attempts=delivery.attempts + (kind == SEND),
                  ctx=ctx)
        return True
    existing = ctx.store.attempt(delivery.id, number)
    if existing is None:
        return False
    if existing.finished_at:
        if existing.transition:  # its holder stopped before updating the delivery
            ctx.store.apply(delivery.id, dict(existing.transition), now)
        return False
    if existing.lease_until > now:
        return False
    return _recover(delivery, existing, ctx)


def _recover(delivery: Delivery, interrupted, ctx: Context) -> bool:
    number, now = interrupted.number + 1, ctx.clock()
    if not ctx.store.begin(delivery, number, RECOVER, now, now + ctx.lease):
        return False
    ctx.store.interrupted(delivery.id, interrupted.number, now,
                          "no outcome recorded: the attempt was interrupted and its lease expired")
    get_logger().warning("routing_attempt_interrupted", delivery_id=delivery.id, attempt=interrupted.number,
                         kind=interrupted.kind)
    attempts = delivery.attempts + (interrupted.kind == SEND)
    if interrupted.kind == FOLLOW:
        outcome, sent = _run(FOLLOW, delivery, number, ctx), 0
    else:
        outcome, sent = _attempt(lambda sender: sender.recover(delivery, interrupted.number), delivery, ctx), 0
        if outcome is None:
            outcome, sent = _run(SEND, delivery, number, ctx), 1
    _conclude(delivery, number, outcome, sent=sent, attempts=attempts + sent, ctx=ctx)
    return True


def _run(kind: str, delivery: Delivery, number: int, ctx: Context) -> Outcome:
    if kind == FOLLOW:
        return _attempt(lambda sender: sender.follow(delivery), delivery, ctx)
    return _attempt(lambda sender: sender.send(delivery, number), delivery, ctx)


def _attempt(call: Callable[[Sender], Outcome | None], delivery: Delivery, ctx: Context) -> Outcome | None:
    sender = ctx.senders.get(delivery.kind)
    if sender is None:
        return Outcome.retry(f"no sender for {delivery.kind} deliveries: is it configured?")
    try:
        return call(sender)
    except Exception as error:
        get_logger().error("routing_sender_failed", delivery_id=delivery.id, exc_info=error)
        return Outcome.retry(f"{type(error).__name__}: {error}")


def _conclude(delivery: Delivery, number: int, outcome: Outcome, *, sent: int, attempts: int, ctx: Context) -> None:
    now = ctx.clock()
    transition = after_attempt(outcome, delivery.progress, ctx.policy, now)
    outbox = []
    if transition.routed:
        outbox.append(invoice_routed(delivery, transition.detail))
    if transition.failure:
        outbox.append(delivery_failed(delivery, transition.failure, attempts))
    ctx.store.finish(delivery.id, number, now, result=outcome.result, response_code=outcome.response_code,
                     error=outcome.error, detail=outcome.detail, sent=sent, transition=transition,
                     attempts=attempts, outbox=outbox)
    get_logger().info("routing_attempt", delivery_id=delivery.id, document_id=delivery.document_id,
                      destination=delivery.destination, attempt=number, result=outcome.result,
                      response_code=outcome.response_code, error=outcome.error, status=transition.status)
    metrics.DELIVERY_ATTEMPTS.labels(delivery.destination.split(":")[0], outcome.result, transition.status).inc()


def _reference(delivery: Delivery) -> ev.InvoiceRef:
    return ev.InvoiceRef(document_id=delivery.document_id, dossier_id=delivery.dossier_id,
                         direction=ev.Direction.Value(delivery.direction.upper()))


def invoice_routed(delivery: Delivery, detail: str) -> dict:
    payload = ev.InvoiceRouted(invoice=_reference(delivery), destination=delivery.destination,
                               delivery_id=delivery.id, detail=detail)
    return to_wire(new_envelope(payload, correlation_id=delivery.document_id, producer=PRODUCER))


def delivery_failed(delivery: Delivery, reason: str, attempts: int) -> dict:
    payload = ev.DeliveryFailed(invoice=_reference(delivery), destination=delivery.destination,
                                delivery_id=delivery.id, reason=reason, attempts=attempts)
    return to_wire(new_envelope(payload, correlation_id=delivery.document_id, producer=PRODUCER))


# ---- the firm's API

def create_subscription(firm_id: str, url: str, events: list[str], *, ctx: Context) -> tuple[subs.Subscription, str]:
    """The new subscription and its secret (shown this once)."""
    if len(ctx.store.subscriptions_of(firm_id)) >= MAX_SUBSCRIPTIONS_PER_FIRM:
        raise subs.InvalidSubscription(f"a firm has at most {MAX_SUBSCRIPTIONS_PER_FIRM} webhook subscriptions")
    now = ctx.clock()
    subscription = subs.Subscription(id="whk_" + secrets.token_hex(12), firm_id=firm_id,
                                     url=subs.checked_url(url, ctx.webhooks_to_this_machine),
                                     events=subs.checked_events(events, EVENT_TYPES), enabled=True,
                                     secret=subs.new_secret(), created_at=now)
    ctx.store.add_subscription(subscription, now)
    return subscription, subscription.secret


def list_subscriptions(firm_id: str, *, ctx: Context) -> list[subs.Subscription]:
    return ctx.store.subscriptions_of(firm_id)


def _subscription(firm_id: str, subscription_id: str, ctx: Context) -> subs.Subscription:
    subscription = ctx.store.subscription(subscription_id, firm_id)
    if subscription is None:
        raise NotFound(f"the firm has no webhook subscription {subscription_id!r}")
    return subscription


def update_subscription(firm_id: str, subscription_id: str, *, url: str | None = None,
                        events: list[str] | None = None, enabled: bool | None = None,
                        ctx: Context) -> subs.Subscription:
    """Changes what is given; enabling again clears the reason it was disabled."""
    subscription = _subscription(firm_id, subscription_id, ctx)
    if url is not None:
        subscription = replace(subscription, url=subs.checked_url(url, ctx.webhooks_to_this_machine))
    if events is not None:
        subscription = replace(subscription, events=subs.checked_events(events, EVENT_TYPES))
    if enabled is not None:
        subscription = replace(subscription, enabled=enabled, disabled_reason="")
    ctx.store.save_subscription(subscription, ctx.clock())
    return subscription


def disable_subscription(store, subscription_id: str, reason: str, now: datetime) -> None:
    """The receiver asked for no more (410 Gone)."""
    subscription = store.subscription(subscription_id)
    if subscription is not None:
        store.save_subscription(replace(subscription, enabled=False, disabled_reason=reason), now)
        get_logger().warning("routing_subscription_disabled", subscription_id=subscription_id, reason=reason)


def delete_subscription(firm_id: str, subscription_id: str, *, ctx: Context) -> subs.Subscription:
    subscription = _subscription(firm_id, subscription_id, ctx)
    ctx.store.delete_subscription(subscription.id)
    return subscription


def rotate_secret(firm_id: str, subscription_id: str, overlap: timedelta, *,
                  ctx: Context) -> tuple[subs.Subscription, str]:
    """A new secret (shown this once) signs from now on; the former one signs too until the overlap ends."""
    now = ctx.clock()
    subscription = subs.rotated(_subscription(firm_id, subscription_id, ctx), subs.new_secret(), now, overlap)
    ctx.store.save_subscription(subscription, now)
    return subscription, subscription.secret


def list_deliveries(firm_id: str, *, document_id: str = "", status: str = "", limit: int = 100,
                    ctx: Context) -> list[Delivery]:
    if status and status not in STATUSES:
        raise subs.InvalidSubscription(f"status {status!r} is not one of {', '.join(STATUSES)}")
    return ctx.store.deliveries(firm_id, document_id, status, min(max(limit, 1), MAX_LISTED_DELIVERIES))


def delivery_of(firm_id: str, delivery_id_: str, *, ctx: Context) -> Delivery:
    delivery = ctx.store.delivery(delivery_id_, firm_id)
    if delivery is None:
        raise NotFound(f"the firm has no delivery {delivery_id_!r}")
    return delivery


def replay_delivery(firm_id: str, delivery_id_: str, requested_by: str, *, ctx: Context) -> Delivery:
    """A new attempt, now, with a fresh retry window; logged as a replay attempt taken like any other (so that it
    cannot meet a worker's attempt)."""
    delivery = delivery_of(firm_id, delivery_id_, ctx=ctx)
    if delivery.status not in REPLAYABLE:
        raise NotReplayable(f"delivery {delivery.id} is {delivery.status}: it can be replayed once it is "
                            f"{', '.join(REPLAYABLE)}")
    number, now = delivery.step + 1, ctx.clock()
    if not ctx.store.begin(delivery, number, REPLAY, now, now + ctx.lease):
        raise NotReplayable(f"delivery {delivery.id} is being replayed or sent right now")
    transition = replayed(now)
    ctx.store.finish(delivery.id, number, now, result="replay", response_code=0, error="",
                     detail=f"replay requested by {requested_by or 'the firm'}", sent=0, transition=transition,
                     attempts=delivery.attempts, outbox=[])
    return ctx.store.delivery(delivery.id)

