"""routing as it runs (its nameko service and its gRPC server, on real RabbitMQ and FerretDB), delivering to webhook
receivers on sockets; identity's GetDossierProfile is answered by a stand-in gRPC server in this process."""
from concurrent import futures

import grpc
import pytest

from jefacture.api.v1 import identity_pb2, identity_pb2_grpc, routing_pb2, routing_pb2_grpc
from jefacture.envelope import new_envelope, to_wire
from jefacture.events.v1 import invoice_pb2 as ev
from jefacture.messaging import Publisher
from jefacture.testing import wait_for
from jefacture.webhook_sink import WebhookSink

pytestmark = pytest.mark.service
FIRM_OF = {"dossier-1": "firm-1", "dossier-2": "firm-2"}


class IdentityStandIn(identity_pb2_grpc.IdentityServicer):
    def GetDossierProfile(self, request, context):
        if request.dossier_id not in FIRM_OF:
            context.abort(grpc.StatusCode.NOT_FOUND, f"no dossier {request.dossier_id!r}")
        return identity_pb2.DossierProfile(dossier_id=request.dossier_id, firm_id=FIRM_OF[request.dossier_id],
                                           name="Studio Martin", settings=identity_pb2.DossierSettings())


@pytest.fixture
def identity(platform_env):
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    identity_pb2_grpc.add_IdentityServicer_to_server(IdentityStandIn(), server)
    server.add_insecure_port(platform_env["IDENTITY_GRPC"])
    server.start()
    yield
    server.stop(grace=None)


@pytest.fixture
def routing(platform, platform_env, identity):
    """Starts routing with `env`; returns its gRPC stub."""
    channels = []

    def start(**env) -> routing_pb2_grpc.RoutingStub:
        platform.env.update({"DELIVERY_BACKOFF_BASE_SECONDS": "0.2", "DELIVERY_LEASE_SECONDS": "3", **env})
        platform.start(["routing", "routing-grpc"])
        channels.append(grpc.insecure_channel(platform_env["ROUTING_GRPC"]))
        return routing_pb2_grpc.RoutingStub(channels[-1])

    yield start
    for channel in channels:
        channel.close()


@pytest.fixture
def sinks():
    made = []

    def make(**options) -> WebhookSink:
        made.append(WebhookSink(**options))
        return made[-1]

    yield make
    for sink in made:
        sink.close()


def subscribe(stub, firm_id: str, sink: WebhookSink, events=()) -> routing_pb2.WebhookSubscription:
    created = stub.CreateSubscription(routing_pb2.CreateSubscriptionRequest(firm_id=firm_id, url=sink.url,
                                                                            events=list(events)))
    sink.add_secret(created.secret)
    return created.subscription


def reference(document_id: str, dossier_id: str = "dossier-1") -> ev.InvoiceRef:
    return ev.InvoiceRef(document_id=document_id, dossier_id=dossier_id, direction=ev.PURCHASE)


def validated(document_id: str, dossier_id: str = "dossier-1") -> dict:
    payload = ev.InvoiceValidated(invoice=reference(document_id, dossier_id),
                                  summary=ev.InvoiceSummary(invoice_number=f"F-{document_id}", total_incl_tax="120.00"))
    return to_wire(new_envelope(payload, correlation_id=document_id, producer="validation"))


def rejected(document_id: str) -> dict:
    payload = ev.InvoiceRejected(invoice=reference(document_id), reasons=["HT + TVA ≠ TTC"], cdar_code=210,
                                 summary=ev.InvoiceSummary(invoice_number=f"F-{document_id}"))
    return to_wire(new_envelope(payload, correlation_id=document_id, producer="validation"))


def paid(document_id: str) -> dict:
    payload = ev.InvoicePaid(invoice=reference(document_id), amount="120.00", reference="VIR-77")
    payload.paid_at.GetCurrentTime()
    return to_wire(new_envelope(payload, correlation_id=document_id, producer="payments"))


def deliveries(stub, firm_id: str, **filters) -> list[routing_pb2.Delivery]:
    return list(stub.ListDeliveries(routing_pb2.ListDeliveriesRequest(firm_id=firm_id, **filters)).deliveries)


def test_every_event_reaches_each_subscription_that_wants_it_once_signed_despite_failures(
        routing, platform_env, capture, sinks):
    routed = capture(("routing", "InvoiceRouted"))
    stub = routing()
    everything, payments_only, other_firm = sinks(fail_first=2), sinks(), sinks()
    main = subscribe(stub, "firm-1", everything)
    subscribe(stub, "firm-1", payments_only, events=["invoice.paid"])
    subscribe(stub, "firm-2", other_firm)

    publisher = Publisher(platform_env["AMQP_URI"])
    for event in (validated("doc-1"), validated("doc-1"), validated("doc-2"), rejected("doc-3"),
                  validated("doc-9", "dossier-2")):
        publisher.publish_event(event)
    routed.wait_for(lambda e: True, count=4, timeout=30)
    publisher.publish_event(paid("doc-1"))  # after its acceptance: the paid webhook repeats the invoice
    events = routed.wait_for(lambda e: True, count=6, timeout=30)

    assert len({e["invoice_routed"]["delivery_id"] for e in events}) == 6
    for sink in (everything, payments_only, other_firm):
        assert sink.counts()["bad_signatures"] == 0 and sink.counts()["duplicates"] == []
    assert sorted((e["type"], e["document_id"]) for e in everything.counts()["events"]) == [
        ("invoice.accepted", "doc-1"), ("invoice.accepted", "doc-2"), ("invoice.paid", "doc-1"),
        ("invoice.rejected", "doc-3")]
    assert [e["document_id"] for e in other_firm.counts()["events"]] == ["doc-9"]
    firm_deliveries = deliveries(stub, "firm-1")
    assert len(firm_deliveries) == 5 and {d.status for d in firm_deliveries} == {"delivered"}
    responses = sorted(entry.response_code for d in firm_deliveries for entry in d.log)
    assert responses == [204] * 5 + [503, 503]
    assert [d.event for d in deliveries(stub, "firm-1", document_id="doc-1", status="delivered")].count(
        "invoice.paid") == 2
    assert [d.document_id for d in deliveries(stub, "firm-2")] == ["doc-9"]
    with pytest.raises(grpc.RpcError) as refused:
        stub.ReplayDelivery(routing_pb2.ReplayDeliveryRequest(firm_id="firm-2",
                                                              delivery_id=firm_deliveries[0].delivery_id))
    assert refused.value.code() == grpc.StatusCode.NOT_FOUND

    [payment] = payments_only.state.bodies
    assert (payment["type"], payment["invoice"]["invoice_number"], payment["payment"]["amount"]) == (
        "invoice.paid", "F-doc-1", "120.00")
    [refusal] = [body for body in everything.state.bodies if body["type"] == "invoice.rejected"]
    assert (refusal["reasons"], refusal["cdar_code"]) == (["HT + TVA ≠ TTC"], 210)

    rotation = stub.RotateSecret(routing_pb2.RotateSecretRequest(firm_id="firm-1",
                                                                 subscription_id=main.subscription_id))
    publisher.publish_event(validated("doc-4"))  # the receiver has only the former secret: both sign
    wait_for(lambda: "doc-4" in [e["document_id"] for e in everything.counts()["events"]], what="doc-4")
    everything.state.secrets = [rotation.secret]  # the receiver switched to the new secret
    publisher.publish_event(validated("doc-5"))
    wait_for(lambda: "doc-5" in [e["document_id"] for e in everything.counts()["events"]], what="doc-5")
    assert everything.counts()["bad_signatures"] == 0


def test_a_delivery_given_up_is_dead_lettered_then_replayed_by_the_firm(routing, platform_env, capture, sinks):
    outcomes = capture(("routing", "InvoiceRouted"), ("routing", "DeliveryFailed"))
    stub = routing(DELIVERY_RETRY_FOR_HOURS="0.0005")  # 1.8 s of retries
    sink = sinks(fail_first=10_000)
    subscribe(stub, "firm-1", sink)
    Publisher(platform_env["AMQP_URI"]).publish_event(validated("doc-1"))

    [failed] = outcomes.wait_for(lambda e: e["type"] == "DeliveryFailed", timeout=30)
    reason = failed["delivery_failed"]["reason"]
    assert reason.startswith("given up after") and reason.endswith("the receiver answered HTTP 503")
    [dead] = deliveries(stub, "firm-1", status="dead")
    assert dead.attempts >= 2 and dead.attempts == len(dead.log)

    sink.state.fail_first = 0
    replay = stub.ReplayDelivery(routing_pb2.ReplayDeliveryRequest(firm_id="firm-1", delivery_id=dead.delivery_id,
                                                                   user_id="user-7"))
    assert replay.status == "pending" and replay.log[-1].kind == "replay"
    [routed] = outcomes.wait_for(lambda e: e["type"] == "InvoiceRouted", timeout=30)
    assert routed["invoice_routed"]["delivery_id"] == dead.delivery_id
    assert sink.counts()["events"] == [{"delivery_id": dead.delivery_id, "type": "invoice.accepted",
                                        "document_id": "doc-1"}]


def test_killing_routing_mid_deliveries_neither_loses_nor_duplicates_one(routing, platform, platform_env, capture,
                                                                         sinks):
    routed = capture(("routing", "InvoiceRouted"))
    stub = routing(DELIVERY_LEASE_SECONDS="2")
    sink = sinks(delay=1)  # slow enough for attempts to be under way when the sink holds them
    subscribe(stub, "firm-1", sink)
    publisher = Publisher(platform_env["AMQP_URI"])
    documents = [f"doc-{n}" for n in range(30)]
    for document_id in documents:
        publisher.publish_event(validated(document_id))

    wait_for(lambda: len(sink.counts()["received"]) >= 5, what="the first deliveries")
    sink.hold()  # the attempts now under way stay under way until after the kill
    wait_for(lambda: any(d.status == "sending" for d in deliveries(stub, "firm-1", limit=100)),
             what="an attempt under way")
    platform.kill("routing")
    sink.release()
    platform.start(["routing"])

    wait_for(lambda: len(sink.counts()["received"]) == len(documents), timeout=60, what="every delivery")
    events = routed.wait_for(lambda e: True, count=len(documents), timeout=30)
    counts = sink.counts()
    assert sorted(e["document_id"] for e in counts["events"]) == sorted(documents)
    assert len(set(counts["received"])) == len(counts["received"]) == len(documents)  # each processed once
    assert set(counts["duplicates"]) <= set(counts["received"])  # a re-send after the kill carries the same id
    assert {e["invoice_routed"]["delivery_id"] for e in events} == set(counts["received"])
    final = deliveries(stub, "firm-1", limit=100)
    assert {d.status for d in final} == {"delivered"}
    recovered = [d for d in final if [e.result for e in d.log] == ["interrupted", "delivered"]]
    assert recovered, [[e.result for e in d.log] for d in final]  # the attempt under way was recovered
