"""payments on real RabbitMQ and FerretDB."""
import pymongo
import pytest

from jefacture.envelope import new_envelope, to_wire
from jefacture.events.v1 import invoice_pb2 as ev
from jefacture.messaging import Publisher
from jefacture.testing import wait_for

pytestmark = pytest.mark.service


def validated(document_id, direction):
    reference = ev.InvoiceRef(document_id=document_id, dossier_id="d1", direction=direction)
    return to_wire(new_envelope(ev.InvoiceValidated(invoice=reference), correlation_id=document_id,
                                producer="validation"))


def test_validated_purchases_are_payable_and_sales_receivable(platform, platform_env):
    platform.start(["payments"])
    publisher = Publisher(platform_env["AMQP_URI"])
    for event in (validated("p", ev.PURCHASE), validated("s", ev.SALE), validated("s", ev.SALE)):
        publisher.publish_event(event)
    items = pymongo.MongoClient(platform_env["MONGO_URI"])[platform_env["MONGO_DB_PREFIX"] + "payments"]["open_items"]
    wait_for(lambda: items.count_documents({}) == 2, what="two open items")
    assert {item["_id"]: item["side"] for item in items.find()} == {"p": "payable", "s": "receivable"}
