"""Webhook signing secrets at rest: encrypted in FerretDB under the configured keys, readable after a key rotation,
and refused with a clear reason when no key opens them."""
import os
from datetime import datetime, timezone

import pytest
from cryptography.fernet import Fernet

from jefacture import mongo
from jefacture.settings import PlatformSettings
from jefacture.testing import unique_name
from jefacture_routing.adapters.secret_box import SecretBox, SecretBoxError
from jefacture_routing.adapters.store import MongoStore, SubscriptionRecord
from jefacture_routing.domain.subscriptions import Subscription

pytestmark = pytest.mark.service
MONGO_URI = os.environ.get("MONGO_URI", "mongodb://127.0.0.1:27017/")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
OLD_KEY, NEW_KEY = Fernet.generate_key().decode(), Fernet.generate_key().decode()


@pytest.fixture
def database():
    settings = PlatformSettings(mongo_uri=MONGO_URI, mongo_db_prefix=unique_name("t") + "_")
    database = mongo.connect(settings, "routing")
    yield database
    database.client.drop_database(database.name)


def subscription(secret="whsec_current", previous="whsec_former") -> Subscription:
    return Subscription(id="whk_1", firm_id="firm-1", url="https://firm.example/hooks", events=("invoice.paid",),
                        enabled=True, secret=secret, previous_secret=previous, previous_secret_expires_at=NOW,
                        created_at=NOW)


def test_secrets_are_stored_encrypted_and_read_back_in_clear(database):
    store = MongoStore(SecretBox(OLD_KEY))
    store.add_subscription(subscription(), NOW)
    raw = database["subscriptions"].find_one({"_id": "whk_1"})
    assert "whsec_" not in str(raw) and raw["secret"].startswith("fernet:")
    read = store.subscription("whk_1")
    assert (read.secret, read.previous_secret) == ("whsec_current", "whsec_former")


def test_after_a_key_rotation_old_secrets_still_open_and_new_writes_use_the_new_key(database):
    MongoStore(SecretBox(OLD_KEY)).add_subscription(subscription(), NOW)
    rotated = MongoStore(SecretBox(f"{NEW_KEY},{OLD_KEY}"))
    assert rotated.subscription("whk_1").secret == "whsec_current"
    rotated.save_subscription(subscription(secret="whsec_next", previous="whsec_current"), NOW)
    assert MongoStore(SecretBox(NEW_KEY)).subscription("whk_1").secret == "whsec_next"
    with pytest.raises(SecretBoxError, match="no key of WEBHOOK_SECRETS_KEYS opens"):
        MongoStore(SecretBox(OLD_KEY)).subscription("whk_1")


def test_secrets_stored_in_clear_before_keys_were_configured_are_still_read(database):
    MongoStore().add_subscription(subscription(), NOW)
    assert SubscriptionRecord.objects(id="whk_1").first().secret == "whsec_current"
    assert MongoStore(SecretBox(NEW_KEY)).subscription("whk_1").secret == "whsec_current"


def test_encrypted_secrets_without_keys_and_keys_that_are_not_fernet_keys_are_refused_by_name(database):
    MongoStore(SecretBox(OLD_KEY)).add_subscription(subscription(), NOW)
    with pytest.raises(SecretBoxError, match="WEBHOOK_SECRETS_KEYS is not set"):
        MongoStore().subscription("whk_1")
    with pytest.raises(SecretBoxError, match="WEBHOOK_SECRETS_KEYS: a key is not a Fernet key"):
        SecretBox("not-a-key")
