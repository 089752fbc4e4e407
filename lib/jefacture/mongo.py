"""Connection to the service's own MongoDB database (FerretDB locally), checked at start-up."""
import mongoengine
import pymongo
from pymongo.errors import DuplicateKeyError, PyMongoError

from jefacture.settings import ConfigurationError, PlatformSettings


def connect(settings: PlatformSettings, service: str) -> pymongo.database.Database:
    name = settings.database_name(service)
    mongoengine.disconnect()
    mongoengine.connect(db=name, host=settings.mongo_uri, serverSelectionTimeoutMS=5000,
                        uuidRepresentation="standard", tz_aware=True)
    database = mongoengine.get_db()
    try:
        database.command("ping")
    except PyMongoError as error:
        raise ConfigurationError(f"MongoDB unreachable at {settings.mongo_uri}: {error}") from None
    return database


def create_once(record: mongoengine.Document) -> bool:
    """Insert `record` unless its id exists; concurrent callers are safe. True if this call created it."""
    try:
        record.save(force_insert=True)
    except (mongoengine.NotUniqueError, DuplicateKeyError):
        return False
    return True
