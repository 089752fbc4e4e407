"""identity's store on real FerretDB: single-use keys under concurrency, expiry by query, the outbox."""
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import mongoengine
import pymongo
import pytest

from jefacture.mongo import connect
from jefacture.settings import PlatformSettings
from jefacture.testing import unique_name
from jefacture_identity.adapters import records
from jefacture_identity.adapters.store import Store
from jefacture_identity.domain.client_form import clean_client_form
from jefacture_identity.domain.dossier import ACTIVE, CREATED, Dossier, DossierSettings

pytestmark = pytest.mark.service
MONGO_URI = os.environ.get("MONGO_URI", "mongodb://127.0.0.1:27017/")
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@pytest.fixture
def store():
    settings = PlatformSettings(mongo_uri=MONGO_URI, mongo_db_prefix=unique_name("t") + "_")
    connect(settings, "identity")
    store = Store()
    store.ensure_indexes()
    yield store
    mongoengine.disconnect()
    pymongo.MongoClient(MONGO_URI).drop_database(settings.database_name("identity"))


def test_a_single_use_key_is_won_by_exactly_one_of_many_concurrent_callers(store):
    with ThreadPoolExecutor(max_workers=8) as pool:
        wins = list(pool.map(lambda _: store.happen_once("invitation-used:abc", NOW), range(16)))
    assert wins.count(True) == 1
    assert store.happened("invitation-used:abc") and not store.happened("invitation-used:other")


def test_expired_login_traces_are_forgotten_and_recent_ones_kept(store):
    store.add_login_failure("old@x.example", "10.0.0.1", NOW - timedelta(days=2))
    store.add_login_failure("new@x.example", "10.0.0.1", NOW - timedelta(minutes=5))
    store.add_login_state("old-state", "n", "v", NOW - timedelta(hours=2))
    store.add_login_state("new-state", "n", "v", NOW - timedelta(minutes=2))
    store.add_refresh_token("expired", "s1", "u1", NOW - timedelta(seconds=1))
    store.add_refresh_token("valid", "s1", "u1", NOW + timedelta(days=1))

    store.forget_expired(NOW)

    assert [f.email for f in records.LoginFailureRecord.objects] == ["new@x.example"]
    assert store.login_state("old-state") is None and store.login_state("new-state") is not None
    assert store.refresh_token("expired") is None and store.refresh_token("valid") is not None


def test_published_events_leave_the_outbox(store):
    store.add_event({"event_id": "e1", "type": "UserInvited"}, NOW)
    store.add_event({"event_id": "e2", "type": "UserInvited"}, NOW)
    outbox = store.outbox_collection()
    outbox.update_one({"_id": "e1"}, {"$pull": {"outbox": {"event_id": "e1", "type": "UserInvited"}}})
    store.forget_published_events()
    assert [document["_id"] for document in outbox.find()] == ["e2"]


def a_dossier(dossier_id: str = "d1") -> Dossier:
    form = clean_client_form({"siren": "732829320", "name": "Boulangerie Martin", "country": "FR", "language": "fr",
                              "closing_month": 12, "address": "1 rue du Four", "postal_code": "31000",
                              "city": "Toulouse", "representative_name": "Marie Lambert",
                              "representative_language": "fr", "representative_email": "marie@martin.example"})
    return Dossier(dossier_id=dossier_id, firm_id="f1", details=form, legal_form=None, status=CREATED,
                   created_at=NOW)


def test_a_new_dossier_has_the_default_settings_and_saved_ones_survive_other_changes(store):
    store.add_dossier(a_dossier())
    assert store.dossier("d1").settings == DossierSettings(auto_accept=True, payment_button=True,
                                                           payment_link_days=30, after_payment_url="")
    chosen = DossierSettings(auto_accept=False, payment_button=False, payment_link_days=90,
                             after_payment_url="https://martin.example/merci")

    store.save_settings("d1", chosen)
    store.save_dossier(replace(a_dossier(), status=ACTIVE, activated_at=NOW))  # a copy read before the change

    stored = store.dossier("d1")
    assert (stored.settings, stored.status) == (chosen, ACTIVE)


def test_a_dossier_stored_before_the_settings_existed_reads_with_the_defaults(store):
    store.add_dossier(a_dossier())
    records.DossierRecord._get_collection().update_one(
        {"_id": "d1"}, {"$unset": {"payment_button": "", "payment_link_days": "", "after_payment_url": ""}})

    assert store.dossier("d1").settings == DossierSettings()
