"""Reliable messaging on RabbitMQ: confirmed persistent publishing, the outbox relay, idempotent consumption.

Events go to the topic exchange `<producer>.events` with the event type as routing key: the exchange
nameko's `event_handler(producer, type)` listens on. A failing event is retried, then dead-lettered.
"""
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import kombu
import pymongo

from jefacture import metrics
from jefacture.envelope import MalformedEvent, from_wire
from jefacture.events.v1.envelope_pb2 import Envelope
from jefacture.log import get_logger

PERSISTENT = 2  # AMQP delivery mode: written to disk

DEAD_LETTER_EXCHANGE = kombu.Exchange("jefacture.dead-letter", type="topic", durable=True, delivery_mode=PERSISTENT)
DEAD_LETTER_QUEUE = kombu.Queue("jefacture.dead-letter", DEAD_LETTER_EXCHANGE, routing_key="#", durable=True)


def event_exchange(producer: str) -> kombu.Exchange:
    """Same declaration as nameko.events.get_event_exchange, so both sides agree on the exchange."""
    return kombu.Exchange(f"{producer}.events", type="topic", durable=True, delivery_mode=PERSISTENT)


class Publisher:
    """Publishes persistent messages and returns only once the broker confirmed them."""

    def __init__(self, amqp_uri: str):
        self._connection = kombu.Connection(amqp_uri, transport_options={"confirm_publish": True})
        self._producer: kombu.Producer | None = None
        self._lock = threading.Lock()

    def _ensure_producer(self) -> kombu.Producer:
        if self._producer is None:
            self._producer = kombu.Producer(self._connection.channel())
        return self._producer

    def _publish(self, body: dict, exchange: kombu.Exchange, routing_key: str, declare: list, headers=None) -> None:
        with self._lock:
            try:
                self._ensure_producer().publish(
                    body, exchange=exchange, routing_key=routing_key, serializer="json",
                    delivery_mode=PERSISTENT, declare=declare, headers=headers or {},
                )
            except Exception:
                self.close()
                raise

    def publish_event(self, wire: dict) -> None:
        exchange = event_exchange(wire["producer"])
        self._publish(wire, exchange, wire["type"], [exchange])
        metrics.EVENTS_PUBLISHED.labels(wire["producer"], wire["type"]).inc()

    def publish_dead_letter(self, service: str, wire: object, reason: str, attempts: int) -> None:
        body = {"service": service, "reason": reason, "attempts": attempts,
                "dead_at": datetime.now(timezone.utc).isoformat(), "event": wire}
        self._publish(body, DEAD_LETTER_EXCHANGE, service, [DEAD_LETTER_EXCHANGE, DEAD_LETTER_QUEUE],
                      headers={"x-reason": reason[:500]})

    def close(self) -> None:
        self._producer = None
        self._connection.release()


def _age(wire: dict, now: datetime) -> timedelta:
    return now - datetime.fromisoformat(wire["occurred_at"].replace("Z", "+00:00"))


def flush_outbox(collection: pymongo.collection.Collection, publisher: Publisher, limit: int = 200,
                 min_age: timedelta = timedelta(0), document_id: str | None = None) -> int:
    """Publish the events stored with state changes in `collection`, removing each once confirmed.

    A crash between the confirm and the removal publishes the event again later, with the same
    event id: consumers skip it. Nothing is lost. The periodic relay passes a `min_age` so that it
    leaves fresh events to the writer that publishes them right after its commit; that writer passes the
    `document_id` it wrote, so that concurrent writers do not publish each other's events.
    """
    published = 0
    now = datetime.now(timezone.utc)
    query = {"outbox.0": {"$exists": True}} | ({"_id": document_id} if document_id else {})
    for document in collection.find(query, {"outbox": 1}).limit(limit):
        for wire in document["outbox"]:
            if _age(wire, now) < min_age:
                continue
            publisher.publish_event(wire)
            # FerretDB v1 pulls by whole-element equality only, so the stored element is given back as is.
            collection.update_one({"_id": document["_id"]}, {"$pull": {"outbox": wire}})
            published += 1
    return published


def count_pending(collection: pymongo.collection.Collection) -> int:
    return collection.count_documents({"outbox.0": {"$exists": True}})


class Consumption:
    """Runs one service's handlers so that each event is applied once, or dead-lettered with its reason."""

    def __init__(self, service: str, database: pymongo.database.Database, publisher: Publisher,
                 max_attempts: int, retry_delay: float = 0.2, sleep: Callable[[float], None] = time.sleep):
        self.service = service
        self.processed = database["processed_events"]
        self.failures = database["failed_events"]
        self.publisher = publisher
        self.max_attempts = max_attempts
        self.retry_delay = retry_delay
        self.sleep = sleep
        self.log = get_logger().bind(service=service)

    def consume(self, wire: object, handler: Callable[[Envelope], None]) -> Envelope | None:
        """Apply `handler`; raising from here asks the broker to deliver the event again.
        Returns the envelope when the handler ran, None when there was nothing to do."""
        try:
            envelope = from_wire(wire)
        except MalformedEvent as error:
            self._dead_letter(wire, "unknown", f"malformed event: {error}", attempts=1)
            return None
        log = self.log.bind(event_id=envelope.event_id, correlation_id=envelope.correlation_id,
                            event_type=envelope.type)
        if self.processed.count_documents({"_id": envelope.event_id}, limit=1):
            metrics.EVENTS_SKIPPED.labels(self.service, envelope.type).inc()
            log.info("event_already_handled")
            return None
        started = time.perf_counter()
        try:
            handler(envelope)
        except Exception as error:
            self._on_failure(wire, envelope, error, log)
            return None
        metrics.HANDLER_SECONDS.labels(self.service, envelope.type).observe(time.perf_counter() - started)
        self._mark_processed(envelope.event_id, "handled")
        metrics.EVENTS_CONSUMED.labels(self.service, envelope.type).inc()
        log.info("event_handled", seconds=round(time.perf_counter() - started, 4))
        return envelope

    def _on_failure(self, wire, envelope: Envelope, error: Exception, log) -> None:
        metrics.EVENTS_FAILED.labels(self.service, envelope.type).inc()
        reason = f"{type(error).__name__}: {error}"
        attempts = self.failures.find_one_and_update(
            {"_id": envelope.event_id},
            {"$inc": {"attempts": 1},
             "$set": {"last_error": reason, "type": envelope.type, "at": datetime.now(timezone.utc)}},
            upsert=True, return_document=pymongo.ReturnDocument.AFTER,
        )["attempts"]
        log.warning("event_handler_failed", attempt=attempts, reason=reason, exc_info=error)
        if attempts >= self.max_attempts:
            self._dead_letter(wire, envelope.type, reason, attempts)
            self._mark_processed(envelope.event_id, "dead_lettered")
            return
        self.sleep(self.retry_delay * 2 ** (attempts - 1))
        raise RetryLater(reason) from error

    def _dead_letter(self, wire, event_type: str, reason: str, attempts: int) -> None:
        self.publisher.publish_dead_letter(self.service, wire, reason, attempts)
        metrics.EVENTS_DEAD_LETTERED.labels(self.service, event_type).inc()
        self.log.error("event_dead_lettered", reason=reason, attempts=attempts)

    def forget_before(self, moment: datetime) -> int:
        """Expire by query: FerretDB v1 has no TTL indexes."""
        self.failures.delete_many({"at": {"$lt": moment}})
        return self.processed.delete_many({"at": {"$lt": moment}}).deleted_count

    def _mark_processed(self, event_id: str, outcome: str) -> None:
        try:
            self.processed.insert_one({"_id": event_id, "outcome": outcome, "at": datetime.now(timezone.utc)})
        except pymongo.errors.DuplicateKeyError:
            pass


class RetryLater(RuntimeError):
    """The event could not be handled this time; the broker delivers it again."""


def peek_dead_letters(amqp_uri: str, limit: int) -> list[dict]:
    """Read up to `limit` dead letters without taking them off the queue."""
    with kombu.Connection(amqp_uri) as connection:
        channel = connection.channel()
        queue = DEAD_LETTER_QUEUE.bind(channel)
        queue.declare()
        letters = []
        while len(letters) < limit and (message := queue.get(no_ack=False)) is not None:
            letters.append(message.decode())
        channel.close()  # unacknowledged messages go back to the queue
    return letters
