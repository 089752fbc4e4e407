import copy
from datetime import datetime, timedelta, timezone

import pytest

from jefacture.messaging import flush_outbox


class FakeCollection:
    def __init__(self, documents):
        self.documents = documents

    def find(self, query, projection):
        return self

    def limit(self, count):
        return [copy.deepcopy(d) for d in self.documents if d["outbox"]][:count]

    def update_one(self, query, update):
        document = next(d for d in self.documents if d["_id"] == query["_id"])
        document["outbox"].remove(update["$pull"]["outbox"])


class FakePublisher:
    def __init__(self, fail=False):
        self.sent, self.fail = [], fail

    def publish_event(self, wire):
        if self.fail:
            raise ConnectionError("broker down")
        self.sent.append(wire["event_id"])


def event(event_id, age_seconds):
    occurred = datetime.now(timezone.utc) - timedelta(seconds=age_seconds)
    return {"event_id": event_id, "occurred_at": occurred.isoformat().replace("+00:00", "Z")}


def test_published_events_leave_the_outbox_and_unpublished_ones_stay():
    collection = FakeCollection([{"_id": 1, "outbox": [event("a", 10), event("b", 10)]}])
    assert flush_outbox(collection, FakePublisher()) == 2
    assert collection.documents[0]["outbox"] == []
    collection = FakeCollection([{"_id": 1, "outbox": [event("a", 10)]}])
    with pytest.raises(ConnectionError):
        flush_outbox(collection, FakePublisher(fail=True))
    assert [e["event_id"] for e in collection.documents[0]["outbox"]] == ["a"]


def test_the_relay_leaves_fresh_events_to_their_writer():
    collection = FakeCollection([{"_id": 1, "outbox": [event("old", 10), event("fresh", 0)]}])
    publisher = FakePublisher()
    flush_outbox(collection, publisher, min_age=timedelta(seconds=3))
    assert publisher.sent == ["old"]
