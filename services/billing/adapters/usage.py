"""Usage records in MongoDB, one per document (insert-only, so a repeated event counts once)."""
import mongoengine as me

from jefacture.mongo import create_once


class UsageRecord(me.Document):
    meta = {"collection": "usage", "indexes": [("dossier_id", "month")]}
    id = me.StringField(primary_key=True)
    dossier_id = me.StringField(required=True)
    month = me.StringField(required=True)


class MongoUsage:
    def record(self, document_id: str, dossier_id: str, month: str) -> None:
        create_once(UsageRecord(id=document_id, dossier_id=dossier_id, month=month))

    def count(self, dossier_id: str, month: str) -> int:
        return UsageRecord.objects(dossier_id=dossier_id, month=month).count()
