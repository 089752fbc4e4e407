"""The shared consumption rules on the real MongoDB-wire store."""
from datetime import datetime, timedelta, timezone

import pymongo
import pytest

from jefacture.envelope import new_envelope, to_wire
from jefacture.events.v1 import invoice_pb2 as ev
from jefacture.messaging import Consumption, RetryLater
from jefacture.testing import unique_name

pytestmark = pytest.mark.service


class DeadLetters:
    def __init__(self):
        self.letters = []

    def publish_dead_letter(self, service, wire, reason, attempts):
        self.letters.append((service, reason, attempts))


@pytest.fixture
def database():
    client = pymongo.MongoClient("mongodb://127.0.0.1:27017/")
    name = unique_name("tcons")
    yield client[name]
    client.drop_database(name)


def event():
    payload = ev.InvoiceRouted(invoice=ev.InvoiceRef(document_id="doc-1"))
    return to_wire(new_envelope(payload, correlation_id="doc-1", producer="routing"))


def test_an_event_is_handled_once_until_it_is_forgotten(database):
    consumption = Consumption("svc", database, DeadLetters(), max_attempts=3, sleep=lambda _: None)
    handled = []
    wire = event()
    consumption.consume(wire, handled.append)
    consumption.consume(wire, handled.append)
    assert len(handled) == 1
    assert consumption.forget_before(datetime.now(timezone.utc) - timedelta(days=1)) == 0
    assert consumption.forget_before(datetime.now(timezone.utc) + timedelta(seconds=1)) == 1
    consumption.consume(wire, handled.append)
    assert len(handled) == 2


def test_a_failing_event_is_retried_then_dead_lettered_with_its_reason(database):
    dead = DeadLetters()
    consumption = Consumption("svc", database, dead, max_attempts=3, sleep=lambda _: None)

    def broken(envelope):
        raise ValueError("the blob is gone")

    wire = event()
    for _ in range(2):
        with pytest.raises(RetryLater):
            consumption.consume(wire, broken)
    consumption.consume(wire, broken)
    assert dead.letters == [("svc", "ValueError: the blob is gone", 3)]
    consumption.consume(wire, broken)  # already dead-lettered: not tried again
    assert len(dead.letters) == 1


def test_a_malformed_event_is_dead_lettered_at_once(database):
    dead = DeadLetters()
    Consumption("svc", database, dead, max_attempts=3).consume({"type": "Nonsense"}, lambda e: None)
    assert dead.letters and "malformed event" in dead.letters[0][1]
