"""Invoices under validation in MongoDB.

Every write that may race is an insert with a deterministic id (a fact, then the decision), never an
update of a shared document: FerretDB v1 loses concurrent updates of one document, but not inserts.
"""
import mongoengine as me

from jefacture.mongo import create_once

from ..domain.invoice import Facts


class FactRecord(me.Document):
    meta = {"collection": "facts", "indexes": ["document_id"]}
    id = me.StringField(primary_key=True)
    document_id = me.StringField(required=True)
    step = me.StringField(required=True, choices=("extracted", "sealed"))
    failure = me.StringField()


class DecisionRecord(me.Document):
    meta = {"collection": "decisions"}
    id = me.StringField(primary_key=True)
    dossier_id = me.StringField()
    outcome = me.StringField(required=True)
    outbox = me.ListField(me.DictField())


class MongoInvoices:
    def _record(self, document_id: str, step: str, failure: str) -> None:
        create_once(FactRecord(id=f"{document_id}:{step}", document_id=document_id, step=step, failure=failure))

    def record_extraction(self, document_id: str, dossier_id: str, direction: int, failure: str) -> None:
        self._record(document_id, "extracted", failure)

    def record_seal(self, document_id: str, dossier_id: str, direction: int, failure: str) -> None:
        self._record(document_id, "sealed", failure)

    def facts(self, document_id: str) -> Facts | None:
        if DecisionRecord.objects(id=document_id).count():
            return None
        found = {fact.step: fact.failure for fact in FactRecord.objects(document_id=document_id)}
        return Facts(extracted="extracted" in found, sealed="sealed" in found,
                     extraction_failure=found.get("extracted"), seal_failure=found.get("sealed"))

    def decide_once(self, document_id: str, outcome: str, event: dict) -> bool:
        """True if this call took the decision; False if another delivery already had."""
        return create_once(DecisionRecord(id=document_id, outcome=outcome, outbox=[event]))
