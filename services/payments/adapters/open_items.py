"""Open items in MongoDB, one per invoice (insert-only)."""
import mongoengine as me

from jefacture.mongo import create_once


class OpenItem(me.Document):
    meta = {"collection": "open_items", "indexes": ["dossier_id"]}
    id = me.StringField(primary_key=True)
    dossier_id = me.StringField(required=True)
    side = me.StringField(required=True, choices=("payable", "receivable"))
    status = me.StringField(default="open")


class MongoOpenItems:
    def open(self, document_id: str, dossier_id: str, side: str) -> None:
        create_once(OpenItem(id=document_id, dossier_id=dossier_id, side=side))

    def of_dossier(self, dossier_id: str) -> list[OpenItem]:
        return list(OpenItem.objects(dossier_id=dossier_id))
