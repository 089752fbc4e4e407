"""Deliveries (one per invoice and destination) and routes (one per invoice, written once when done).

Writes that may race are inserts with deterministic ids: FerretDB v1 loses concurrent updates of one
document, but not inserts. A delivery is updated only by the worker holding its lease.
"""
from datetime import datetime

import mongoengine as me

from jefacture.mongo import create_once


class RouteRecord(me.Document):
    meta = {"collection": "routes"}
    id = me.StringField(primary_key=True)
    destinations = me.ListField(me.StringField())
    outbox = me.ListField(me.DictField())


class DeliveryRecord(me.Document):
    meta = {"collection": "deliveries", "indexes": ["document_id", ("status", "next_attempt_at")]}
    id = me.StringField(primary_key=True)
    document_id = me.StringField(required=True)
    dossier_id = me.StringField(required=True)
    direction = me.IntField(required=True)
    destination = me.StringField(required=True)
    url = me.StringField(required=True)
    body = me.StringField(required=True)
    status = me.StringField(default="pending", choices=("pending", "delivered", "dead"))
    attempts = me.IntField(default=0)
    created_at = me.DateTimeField(required=True)
    first_attempt_at = me.DateTimeField()
    next_attempt_at = me.DateTimeField(required=True)
    lease_until = me.DateTimeField(required=True)
    log = me.ListField(me.DictField())


class MongoRoutes:
    def plan(self, deliveries: list[dict], now: datetime) -> None:
        """Idempotent: a repeated plan adds nothing."""
        for delivery in deliveries:
            create_once(DeliveryRecord(created_at=now, next_attempt_at=now, lease_until=now, **delivery))

    def claim_due(self, now: datetime, lease_until: datetime, limit: int = 50) -> list[DeliveryRecord]:
        """Take a lease on due deliveries so that a crashed worker's delivery is retried only after it."""
        claimed = []
        for record in DeliveryRecord.objects(status="pending", next_attempt_at__lte=now,
                                             lease_until__lte=now).limit(limit):
            taken = DeliveryRecord.objects(id=record.id, status="pending", lease_until=record.lease_until) \
                .update_one(set__lease_until=lease_until)
            if taken:
                claimed.append(record)
        return claimed

    def record_attempt(self, delivery_id: str, entry: dict, first_attempt_at: datetime,
                       status: str, next_attempt_at: datetime) -> None:
        DeliveryRecord.objects(id=delivery_id).update_one(
            inc__attempts=1, push__log=entry, set__status=status, set__next_attempt_at=next_attempt_at,
            set__lease_until=next_attempt_at, set__first_attempt_at=first_attempt_at)

    def all_delivered(self, document_id: str) -> bool:
        return DeliveryRecord.objects(document_id=document_id, status__ne="delivered").count() == 0

    def complete(self, document_id: str, destinations: list[str], routed_event: dict) -> None:
        create_once(RouteRecord(id=document_id, destinations=destinations, outbox=[routed_event]))
