"""billing on real RabbitMQ and FerretDB."""
from datetime import datetime, timezone

import pymongo
import pytest

from jefacture.envelope import new_envelope, to_wire
from jefacture.events.v1 import invoice_pb2 as ev
from jefacture.messaging import Publisher
from jefacture.testing import wait_for
from jefacture_billing.domain.usage import billing_month

pytestmark = pytest.mark.service


def received(document_id, when):
    payload = ev.InvoiceReceived(invoice=ev.InvoiceRef(document_id=document_id, dossier_id="d1"))
    payload.received_at.FromDatetime(when)
    return to_wire(new_envelope(payload, correlation_id=document_id, producer="ingest"))


def test_the_billing_month_is_the_utc_month_of_reception():
    assert billing_month(datetime(2026, 10, 31, 23, 30, tzinfo=timezone.utc)) == "2026-10"


def test_each_received_document_counts_once_in_its_month(platform, platform_env):
    platform.start(["billing"])
    publisher = Publisher(platform_env["AMQP_URI"])
    october, november = datetime(2026, 10, 3, tzinfo=timezone.utc), datetime(2026, 11, 2, tzinfo=timezone.utc)
    for event in (received("a", october), received("a", october), received("b", october), received("c", november)):
        publisher.publish_event(event)
    usage = pymongo.MongoClient(platform_env["MONGO_URI"])[platform_env["MONGO_DB_PREFIX"] + "billing"]["usage"]
    wait_for(lambda: usage.count_documents({}) == 3, what="three usage records")
    assert usage.count_documents({"dossier_id": "d1", "month": "2026-10"}) == 2
