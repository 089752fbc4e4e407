"""Extraction results in MongoDB, each stored with its InvoiceExtracted event (outbox)."""
import mongoengine as me
from pymongo.errors import DuplicateKeyError

from ..domain.reading import Reading


class ExtractionRecord(me.Document):
    meta = {"collection": "extractions"}
    id = me.StringField(primary_key=True)
    dossier_id = me.StringField(required=True)
    kind = me.StringField(required=True)
    reading = me.DictField()  # Reading.as_json(): the CLI's shape
    failure_reason = me.StringField()
    outbox = me.ListField(me.DictField())


class MongoExtractions:
    def exists(self, document_id: str) -> bool:
        return ExtractionRecord.objects(id=document_id).count() > 0

    def add(self, document_id: str, dossier_id: str, reading: Reading | None, failure_reason: str,
            events: list[dict]) -> None:
        record = ExtractionRecord(id=document_id, dossier_id=dossier_id, kind=reading.kind if reading else "unreadable",
                                  reading=reading.as_json() if reading else {}, failure_reason=failure_reason,
                                  outbox=events)
        try:
            record.save(force_insert=True)
        except (me.NotUniqueError, DuplicateKeyError):
            pass  # a concurrent delivery of the same document stored it first
