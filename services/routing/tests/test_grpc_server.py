"""routing's gRPC API on a real server and FerretDB: a firm's webhook subscriptions, its deliveries, replays, and
nothing of another firm's."""
import os
from concurrent import futures
from datetime import datetime, timedelta, timezone

import grpc
import pytest

from jefacture import mongo
from jefacture.api.v1 import routing_pb2 as pb
from jefacture.api.v1 import routing_pb2_grpc
from jefacture.settings import PlatformSettings
from jefacture.testing import unique_name
from jefacture_routing.adapters.store import MongoStore
from jefacture_routing.domain.deliveries import DEAD, PENDING, SEND, Delivery, Outcome, after_attempt
from jefacture_routing.domain.retry import RetryPolicy
from jefacture_routing.grpc_server import RoutingServicer
from jefacture_routing.settings import RoutingSettings

pytestmark = pytest.mark.service
MONGO_URI = os.environ.get("MONGO_URI", "mongodb://127.0.0.1:27017/")
URL = "https://firm.example/hooks/jefacture"


@pytest.fixture
def store():
    settings = PlatformSettings(mongo_uri=MONGO_URI, mongo_db_prefix=unique_name("t") + "_")
    database = mongo.connect(settings, "routing")
    yield MongoStore()
    database.client.drop_database(database.name)


@pytest.fixture
def stub(store):
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    routing_pb2_grpc.add_RoutingServicer_to_server(RoutingServicer(RoutingSettings(), store), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        yield routing_pb2_grpc.RoutingStub(channel)
    server.stop(grace=None)


def refusal(call) -> tuple[grpc.StatusCode, str]:
    with pytest.raises(grpc.RpcError) as error:
        call()
    return error.value.code(), error.value.details()


def create(stub, firm_id="firm-1", url=URL, events=()) -> pb.SubscriptionSecret:
    return stub.CreateSubscription(pb.CreateSubscriptionRequest(firm_id=firm_id, url=url, events=list(events)))


def test_a_subscription_shows_its_secret_once_and_listens_to_every_event_by_default(stub):
    created = create(stub)
    assert created.secret.startswith("whsec_") and len(created.secret) > 40
    subscription = created.subscription
    assert subscription.subscription_id.startswith("whk_") and subscription.firm_id == "firm-1"
    assert (subscription.url, list(subscription.events), subscription.enabled) == (
        URL, ["invoice.accepted", "invoice.rejected", "invoice.paid"], True)
    [listed] = stub.ListSubscriptions(pb.ListSubscriptionsRequest(firm_id="firm-1")).subscriptions
    assert listed == subscription and created.secret not in str(listed)


def test_refused_subscriptions_name_the_field(stub):
    assert refusal(lambda: create(stub, url="http://firm.example/hooks")) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "url 'http://firm.example/hooks' must use https (http is accepted only for localhost)")
    code, details = refusal(lambda: create(stub, events=["invoice.created"]))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and details.startswith("events: unknown event type")
    assert refusal(lambda: create(stub, firm_id="")) == (grpc.StatusCode.INVALID_ARGUMENT, "firm_id is required")


def test_a_subscription_is_changed_disabled_rotated_and_deleted_by_its_firm_only(stub):
    subscription = create(stub).subscription
    ref = {"firm_id": "firm-1", "subscription_id": subscription.subscription_id}
    changed = stub.UpdateSubscription(pb.UpdateSubscriptionRequest(
        **ref, url="https://firm.example/v2", events=pb.EventTypes(events=["invoice.paid"]), enabled=False))
    assert (changed.url, list(changed.events), changed.enabled) == ("https://firm.example/v2", ["invoice.paid"], False)
    unchanged = stub.UpdateSubscription(pb.UpdateSubscriptionRequest(**ref))
    assert unchanged == changed

    rotation = stub.RotateSecret(pb.RotateSecretRequest(**ref))
    assert rotation.secret.startswith("whsec_")
    overlap = rotation.subscription.previous_secret_expires_at.ToDatetime(tzinfo=timezone.utc) - \
        datetime.now(timezone.utc)
    assert 23.9 < overlap.total_seconds() / 3600 <= 24
    at_once = stub.RotateSecret(pb.RotateSecretRequest(**ref, overlap_hours=0))
    assert not at_once.subscription.HasField("previous_secret_expires_at")

    other = {"firm_id": "firm-2", "subscription_id": subscription.subscription_id}
    for call in (lambda: stub.UpdateSubscription(pb.UpdateSubscriptionRequest(**other, enabled=True)),
                 lambda: stub.RotateSecret(pb.RotateSecretRequest(**other)),
                 lambda: stub.DeleteSubscription(pb.SubscriptionRef(**other))):
        assert refusal(call) == (grpc.StatusCode.NOT_FOUND,
                                 f"the firm has no webhook subscription {subscription.subscription_id!r}")
    assert list(stub.ListSubscriptions(pb.ListSubscriptionsRequest(firm_id="firm-2")).subscriptions) == []

    deleted = stub.DeleteSubscription(pb.SubscriptionRef(**ref))
    assert deleted.subscription_id == subscription.subscription_id
    assert list(stub.ListSubscriptions(pb.ListSubscriptionsRequest(firm_id="firm-1")).subscriptions) == []


def plant(store: MongoStore, delivery_id: str, document_id: str, firm_id="firm-1", status=PENDING) -> None:
    """A delivery as planning leaves it; `dead` after one failed attempt past its retry window."""
    delivery = Delivery(id=delivery_id, firm_id=firm_id, document_id=document_id, dossier_id="dossier-1",
                        direction="purchase", event="invoice.accepted", destination="firm-webhook:whk_1",
                        kind="firm-webhook", target="whk_1", payload={"body": "{}"})
    now = datetime.now(timezone.utc)
    store.plan(delivery, now)
    if status == DEAD:
        assert store.begin(delivery, 1, SEND, now, now)
        transition = after_attempt(Outcome.retry("the receiver answered HTTP 503", 503), delivery.progress,
                                   RetryPolicy(give_up_after=timedelta(0)), now)
        store.finish(delivery_id, 1, now, result="retry", response_code=503, error="HTTP 503", detail="",
                     sent=1, transition=transition, attempts=1, outbox=[])


def test_deliveries_are_listed_by_firm_with_their_log_and_filters(stub, store):
    plant(store, "dlv_a", "doc-1")
    plant(store, "dlv_b", "doc-2", status=DEAD)
    plant(store, "dlv_c", "doc-3", firm_id="firm-2")

    listed = stub.ListDeliveries(pb.ListDeliveriesRequest(firm_id="firm-1")).deliveries
    assert sorted(d.delivery_id for d in listed) == ["dlv_a", "dlv_b"]
    [dead] = stub.ListDeliveries(pb.ListDeliveriesRequest(firm_id="firm-1", status="dead")).deliveries
    assert (dead.delivery_id, dead.attempts, dead.destination) == ("dlv_b", 1, "firm-webhook:whk_1")
    assert [(e.number, e.kind, e.result, e.response_code) for e in dead.log] == [(1, "send", "retry", 503)]
    assert not dead.HasField("next_attempt_at")
    [by_document] = stub.ListDeliveries(pb.ListDeliveriesRequest(firm_id="firm-1", document_id="doc-1")).deliveries
    assert by_document.delivery_id == "dlv_a" and by_document.HasField("next_attempt_at")
    assert refusal(lambda: stub.ListDeliveries(pb.ListDeliveriesRequest(firm_id="firm-1", status="lost")))[0] == \
        grpc.StatusCode.INVALID_ARGUMENT


def test_a_dead_delivery_is_replayed_once_and_one_on_its_way_is_not(stub, store):
    plant(store, "dlv_a", "doc-1")
    plant(store, "dlv_b", "doc-2", status=DEAD)

    replay = stub.ReplayDelivery(pb.ReplayDeliveryRequest(firm_id="firm-1", delivery_id="dlv_b", user_id="user-7"))
    assert (replay.status, replay.attempts) == ("pending", 1)
    assert [(e.kind, e.detail) for e in replay.log][-1] == ("replay", "replay requested by user-7")
    code, details = refusal(lambda: stub.ReplayDelivery(pb.ReplayDeliveryRequest(firm_id="firm-1",
                                                                                 delivery_id="dlv_b")))
    assert code == grpc.StatusCode.FAILED_PRECONDITION and details.startswith("delivery dlv_b is pending")
    assert refusal(lambda: stub.ReplayDelivery(pb.ReplayDeliveryRequest(firm_id="firm-1", delivery_id="dlv_a")))[0] \
        == grpc.StatusCode.FAILED_PRECONDITION
    assert refusal(lambda: stub.ReplayDelivery(pb.ReplayDeliveryRequest(firm_id="firm-2", delivery_id="dlv_b"))) == (
        grpc.StatusCode.NOT_FOUND, "the firm has no delivery 'dlv_b'")
