"""A firm's webhooks: its subscriptions (where the platform posts accepted, rejected and paid invoices, signed), and
the deliveries of its invoices to every destination, with their log and a manual replay. Every endpoint asks identity
first whether the caller may manage the firm (firm.manage): 404 when the firm is not theirs to see, 403 without the
right. A firm sees and touches only its own subscriptions and deliveries."""
from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Query, Response
from google.protobuf.json_format import MessageToDict
from pydantic import BaseModel, Field

from ..access import BackendsDep, SignedIn
from ..adapters.backends import Backends
from ..adapters.identity import Caller
from ..schemas import Error

router = APIRouter(tags=["webhooks"])
MANAGE = "firm.manage"
EventType = Literal["invoice.accepted", "invoice.rejected", "invoice.paid"]
DeliveryStatus = Literal["pending", "sending", "delivered", "failed", "dead"]
ERRORS = {401: {"model": Error}, 403: {"model": Error}, 404: {"model": Error}, 422: {"model": Error},
          503: {"model": Error, "description": "A backend service is down"}}


class NewWebhook(BaseModel):
    url: str = Field(description="https://… (http only for localhost)", examples=["https://erp.cabinet.example/hooks"])
    events: list[EventType] = Field(default=[], description="The event types to receive; empty: all of them")


class WebhookChanges(BaseModel):
    url: str | None = None
    events: list[EventType] | None = Field(None, description="Empty: all event types")
    enabled: bool | None = Field(None, description="false: nothing is posted any more; true again: posted again "
                                                   "(also after the platform disabled it on a 410 Gone)")


class Rotation(BaseModel):
    overlap_hours: int | None = Field(None, ge=0, le=720, description="How long the former secret keeps signing "
                                                                      "too (default 24; 0: it stops at once)")


class Webhook(BaseModel):
    subscription_id: str
    firm_id: str
    url: str
    events: list[str]
    enabled: bool
    disabled_reason: str = Field(description="Why the platform disabled it (the receiver answered 410 Gone)")
    created_at: datetime | None = None
    previous_secret_expires_at: datetime | None = Field(
        None, description="During a rotation: the former secret signs too until then")


class WebhookWithSecret(Webhook):
    secret: str = Field(description="Shown this once: keep it to check the signatures")


class DeliveryAttempt(BaseModel):
    number: int
    kind: str = Field(description="send, follow (asking the destination what became of it), recover, replay")
    started_at: datetime | None = None
    finished_at: datetime | None = None
    result: str = Field(description="delivered, processing, retry, refused, interrupted, replay")
    response_code: int = Field(description="The HTTP status of the webhook or of Chorus Pro; 0 when none")
    error: str
    detail: str


class Delivery(BaseModel):
    delivery_id: str = Field(description="The idempotency key, the same on every attempt (header "
                                         "Jefacture-Delivery of a webhook)")
    firm_id: str
    document_id: str
    dossier_id: str
    direction: str
    event: str
    destination: str = Field(description='"firm-webhook:<subscription id>", "chorus-pro" or "customer-email"')
    status: DeliveryStatus
    attempts: int
    detail: str = Field(description="The last answer: HTTP status, Chorus Pro flow number, e-mail Message-ID")
    created_at: datetime | None = None
    next_attempt_at: datetime | None = None
    log: list[DeliveryAttempt]


def _as_dict(message) -> dict:
    return MessageToDict(message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True)


def _webhook(message) -> Webhook:
    return Webhook.model_validate(_as_dict(message))


def _with_secret(reply) -> WebhookWithSecret:
    return WebhookWithSecret.model_validate({**_as_dict(reply.subscription), "secret": reply.secret})


def _delivery(message) -> Delivery:
    return Delivery.model_validate(_as_dict(message))


def _manager(backends: Backends, caller: Caller, firm_id: str) -> str:
    """The caller's user id once identity says they manage the firm."""
    reply = backends.identity.call("Authorize", caller, access_token=caller.token, firm_id=firm_id,
                                   permission=MANAGE)
    return reply.user_id


@router.post("/firms/{firm_id}/webhooks", status_code=201, response_model=WebhookWithSecret, responses=ERRORS)
def create_webhook(firm_id: str, body: NewWebhook, backends: BackendsDep, caller: SignedIn) -> WebhookWithSecret:
    """A new subscription; its signing secret is in this answer only."""
    _manager(backends, caller, firm_id)
    return _with_secret(backends.routing.create_subscription(firm_id, body.url, list(body.events)))


@router.get("/firms/{firm_id}/webhooks", response_model=list[Webhook], responses=ERRORS)
def list_webhooks(firm_id: str, backends: BackendsDep, caller: SignedIn) -> list[Webhook]:
    _manager(backends, caller, firm_id)
    return [_webhook(subscription) for subscription in backends.routing.subscriptions(firm_id)]


@router.patch("/firms/{firm_id}/webhooks/{subscription_id}", response_model=Webhook, responses=ERRORS)
def change_webhook(firm_id: str, subscription_id: str, body: WebhookChanges, backends: BackendsDep,
                   caller: SignedIn) -> Webhook:
    """Changes what the body gives: url, events, enabled."""
    _manager(backends, caller, firm_id)
    events = list(body.events) if body.events is not None else None
    return _webhook(backends.routing.update_subscription(firm_id, subscription_id, url=body.url, events=events,
                                                         enabled=body.enabled))


@router.delete("/firms/{firm_id}/webhooks/{subscription_id}", status_code=204, response_class=Response,
               responses=ERRORS)
def delete_webhook(firm_id: str, subscription_id: str, backends: BackendsDep, caller: SignedIn) -> Response:
    """Deliveries still pending for it fail (the subscription is gone)."""
    _manager(backends, caller, firm_id)
    backends.routing.delete_subscription(firm_id, subscription_id)
    return Response(status_code=204)


@router.post("/firms/{firm_id}/webhooks/{subscription_id}/rotate-secret", response_model=WebhookWithSecret,
             responses=ERRORS)
def rotate_secret(firm_id: str, subscription_id: str, backends: BackendsDep, caller: SignedIn,
                  body: Rotation | None = None) -> WebhookWithSecret:
    """A new secret, shown this once, signs from now on; the former one signs too during the overlap (both
    signatures are in the header), so that the receiver can switch without losing a delivery."""
    _manager(backends, caller, firm_id)
    overlap = body.overlap_hours if body else None
    return _with_secret(backends.routing.rotate_secret(firm_id, subscription_id, overlap))


@router.get("/firms/{firm_id}/deliveries", response_model=list[Delivery], responses=ERRORS)
def list_deliveries(firm_id: str, backends: BackendsDep, caller: SignedIn, document_id: str = "",
                    status: DeliveryStatus | None = None,
                    limit: int = Query(100, ge=1, le=500)) -> list[Delivery]:
    """The deliveries of the firm's invoices to every destination, newest first, each with its log of attempts."""
    _manager(backends, caller, firm_id)
    return [_delivery(delivery) for delivery in backends.routing.deliveries(firm_id, document_id, status or "", limit)]


@router.post("/firms/{firm_id}/deliveries/{delivery_id}/replay", response_model=Delivery,
             responses={**ERRORS, 409: {"model": Error, "description": "The delivery is still on its way"}})
def replay_delivery(firm_id: str, delivery_id: str, backends: BackendsDep, caller: SignedIn) -> Delivery:
    """A new attempt of a delivered, failed or dead delivery, now, with the same delivery id (a receiver that
    de-duplicates by it must forget it first to process it again)."""
    user_id = _manager(backends, caller, firm_id)
    return _delivery(backends.routing.replay(firm_id, delivery_id, user_id))
