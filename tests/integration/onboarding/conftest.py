"""One platform per test module for the onboarding flows: identity and the gateway on real sockets, with the
OpenID provider, the SIRENE simulator and the SMTP sink; the flows go through the REST API only."""
import os

import pymongo
import pytest

from jefacture import onboarding, testing

MONGO_URI = os.environ.get("MONGO_URI", "mongodb://127.0.0.1:27017/")

PROCESSES = ["smtp-sink", "oidc", "sirene", "identity-grpc", "ingest-grpc", "reporting-grpc", "seal-vault-grpc",
             "validation-grpc", "routing-grpc", "gateway"]
CLAIRE = onboarding.DEMO_FIRM_ADMIN  # expert-comptable of 2 cabinets
JULIEN = ("julien.fontaine@audit-fontaine.example", "Rennes#Liasse-7749")
THOMAS = ("thomas.nguyen@rousseau-expertise.example", "Capitole$Journal-5820")  # collaborator
SARAH = ("sarah.benali@rousseau-expertise.example", "Lettrage+Brique-3164")  # collaborator
ROUSSEAU, GARONNE, FONTAINE = onboarding.DEMO_CABINET_SIREN, "493187264", "798765434"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with testing.private_platform(tmp_path_factory.mktemp("onboarding") / "var", PROCESSES) as platform:
        yield platform


@pytest.fixture(scope="module")
def identity_db(stack):
    client = pymongo.MongoClient(MONGO_URI)
    yield client[stack.env["MONGO_DB_PREFIX"] + "identity"]
    client.close()


@pytest.fixture(scope="module")
def rousseau(api):
    """Claire's first cabinet, opened (terms accepted) once per module."""
    return onboarding.open_firm(api, *CLAIRE, ROUSSEAU)
