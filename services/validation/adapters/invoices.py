"""Invoices under validation in MongoDB: what each pipeline step reported, the lifecycle transitions, the tasks.

Every write that may race is an insert with a deterministic id, never an update of a shared document: FerretDB v1
loses concurrent updates of one document, but not inserts. A transition's id names the decision it takes
("ready", "decision", "review:1", …) so that two deliveries of one event cannot take it twice; a task is closed by
whoever inserts its resolution first. Transitions and tasks carry their events in an outbox.
"""
from datetime import datetime

import mongoengine as me

from jefacture.mongo import create_once

from ..domain.lifecycle import PAID, READY, RECEIVED, ROUTED

STEPS = ("received", "extracted", "sealed")
DECISION = "decision"  # the key of the one accepting or rejecting transition
ONCE_KEYS = (RECEIVED, READY, DECISION, ROUTED, PAID)  # the other key is review_key(round), once per round of checks


def review_key(round_: int) -> str:
    return f"review:{round_}"


class FactRecord(me.Document):
    meta = {"collection": "facts"}
    id = me.StringField(primary_key=True)
    document_id = me.StringField(required=True)
    step = me.StringField(required=True, choices=STEPS)
    data = me.DictField()


class InvoiceRecord(me.Document):
    """Written once the invoice is read and sealed: what duplicates and known suppliers are looked up by."""
    meta = {"collection": "invoices", "indexes": [("dossier_id", "supplier_siren"), ("dossier_id", "sha256")]}
    id = me.StringField(primary_key=True)
    dossier_id = me.StringField(required=True)
    direction = me.StringField(required=True)
    supplier_siren = me.StringField()
    invoice_number = me.StringField()
    sha256 = me.StringField()
    received_at = me.DateTimeField(required=True)


class KnownSupplierRecord(me.Document):
    """A supplier the dossier accepted an invoice of (id "<dossier>:<siren>"): a lookup by id, not a scan."""
    meta = {"collection": "known_suppliers"}
    id = me.StringField(primary_key=True)
    document_id = me.StringField(required=True)  # the first invoice accepted


class TransitionRecord(me.Document):
    meta = {"collection": "transitions", "indexes": ["document_id", ("dossier_id", "state")]}
    id = me.StringField(primary_key=True)
    document_id = me.StringField(required=True)
    dossier_id = me.StringField(required=True)
    direction = me.StringField(required=True)
    state = me.StringField(required=True)
    cdar_code = me.IntField(default=0)
    cdar_label = me.StringField(default="")
    actor = me.StringField(required=True)
    reason = me.StringField(default="")
    at = me.DateTimeField(required=True)
    outbox = me.ListField(me.DictField())


class TaskRecord(me.Document):
    meta = {"collection": "tasks", "indexes": ["document_id", ("dossier_id", "status")]}
    id = me.StringField(primary_key=True)
    document_id = me.StringField(required=True)
    dossier_id = me.StringField(required=True)
    round = me.IntField(required=True)
    check = me.StringField(required=True)
    reason = me.StringField(required=True)
    audience = me.StringField(required=True, choices=("company", "firm"))
    assignees = me.ListField(me.StringField())
    status = me.StringField(default="open")
    opened_at = me.DateTimeField(required=True)
    closed_at = me.DateTimeField()
    closed_by = me.StringField()
    resolution = me.StringField()
    outbox = me.ListField(me.DictField())


class ResolutionRecord(me.Document):
    """The first action taken on a task; a second one is refused."""
    meta = {"collection": "resolutions"}
    id = me.StringField(primary_key=True)  # the task id
    action = me.StringField(required=True)
    by = me.StringField(required=True)
    at = me.DateTimeField(required=True)


class CorrectionRecord(me.Document):
    meta = {"collection": "corrections", "indexes": ["document_id"]}
    id = me.StringField(primary_key=True)  # the task id it resolved
    document_id = me.StringField(required=True)
    field = me.StringField(required=True)
    value = me.StringField(required=True)
    by = me.StringField(required=True)
    at = me.DateTimeField(required=True)


class MongoInvoices:
    def record_fact(self, document_id: str, step: str, data: dict) -> None:
        create_once(FactRecord(id=f"{document_id}:{step}", document_id=document_id, step=step, data=data))

    def facts(self, document_id: str) -> dict[str, dict]:
        """What each step reported, read by id: FerretDB finds an id at once but scans for any other field."""
        found = (FactRecord.objects(id=f"{document_id}:{step}").first() for step in STEPS)
        return {fact.step: fact.data for fact in found if fact}

    def corrections(self, document_id: str) -> dict[str, str]:
        """The fields people corrected, the latest correction of each field winning."""
        return {c.field: c.value for c in CorrectionRecord.objects(document_id=document_id).order_by("at")}

    def remember(self, invoice: InvoiceRecord) -> None:
        create_once(invoice)

    def transition(self, key: str, record: TransitionRecord) -> bool:
        """Inserts the transition under its decision key; False when that decision was already taken."""
        record.id = f"{record.document_id}:{key}"
        return create_once(record)

    def transitions(self, document_id: str) -> list[TransitionRecord]:
        """Read by their keys, not by document (FerretDB would scan the collection): rounds of review follow one
        another from 0, as a round's tasks are what a correction starts the next round from."""
        found = [self._transition(document_id, key) for key in ONCE_KEYS]
        round_ = 0
        while review := self._transition(document_id, review_key(round_)):
            found.append(review)
            round_ += 1
        return sorted((t for t in found if t), key=lambda t: (t.at, t.id))

    @staticmethod
    def _transition(document_id: str, key: str) -> TransitionRecord | None:
        return TransitionRecord.objects(id=f"{document_id}:{key}").first()

    def current_state(self, document_id: str) -> str:
        transitions = self.transitions(document_id)
        return transitions[-1].state if transitions else ""

    def has_transition(self, document_id: str, key: str) -> bool:
        return TransitionRecord.objects(id=f"{document_id}:{key}").count() > 0

    def remember_supplier(self, dossier_id: str, supplier_siren: str, document_id: str) -> None:
        create_once(KnownSupplierRecord(id=f"{dossier_id}:{supplier_siren}", document_id=document_id))

    def supplier_known(self, dossier_id: str, supplier_siren: str, document_id: str) -> bool:
        """One id lookup; for invoices accepted before suppliers were recorded, their first acceptance found by a
        scan is recorded so that the scan happens once per supplier."""
        if KnownSupplierRecord.objects(id=f"{dossier_id}:{supplier_siren}").count():
            return True
        for other in InvoiceRecord.objects(dossier_id=dossier_id, supplier_siren=supplier_siren):
            if other.id != document_id and self.has_transition(other.id, DECISION) \
                    and self.current_state(other.id) != "rejected":
                self.remember_supplier(dossier_id, supplier_siren, other.id)
                return True
        return False

    def earlier_duplicates(self, invoice: InvoiceRecord) -> list[str]:
        """Earlier documents of the dossier with the same content, or the same supplier and invoice number."""
        same = list(InvoiceRecord.objects(dossier_id=invoice.dossier_id, sha256=invoice.sha256))
        if invoice.supplier_siren and invoice.invoice_number:
            same += InvoiceRecord.objects(dossier_id=invoice.dossier_id, supplier_siren=invoice.supplier_siren,
                                          invoice_number=invoice.invoice_number)
        return sorted({other.id for other in same if other.id != invoice.id
                       and (other.received_at, other.id) < (invoice.received_at, invoice.id)})

    def open_task(self, task: TaskRecord) -> bool:
        return create_once(task)

    def task(self, task_id: str) -> TaskRecord | None:
        return TaskRecord.objects(id=task_id).first()

    def tasks(self, dossier_id: str, include_closed: bool = False) -> list[TaskRecord]:
        query = TaskRecord.objects(dossier_id=dossier_id)
        if not include_closed:
            query = query.filter(status="open")
        return sorted(query, key=lambda t: (t.opened_at, t.id))

    def open_tasks_of(self, document_id: str) -> list[TaskRecord]:
        return list(TaskRecord.objects(document_id=document_id, status="open"))

    def claim_resolution(self, task_id: str, action: str, by: str, at: datetime) -> bool:
        return create_once(ResolutionRecord(id=task_id, action=action, by=by, at=at))

    def close_task(self, task_id: str, status: str, by: str, resolution: str, at: datetime) -> None:
        TaskRecord.objects(id=task_id).update_one(set__status=status, set__closed_by=by, set__closed_at=at,
                                                  set__resolution=resolution)

    def record_correction(self, correction: CorrectionRecord) -> None:
        create_once(correction)
