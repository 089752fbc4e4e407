"""routing's records in MongoDB: subscriptions, the events to route, deliveries and their attempts.

FerretDB v1 loses concurrent updates of one document, not inserts: whatever may race is an insert with a
deterministic id. An event is recorded once per (document, event); a delivery once per (document, event,
destination); attempt n of a delivery is the insert of "<delivery>:<n>" and only its inserter (the lease holder)
updates the delivery afterwards. Attempt records carry the outbox of the events their outcome publishes.
"""
from dataclasses import asdict, dataclass
from datetime import datetime

import mongoengine as me

from jefacture.mongo import create_once

from ..domain.deliveries import STATUSES, Delivery, Progress, Transition
from ..domain.subscriptions import Subscription
from .secret_box import SecretBox


class SubscriptionRecord(me.Document):
    meta = {"collection": "subscriptions", "indexes": ["firm_id"]}
    id = me.StringField(primary_key=True)
    firm_id = me.StringField(required=True)
    url = me.StringField(required=True)
    events = me.ListField(me.StringField())
    enabled = me.BooleanField(default=True)
    secret = me.StringField(required=True)
    previous_secret = me.StringField(default="")
    previous_secret_expires_at = me.DateTimeField()
    disabled_reason = me.StringField(default="")
    created_at = me.DateTimeField(required=True)
    updated_at = me.DateTimeField(required=True)


class EventRecord(me.Document):
    """An event to route, kept until its deliveries are planned (and for the summary a later event needs)."""
    meta = {"collection": "events", "indexes": [("planned", "next_plan_at")]}
    id = me.StringField(primary_key=True)  # "<document>:<event>"
    document_id = me.StringField(required=True)
    dossier_id = me.StringField(required=True)
    direction = me.StringField(required=True)
    event = me.StringField(required=True)
    occurred_at = me.StringField(required=True)
    summary = me.DictField()
    extra = me.DictField()
    planned = me.BooleanField(default=False)
    plan_tries = me.IntField(default=0)
    next_plan_at = me.DateTimeField(required=True)
    plan_error = me.StringField(default="")
    created_at = me.DateTimeField(required=True)


@dataclass(frozen=True)
class RecordedEvent:
    id: str
    document_id: str
    dossier_id: str
    direction: str
    event: str
    occurred_at: str
    summary: dict
    extra: dict
    plan_tries: int
    plan_error: str


def _event(record: EventRecord) -> RecordedEvent:
    return RecordedEvent(id=record.id, document_id=record.document_id, dossier_id=record.dossier_id,
                         direction=record.direction, event=record.event, occurred_at=record.occurred_at,
                         summary=plain(record.summary), extra=plain(record.extra), plan_tries=record.plan_tries,
                         plan_error=record.plan_error)


class DeliveryRecord(me.Document):
    meta = {"collection": "deliveries",
            "indexes": [("status", "next_attempt_at"), ("firm_id", "created_at"), "document_id"]}
    id = me.StringField(primary_key=True)
    firm_id = me.StringField(required=True)
    document_id = me.StringField(required=True)
    dossier_id = me.StringField(required=True)
    direction = me.StringField(required=True)
    event = me.StringField(required=True)
    destination = me.StringField(required=True)
    kind = me.StringField(required=True)
    target = me.StringField(default="")
    payload = me.DictField()
    status = me.StringField(required=True, choices=STATUSES)
    step = me.IntField(default=0)
    attempts = me.IntField(default=0)
    tries = me.IntField(default=0)
    window_started_at = me.DateTimeField()
    reference = me.StringField(default="")
    detail = me.StringField(default="")
    next_attempt_at = me.DateTimeField()
    created_at = me.DateTimeField(required=True)
    updated_at = me.DateTimeField(required=True)


class AttemptRecord(me.Document):
    meta = {"collection": "attempts", "indexes": ["delivery_id"]}
    id = me.StringField(primary_key=True)  # "<delivery>:<number>"
    delivery_id = me.StringField(required=True)
    number = me.IntField(required=True)
    kind = me.StringField(required=True)
    started_at = me.DateTimeField(required=True)
    lease_until = me.DateTimeField(required=True)
    finished_at = me.DateTimeField()
    result = me.StringField(default="")
    response_code = me.IntField(default=0)
    error = me.StringField(default="")
    detail = me.StringField(default="")
    sent = me.IntField(default=0)  # sends this attempt made (0 or 1), counted into the delivery's attempts
    transition = me.DictField()  # what the delivery became: applied again if the holder stopped before
    outbox = me.ListField(me.DictField())


def plain(value):
    """A stored dict or list as plain Python values (mongoengine hands out its own tracking containers)."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def attempt_id(delivery_id: str, number: int) -> str:
    return f"{delivery_id}:{number}"


def _delivery(record: DeliveryRecord) -> Delivery:
    return Delivery(id=record.id, firm_id=record.firm_id, document_id=record.document_id, dossier_id=record.dossier_id,
                    direction=record.direction, event=record.event, destination=record.destination, kind=record.kind,
                    target=record.target, payload=plain(record.payload), status=record.status, step=record.step,
                    attempts=record.attempts, detail=record.detail, created_at=record.created_at,
                    next_attempt_at=record.next_attempt_at,
                    progress=Progress(record.tries, record.window_started_at, record.reference))


def _transition_fields(transition: Transition) -> dict:
    return {"status": transition.status, "next_attempt_at": transition.next_attempt_at,
            "tries": transition.progress.tries, "window_started_at": transition.progress.window_started_at,
            "reference": transition.progress.reference, "detail": transition.detail}


class MongoStore:
    def __init__(self, secrets: SecretBox | None = None):
        self.secrets = secrets or SecretBox()

    # Subscriptions: changed by the firm's people through the API (one at a time in practice).
    def add_subscription(self, subscription: Subscription, now: datetime) -> None:
        SubscriptionRecord(updated_at=now, **self._stored(subscription)).save(force_insert=True)

    def save_subscription(self, subscription: Subscription, now: datetime) -> None:
        fields = self._stored(subscription)
        fields.pop("id")
        fields.pop("created_at")
        SubscriptionRecord.objects(id=subscription.id).update_one(
            **{f"set__{name}": value for name, value in fields.items()}, set__updated_at=now)

    def subscription(self, subscription_id: str, firm_id: str | None = None) -> Subscription | None:
        query = {"id": subscription_id} | ({"firm_id": firm_id} if firm_id is not None else {})
        record = SubscriptionRecord.objects(**query).first()
        return self._subscription(record) if record else None

    def subscriptions_of(self, firm_id: str) -> list[Subscription]:
        records = SubscriptionRecord.objects(firm_id=firm_id).order_by("created_at")
        return [self._subscription(record) for record in records]

    def _stored(self, subscription: Subscription) -> dict:
        fields = asdict(subscription)
        fields["secret"] = self.secrets.seal(subscription.secret)
        fields["previous_secret"] = self.secrets.seal(subscription.previous_secret)
        return fields

    def _subscription(self, record: SubscriptionRecord) -> Subscription:
        return Subscription(id=record.id, firm_id=record.firm_id, url=record.url, events=tuple(record.events),
                            enabled=record.enabled, secret=self.secrets.open(record.secret),
                            previous_secret=self.secrets.open(record.previous_secret),
                            previous_secret_expires_at=record.previous_secret_expires_at,
                            disabled_reason=record.disabled_reason, created_at=record.created_at)

    def delete_subscription(self, subscription_id: str) -> None:
        SubscriptionRecord.objects(id=subscription_id).delete()

    # Events to route.
    def record_event(self, event: dict, now: datetime) -> bool:
        return create_once(EventRecord(created_at=now, next_plan_at=now, **event))

    def events_to_plan(self, now: datetime, limit: int = 50) -> list[RecordedEvent]:
        records = EventRecord.objects(planned=False, next_plan_at__lte=now).order_by("next_plan_at").limit(limit)
        return [_event(record) for record in records]

    def event(self, event_id: str) -> RecordedEvent | None:
        record = EventRecord.objects(id=event_id).first()
        return _event(record) if record else None

    def mark_planned(self, event_id: str, note: str = "") -> None:
        EventRecord.objects(id=event_id).update_one(set__planned=True, set__plan_error=note)

    def postpone_plan(self, event_id: str, tries: int, error: str, next_plan_at: datetime) -> None:
        EventRecord.objects(id=event_id).update_one(set__plan_tries=tries, set__plan_error=error,
                                                    set__next_plan_at=next_plan_at)

    # Deliveries and attempts.
    def plan(self, delivery: Delivery, now: datetime) -> bool:
        """Idempotent: planning the same delivery again adds nothing."""
        fields = asdict(delivery) | {"created_at": now, "next_attempt_at": now}
        fields.pop("progress")
        return create_once(DeliveryRecord(updated_at=now, **fields))

    def due(self, now: datetime, limit: int = 100) -> list[Delivery]:
        records = DeliveryRecord.objects(status__in=("pending", "sending"), next_attempt_at__lte=now) \
            .order_by("next_attempt_at").limit(limit)
        return [_delivery(record) for record in records]

    def delivery(self, delivery_id: str, firm_id: str | None = None) -> Delivery | None:
        query = {"id": delivery_id} | ({"firm_id": firm_id} if firm_id is not None else {})
        record = DeliveryRecord.objects(**query).first()
        return _delivery(record) if record else None

    def deliveries(self, firm_id: str, document_id: str = "", status: str = "", limit: int = 100) -> list[Delivery]:
        query = {"firm_id": firm_id} | ({"document_id": document_id} if document_id else {}) \
            | ({"status": status} if status else {})
        return [_delivery(record) for record in DeliveryRecord.objects(**query).order_by("-created_at").limit(limit)]

    def logs(self, delivery_ids: list[str]) -> dict[str, list[AttemptRecord]]:
        """Every attempt of these deliveries, oldest first, by delivery."""
        found: dict[str, list[AttemptRecord]] = {delivery_id: [] for delivery_id in delivery_ids}
        for record in AttemptRecord.objects(delivery_id__in=delivery_ids).order_by("delivery_id", "number"):
            found[record.delivery_id].append(record)
        return found

    def attempt(self, delivery_id: str, number: int) -> AttemptRecord | None:
        return AttemptRecord.objects(id=attempt_id(delivery_id, number)).first()

    def begin(self, delivery: Delivery, number: int, kind: str, now: datetime, lease_until: datetime) -> bool:
        """Take attempt `number` of the delivery (the lease): True for exactly one caller."""
        taken = create_once(AttemptRecord(id=attempt_id(delivery.id, number), delivery_id=delivery.id, number=number,
                                          kind=kind, started_at=now, lease_until=lease_until))
        if taken:
            DeliveryRecord.objects(id=delivery.id).update_one(set__status="sending", set__next_attempt_at=lease_until,
                                                              set__updated_at=now)
        return taken

    def interrupted(self, delivery_id: str, number: int, now: datetime, error: str) -> None:
        AttemptRecord.objects(id=attempt_id(delivery_id, number)).update_one(
            set__finished_at=now, set__result="interrupted", set__error=error)

    def finish(self, delivery_id: str, number: int, now: datetime, *, result: str, response_code: int, error: str,
               detail: str, sent: int, transition: Transition, attempts: int, outbox: list[dict]) -> None:
        """Attempt `number` ended: its record first (with the events to publish), then the delivery."""
        fields = _transition_fields(transition)
        stored = fields | {"attempts": attempts, "step": number}
        AttemptRecord.objects(id=attempt_id(delivery_id, number)).update_one(
            set__finished_at=now, set__result=result, set__response_code=response_code, set__error=error,
            set__detail=detail, set__sent=sent, set__transition=stored, set__outbox=outbox)
        self.apply(delivery_id, stored, now)

    def apply(self, delivery_id: str, stored: dict, now: datetime) -> None:
        """Bring the delivery to what a finished attempt recorded (again, when its holder stopped in between);
        never back to an earlier attempt's."""
        DeliveryRecord.objects(id=delivery_id, step__lt=stored["step"]).update_one(
            **{f"set__{name}": value for name, value in stored.items()}, set__updated_at=now)
