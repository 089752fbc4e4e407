"""Received documents in MongoDB, each stored together with the events it must emit (outbox)."""
import mongoengine as me
from pymongo.errors import DuplicateKeyError

from ..domain.intake import AlreadyReceived, ReceivedDocument


class DocumentRecord(me.Document):
    meta = {"collection": "received_documents",
            "indexes": [{"fields": ["dossier_id", "sha256"], "unique": True}]}
    id = me.StringField(primary_key=True)
    dossier_id = me.StringField(required=True)
    direction = me.StringField(required=True)
    source = me.StringField(required=True)
    filename = me.StringField(required=True)
    media_type = me.StringField(required=True)
    sha256 = me.StringField(required=True)
    size_bytes = me.IntField(required=True)
    received_at = me.DateTimeField(required=True)
    customer_email = me.StringField(default="")
    outbox = me.ListField(me.DictField())


def _to_domain(record: DocumentRecord) -> ReceivedDocument:
    return ReceivedDocument(
        document_id=record.id, dossier_id=record.dossier_id, direction=record.direction, source=record.source,
        filename=record.filename, media_type=record.media_type, sha256=record.sha256,
        size_bytes=record.size_bytes, received_at=record.received_at, customer_email=record.customer_email or "")


class MongoDocuments:
    def find_by_hash(self, dossier_id: str, sha256: str) -> ReceivedDocument | None:
        record = DocumentRecord.objects(dossier_id=dossier_id, sha256=sha256).first()
        return _to_domain(record) if record else None

    def get(self, document_id: str) -> ReceivedDocument | None:
        record = DocumentRecord.objects(id=document_id).first()
        return _to_domain(record) if record else None

    def add(self, document: ReceivedDocument, events: list[dict]) -> None:
        """Store the document and its events in one write; a concurrent twin raises AlreadyReceived."""
        record = DocumentRecord(
            id=document.document_id, dossier_id=document.dossier_id, direction=document.direction,
            source=document.source, filename=document.filename, media_type=document.media_type,
            sha256=document.sha256, size_bytes=document.size_bytes, received_at=document.received_at,
            customer_email=document.customer_email, outbox=events)
        try:
            record.save(force_insert=True)
        except (me.NotUniqueError, DuplicateKeyError):
            twin = self.find_by_hash(document.dossier_id, document.sha256)
            raise AlreadyReceived(twin.document_id if twin else "") from None
