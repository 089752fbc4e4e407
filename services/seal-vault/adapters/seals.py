"""Seal records in MongoDB, each stored together with the InvoiceSealed event it must emit (outbox)."""
import mongoengine as me
from pymongo.errors import DuplicateKeyError

from ..domain.seal import AlreadySealed, SealRecord


class SealDocument(me.Document):
    meta = {"collection": "seals"}
    document_id = me.StringField(primary_key=True)
    dossier_id = me.StringField(required=True)
    original_sha256 = me.StringField(required=True)
    sealed_sha256 = me.StringField()
    seal_format = me.StringField()
    sealed_at = me.DateTimeField()
    findings = me.ListField(me.StringField())
    failure_reason = me.StringField()
    outbox = me.ListField(me.DictField())


def _to_domain(document: SealDocument) -> SealRecord:
    return SealRecord(
        document_id=document.document_id, dossier_id=document.dossier_id,
        original_sha256=document.original_sha256, sealed_sha256=document.sealed_sha256,
        seal_format=document.seal_format, sealed_at=document.sealed_at, findings=tuple(document.findings),
        failure_reason=document.failure_reason)


class MongoSeals:
    def get(self, document_id: str) -> SealRecord | None:
        document = SealDocument.objects(document_id=document_id).first()
        return _to_domain(document) if document else None

    def add(self, record: SealRecord, events: list[dict]) -> None:
        """Store the record and its events in one write; a record already there raises AlreadySealed."""
        document = SealDocument(
            document_id=record.document_id, dossier_id=record.dossier_id, original_sha256=record.original_sha256,
            sealed_sha256=record.sealed_sha256, seal_format=record.seal_format, sealed_at=record.sealed_at,
            findings=list(record.findings), failure_reason=record.failure_reason, outbox=events)
        try:
            document.save(force_insert=True)
        except (me.NotUniqueError, DuplicateKeyError):
            raise AlreadySealed(record.document_id) from None
