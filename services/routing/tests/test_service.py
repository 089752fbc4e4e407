"""routing on real RabbitMQ and FerretDB, delivering to a real HTTP receiver."""
import json

import pymongo
import pytest

from jefacture.envelope import new_envelope, to_wire
from jefacture.events.v1 import invoice_pb2 as ev
from jefacture.messaging import Publisher
from jefacture.testing import WebhookReceiver
from jefacture.webhook_signature import DELIVERY_HEADER, SIGNATURE_HEADER, signature_matches

pytestmark = pytest.mark.service
SECRET = "a-secret-of-32-characters-------"


def validated(document_id):
    reference = ev.InvoiceRef(document_id=document_id, dossier_id="d1", direction=ev.SALE)
    return to_wire(new_envelope(ev.InvoiceValidated(invoice=reference), correlation_id=document_id,
                                producer="validation"))


@pytest.fixture
def receiver():
    instance = WebhookReceiver(fail_first=2)
    yield instance
    instance.close()


def test_each_validated_invoice_reaches_the_firm_once_signed_despite_failures(
        platform, platform_env, capture, receiver):
    routed = capture(("routing", "InvoiceRouted"))
    platform.env.update(FIRM_WEBHOOK_URL=receiver.url, FIRM_WEBHOOK_SECRET=SECRET,
                        WEBHOOK_BACKOFF_BASE_SECONDS="0.2")
    platform.start(["routing"])
    publisher = Publisher(platform_env["AMQP_URI"])
    publisher.publish_event(validated("doc-1"))
    publisher.publish_event(validated("doc-1"))  # validated twice: still one delivery
    publisher.publish_event(validated("doc-2"))

    events = routed.wait_for(lambda e: True, count=2, timeout=30)
    assert sorted(e["correlation_id"] for e in events) == ["doc-1", "doc-2"]
    assert events[0]["invoice_routed"]["destinations"] == ["firm-webhook"]
    bodies = [json.loads(body) for _, body in receiver.received]
    assert sorted(b["document_id"] for b in bodies) == ["doc-1", "doc-2"]
    for headers, body in receiver.received:
        assert signature_matches(SECRET, headers[SIGNATURE_HEADER], body)
        assert headers[DELIVERY_HEADER] == json.loads(body)["id"]
    database = pymongo.MongoClient(platform_env["MONGO_URI"])[platform_env["MONGO_DB_PREFIX"] + "routing"]
    log = [entry["status_code"] for d in database["deliveries"].find() for entry in d["log"]]
    assert sorted(log) == [204, 204, 503, 503]


def test_without_a_firm_webhook_an_invoice_is_routed_with_no_destination(platform, platform_env, capture):
    routed = capture(("routing", "InvoiceRouted"))
    platform.start(["routing"])
    Publisher(platform_env["AMQP_URI"]).publish_event(validated("doc-3"))
    event = routed.wait_for(lambda e: e["correlation_id"] == "doc-3")[0]
    assert event["invoice_routed"].get("destinations", []) == []
