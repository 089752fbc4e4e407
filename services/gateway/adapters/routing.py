"""Client of the routing service: a firm's webhook subscriptions and the deliveries of its invoices."""
import grpc

from jefacture.api.v1 import routing_pb2 as pb
from jefacture.api.v1 import routing_pb2_grpc

from .grpc_errors import call_refusing_conflicts


class RoutingClient:
    def __init__(self, channel: grpc.Channel, timeout: float):
        self.stub = routing_pb2_grpc.RoutingStub(channel)
        self.timeout = timeout

    def _call(self, method: str, request):
        return call_refusing_conflicts("routing", getattr(self.stub, method), request, self.timeout)

    def create_subscription(self, firm_id: str, url: str, events: list[str]) -> pb.SubscriptionSecret:
        return self._call("CreateSubscription", pb.CreateSubscriptionRequest(firm_id=firm_id, url=url, events=events))

    def subscriptions(self, firm_id: str) -> list[pb.WebhookSubscription]:
        return list(self._call("ListSubscriptions", pb.ListSubscriptionsRequest(firm_id=firm_id)).subscriptions)

    def update_subscription(self, firm_id: str, subscription_id: str, url: str | None = None,
                            events: list[str] | None = None, enabled: bool | None = None) -> pb.WebhookSubscription:
        request = pb.UpdateSubscriptionRequest(firm_id=firm_id, subscription_id=subscription_id, url=url,
                                               enabled=enabled)
        if events is not None:
            request.events.CopyFrom(pb.EventTypes(events=events))
        return self._call("UpdateSubscription", request)

    def delete_subscription(self, firm_id: str, subscription_id: str) -> pb.WebhookSubscription:
        return self._call("DeleteSubscription", pb.SubscriptionRef(firm_id=firm_id, subscription_id=subscription_id))

    def rotate_secret(self, firm_id: str, subscription_id: str, overlap_hours: int | None) -> pb.SubscriptionSecret:
        return self._call("RotateSecret", pb.RotateSecretRequest(firm_id=firm_id, subscription_id=subscription_id,
                                                                 overlap_hours=overlap_hours))

    def deliveries(self, firm_id: str, document_id: str = "", status: str = "", limit: int = 100) -> list[pb.Delivery]:
        request = pb.ListDeliveriesRequest(firm_id=firm_id, document_id=document_id, status=status, limit=limit)
        return list(self._call("ListDeliveries", request).deliveries)

    def replay(self, firm_id: str, delivery_id: str, user_id: str) -> pb.Delivery:
        return self._call("ReplayDelivery", pb.ReplayDeliveryRequest(firm_id=firm_id, delivery_id=delivery_id,
                                                                     user_id=user_id))
