"""Extraction results in MongoDB, each stored with its InvoiceExtracted event (outbox)."""
import mongoengine as me
from pymongo.errors import DuplicateKeyError


class ExtractionRecord(me.Document):
    meta = {"collection": "extractions"}
    id = me.StringField(primary_key=True)
    dossier_id = me.StringField(required=True)
    kind = me.StringField(required=True)
    page_count = me.IntField()
    text_chars = me.IntField()
    fields = me.DictField()
    findings = me.ListField(me.StringField())
    failure_reason = me.StringField()
    outbox = me.ListField(me.DictField())


class MongoExtractions:
    def exists(self, document_id: str) -> bool:
        return ExtractionRecord.objects(id=document_id).count() > 0

    def add(self, document_id: str, dossier_id: str, extraction, events: list[dict]) -> None:
        record = ExtractionRecord(
            id=document_id, dossier_id=dossier_id, kind=extraction.kind, page_count=extraction.page_count,
            text_chars=extraction.text_chars, fields=extraction.fields, findings=list(extraction.findings),
            failure_reason=extraction.failure_reason, outbox=events)
        try:
            record.save(force_insert=True)
        except (me.NotUniqueError, DuplicateKeyError):
            pass  # a concurrent delivery of the same document stored it first
