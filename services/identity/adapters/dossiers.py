"""Dossiers in MongoDB; the unique index on siren is what keeps one dossier per company."""
import mongoengine as me
from pymongo.errors import DuplicateKeyError

from ..domain.dossier import Dossier, DossierAlreadyExists


class DossierRecord(me.Document):
    meta = {"collection": "dossiers", "indexes": [{"fields": ["siren"], "unique": True}]}
    dossier_id = me.StringField(primary_key=True)
    name = me.StringField(required=True)
    siren = me.StringField(required=True)


def _to_domain(record: DossierRecord) -> Dossier:
    return Dossier(dossier_id=record.dossier_id, name=record.name, siren=record.siren)


class MongoDossiers:
    def ensure_indexes(self) -> None:
        DossierRecord.ensure_indexes()

    def get(self, dossier_id: str) -> Dossier | None:
        record = DossierRecord.objects(dossier_id=dossier_id).first()
        return _to_domain(record) if record else None

    def find_by_siren(self, siren: str) -> Dossier | None:
        record = DossierRecord.objects(siren=siren).first()
        return _to_domain(record) if record else None

    def add(self, dossier: Dossier) -> None:
        record = DossierRecord(dossier_id=dossier.dossier_id, name=dossier.name, siren=dossier.siren)
        try:
            record.save(force_insert=True)
        except (me.NotUniqueError, DuplicateKeyError):
            existing = self.find_by_siren(dossier.siren)
            raise DossierAlreadyExists(dossier.siren, existing.dossier_id if existing else "") from None
