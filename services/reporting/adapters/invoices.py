"""The invoice timeline read model in MongoDB: one entry per event, inserted once under the event id.

Insert-only on purpose: FerretDB v1 loses concurrent updates of one document, but not inserts.
"""
import mongoengine as me

from jefacture.mongo import create_once


class TimelineEntry(me.Document):
    meta = {"collection": "timeline", "indexes": ["document_id", "dossier_id"]}
    id = me.StringField(primary_key=True)
    document_id = me.StringField(required=True)
    dossier_id = me.StringField(required=True)
    direction = me.StringField()
    filename = me.StringField()
    event_type = me.StringField(required=True)
    producer = me.StringField()
    occurred_at = me.DateTimeField(required=True)
    detail = me.StringField()


class MongoInvoiceViews:
    def apply(self, document_id: str, dossier_id: str, direction: str, entry: dict, filename: str | None) -> None:
        create_once(TimelineEntry(id=entry["event_id"], document_id=document_id, dossier_id=dossier_id,
                                  direction=direction, filename=filename, event_type=entry["event_type"],
                                  producer=entry["producer"], occurred_at=entry["occurred_at"],
                                  detail=entry["detail"]))

    def entries(self, document_id: str) -> list[TimelineEntry]:
        return list(TimelineEntry.objects(document_id=document_id).order_by("occurred_at"))

    def event_types_of_dossier(self, dossier_id: str) -> list[set[str]]:
        by_document: dict[str, set[str]] = {}
        for entry in TimelineEntry.objects(dossier_id=dossier_id).only("document_id", "event_type"):
            by_document.setdefault(entry.document_id, set()).add(entry.event_type)
        return list(by_document.values())
