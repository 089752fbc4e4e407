"""routing's gRPC process: a firm's webhook subscriptions and the deliveries of its invoices, for the gateway."""
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from functools import wraps

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from jefacture import grpc_kit, mongo
from jefacture.api.v1 import routing_pb2 as pb
from jefacture.api.v1 import routing_pb2_grpc
from jefacture.log import get_logger
from jefacture.settings import load

from . import handlers
from .adapters.secret_box import SecretBox
from .adapters.store import MongoStore
from .domain.deliveries import Delivery
from .domain.retry import RetryPolicy
from .domain.subscriptions import InvalidSubscription, Subscription
from .settings import RoutingSettings


def _timestamp(value: datetime | None) -> Timestamp | None:
    if value is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(value)
    return stamp


def now_in_milliseconds() -> datetime:
    """What MongoDB keeps of a time: what a reply shows is what a later read shows."""
    now = datetime.now(timezone.utc)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def subscription_reply(subscription: Subscription) -> pb.WebhookSubscription:
    return pb.WebhookSubscription(
        subscription_id=subscription.id, firm_id=subscription.firm_id, url=subscription.url,
        events=list(subscription.events), enabled=subscription.enabled, disabled_reason=subscription.disabled_reason,
        created_at=_timestamp(subscription.created_at),
        previous_secret_expires_at=_timestamp(subscription.previous_secret_expires_at
                                              if subscription.previous_secret else None))


def delivery_reply(delivery: Delivery, log: list) -> pb.Delivery:
    waiting = delivery.status in ("pending", "sending")
    return pb.Delivery(
        delivery_id=delivery.id, firm_id=delivery.firm_id, document_id=delivery.document_id,
        dossier_id=delivery.dossier_id, direction=delivery.direction, event=delivery.event,
        destination=delivery.destination, status=delivery.status, attempts=delivery.attempts, detail=delivery.detail,
        created_at=_timestamp(delivery.created_at),
        next_attempt_at=_timestamp(delivery.next_attempt_at if waiting else None),
        log=[pb.DeliveryAttempt(number=entry.number, kind=entry.kind, started_at=_timestamp(entry.started_at),
                                finished_at=_timestamp(entry.finished_at), result=entry.result,
                                response_code=entry.response_code, error=entry.error, detail=entry.detail)
             for entry in log])


def refusals(method: Callable) -> Callable:
    """The use cases' refusals as gRPC statuses; the message names what is wrong."""
    @wraps(method)
    def call(self, request, context):
        try:
            return method(self, request, context)
        except handlers.NotFound as error:
            context.abort(grpc.StatusCode.NOT_FOUND, str(error))
        except InvalidSubscription as error:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(error))
        except handlers.NotReplayable as error:
            context.abort(grpc.StatusCode.FAILED_PRECONDITION, str(error))
    return call


def _firm(request, context) -> str:
    if not request.firm_id:
        context.abort(grpc.StatusCode.INVALID_ARGUMENT, "firm_id is required")
    return request.firm_id


class RoutingServicer(routing_pb2_grpc.RoutingServicer):
    def __init__(self, settings: RoutingSettings, store=None):
        self.settings = settings
        store = store or MongoStore(SecretBox(settings.webhook_secrets_keys))
        if not store.secrets.encrypts:
            get_logger().warning("routing_webhook_secrets_in_clear", fix="set WEBHOOK_SECRETS_KEYS (Fernet keys)")
        self.ctx = handlers.Context(store=store, profiles=None, senders={}, public_buyer=None,
                                    policy=RetryPolicy(), lease=timedelta(seconds=settings.delivery_lease_seconds),
                                    clock=now_in_milliseconds,
                                    webhooks_to_this_machine=settings.webhooks_to_this_machine)

    def _with_secret(self, subscription: Subscription, secret: str) -> pb.SubscriptionSecret:
        return pb.SubscriptionSecret(subscription=subscription_reply(subscription), secret=secret)

    @refusals
    def CreateSubscription(self, request, context):
        subscription, secret = handlers.create_subscription(_firm(request, context), request.url,
                                                            list(request.events), ctx=self.ctx)
        return self._with_secret(subscription, secret)

    @refusals
    def RotateSecret(self, request, context):
        hours = request.overlap_hours if request.HasField("overlap_hours") else self.settings.rotation_overlap_hours
        subscription, secret = handlers.rotate_secret(_firm(request, context), request.subscription_id,
                                                      timedelta(hours=hours), ctx=self.ctx)
        return self._with_secret(subscription, secret)

    @refusals
    def ListSubscriptions(self, request, context):
        found = handlers.list_subscriptions(_firm(request, context), ctx=self.ctx)
        return pb.WebhookSubscriptions(subscriptions=[subscription_reply(s) for s in found])

    @refusals
    def UpdateSubscription(self, request, context):
        subscription = handlers.update_subscription(
            _firm(request, context), request.subscription_id,
            url=request.url if request.HasField("url") else None,
            events=list(request.events.events) if request.HasField("events") else None,
            enabled=request.enabled if request.HasField("enabled") else None, ctx=self.ctx)
        return subscription_reply(subscription)

    @refusals
    def DeleteSubscription(self, request, context):
        return subscription_reply(handlers.delete_subscription(_firm(request, context), request.subscription_id,
                                                               ctx=self.ctx))

    @refusals
    def ListDeliveries(self, request, context):
        found = handlers.list_deliveries(_firm(request, context), document_id=request.document_id,
                                         status=request.status, limit=request.limit or 100, ctx=self.ctx)
        logs = self.ctx.store.logs([delivery.id for delivery in found])
        return pb.Deliveries(deliveries=[delivery_reply(delivery, logs[delivery.id]) for delivery in found])

    @refusals
    def ReplayDelivery(self, request, context):
        delivery = handlers.replay_delivery(_firm(request, context), request.delivery_id, request.user_id,
                                            ctx=self.ctx)
        return delivery_reply(delivery, self.ctx.store.logs([delivery.id])[delivery.id])


def main() -> None:
    settings = load(RoutingSettings)
    mongo.connect(settings, "routing")
    grpc_kit.serve("routing-grpc", settings.routing_grpc, settings.routing_metrics_address,
                   lambda server: routing_pb2_grpc.add_RoutingServicer_to_server(RoutingServicer(settings), server),
                   settings.log_level, settings.grpc_listen_host)


if __name__ == "__main__":
    main()
