"""identity's gRPC process on real FerretDB: dossiers created, read, refused."""
import uuid
from concurrent.futures import ThreadPoolExecutor

import grpc
import pymongo
import pytest

from jefacture.api.v1 import identity_pb2, identity_pb2_grpc
from jefacture_identity.grpc_server import EXISTING_DOSSIER_KEY

pytestmark = pytest.mark.service


@pytest.fixture
def identity(platform, platform_env):
    platform.start(["identity-grpc"])
    with grpc.insecure_channel(platform_env["IDENTITY_GRPC"]) as channel:
        yield identity_pb2_grpc.IdentityStub(channel)


@pytest.fixture
def dossiers(platform_env):
    client = pymongo.MongoClient(platform_env["MONGO_URI"])
    yield client[platform_env["MONGO_DB_PREFIX"] + "identity"]["dossiers"]
    client.close()


def create(identity, name="Boulangerie Martin SARL", siren="732829320"):
    return identity.CreateDossier(identity_pb2.CreateDossierRequest(name=name, siren=siren), timeout=10)


def test_a_created_dossier_is_stored_and_can_be_read_back(identity, dossiers):
    created = create(identity, siren="732 829 320")

    assert str(uuid.UUID(created.dossier_id, version=4)) == created.dossier_id
    assert (created.name, created.siren) == ("Boulangerie Martin SARL", "732829320")
    assert identity.GetDossier(identity_pb2.GetDossierRequest(dossier_id=created.dossier_id), timeout=10) == created
    assert dossiers.find_one({"_id": created.dossier_id})["siren"] == "732829320"


def test_a_bad_siren_is_an_invalid_argument_naming_it(identity, dossiers):
    with pytest.raises(grpc.RpcError) as refused:
        create(identity, siren="732829321")
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "siren '732829321' is not a valid SIREN" in refused.value.details()
    assert dossiers.count_documents({}) == 0


def test_concurrent_dossiers_for_one_siren_make_exactly_one(identity, dossiers):
    def attempt(i):
        try:
            return create(identity, name=f"Martin {i}")
        except grpc.RpcError as error:
            return error

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(attempt, range(8)))

    created = [o for o in outcomes if isinstance(o, identity_pb2.Dossier)]
    refused = [o for o in outcomes if isinstance(o, grpc.RpcError)]
    assert len(created) == 1 and len(refused) == 7
    assert {error.code() for error in refused} == {grpc.StatusCode.ALREADY_EXISTS}
    assert all(f"a dossier already exists for SIREN 732829320: {created[0].dossier_id}" == error.details()
               for error in refused)
    assert {dict(error.trailing_metadata())[EXISTING_DOSSIER_KEY] for error in refused} == {created[0].dossier_id}
    assert dossiers.count_documents({}) == 1


def test_an_unknown_dossier_is_not_found(identity):
    with pytest.raises(grpc.RpcError) as missing:
        identity.GetDossier(identity_pb2.GetDossierRequest(dossier_id="no-such-dossier"), timeout=10)
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND
    assert "no dossier has the id 'no-such-dossier'" in missing.value.details()
