"""Invoices under validation in MongoDB; each decision is taken once, atomically, with its event (outbox)."""
import mongoengine as me

from ..domain.invoice import Facts


class InvoiceRecord(me.Document):
    meta = {"collection": "invoices"}
    id = me.StringField(primary_key=True)
    dossier_id = me.StringField()
    direction = me.IntField()
    extracted = me.BooleanField(default=False)
    extraction_failure = me.StringField()
    sealed = me.BooleanField(default=False)
    seal_failure = me.StringField()
    decided = me.BooleanField(default=False)
    outcome = me.StringField()
    outbox = me.ListField(me.DictField())


class MongoInvoices:
    def record_extraction(self, document_id: str, dossier_id: str, direction: int, failure: str) -> None:
        InvoiceRecord.objects(id=document_id).update_one(
            upsert=True, set__dossier_id=dossier_id, set__direction=direction, set__extracted=True,
            set__extraction_failure=failure)

    def record_seal(self, document_id: str, dossier_id: str, direction: int, failure: str) -> None:
        InvoiceRecord.objects(id=document_id).update_one(
            upsert=True, set__dossier_id=dossier_id, set__direction=direction, set__sealed=True,
            set__seal_failure=failure)

    def facts(self, document_id: str) -> Facts | None:
        record = InvoiceRecord.objects(id=document_id, decided__ne=True).first()
        if record is None:
            return None
        return Facts(extraction_failure=record.extraction_failure, seal_failure=record.seal_failure,
                     extracted=record.extracted, sealed=record.sealed)

    def decide_once(self, document_id: str, outcome: str, event: dict) -> bool:
        """True if this call took the decision; False if another delivery already had."""
        updated = InvoiceRecord.objects(id=document_id, decided__ne=True).update_one(
            set__decided=True, set__outcome=outcome, push__outbox=event)
        return updated == 1
