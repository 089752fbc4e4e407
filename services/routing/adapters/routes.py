"""Routes (one per invoice) and deliveries (one per invoice and destination) in MongoDB."""
from datetime import datetime

import mongoengine as me
from pymongo.errors import DuplicateKeyError


class RouteRecord(me.Document):
    meta = {"collection": "routes"}
    id = me.StringField(primary_key=True)
    dossier_id = me.StringField()
    direction = me.IntField()
    destinations = me.ListField(me.StringField())
    pending = me.ListField(me.StringField())
    routed = me.BooleanField(default=False)
    outbox = me.ListField(me.DictField())


class DeliveryRecord(me.Document):
    meta = {"collection": "deliveries", "indexes": ["status", "next_attempt_at"]}
    id = me.StringField(primary_key=True)
    document_id = me.StringField(required=True)
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


def _insert_once(record: me.Document) -> None:
    try:
        record.save(force_insert=True)
    except (me.NotUniqueError, DuplicateKeyError):
        pass


class MongoRoutes:
    def plan(self, document_id: str, dossier_id: str, direction: int, deliveries: list[dict],
             routed_event: dict | None, now: datetime) -> None:
        """Idempotent: a repeated plan adds nothing. With no destination the route is done at once."""
        targets = [d["destination"] for d in deliveries]
        _insert_once(RouteRecord(id=document_id, dossier_id=dossier_id, direction=direction,
                                 destinations=targets, pending=targets,
                                 routed=routed_event is not None, outbox=[routed_event] if routed_event else []))
        for delivery in deliveries:
            _insert_once(DeliveryRecord(document_id=document_id, created_at=now, next_attempt_at=now,
                                        lease_until=now, **delivery))

    def claim_due(self, now: datetime, lease_until: datetime, limit: int = 50) -> list[DeliveryRecord]:
        """Take a lease on due deliveries so that no two workers send the same one at once."""
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

    def complete(self, document_id: str, destination: str, routed_event: dict) -> None:
        RouteRecord.objects(id=document_id).update_one(pull__pending=destination)
        RouteRecord.objects(id=document_id, routed__ne=True, pending__size=0).update_one(
            set__routed=True, push__outbox=routed_event)

    def route(self, document_id: str) -> RouteRecord | None:
        return RouteRecord.objects(id=document_id).first()
