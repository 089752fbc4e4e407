"""The platform's process table starts the stand-ins for ComptExpert, INSEE Sirene and BODACC before the services,
on addresses of their own; and the provider's demo staff belong to accounting firms that the Sirene seed knows."""
import json
from urllib.parse import urlsplit

import pytest

from jefacture.platform import NAMEKO_SERVICES, OIDC_PROVIDER, OIDC_USERS, addresses, processes
from jefacture.simulators.sirene import Register

BASE = 300


@pytest.fixture
def env():
    return addresses(BASE)


def table_of(env: dict) -> dict:
    return {process.name: process for process in processes(env)}


@pytest.fixture
def table(env):
    return table_of(env)


def test_the_addresses_of_the_external_systems_follow_the_base():
    env = addresses(BASE)
    assert (env["OIDC_PORT"], env["SIRENE_PORT"], env["BODACC_PORT"]) == ("8393", "8391", "8392")
    assert env["OIDC_ISSUER"] == "http://127.0.0.1:8393"
    assert env["SIRENE_URL"] == "http://127.0.0.1:8391" and env["BODACC_URL"] == "http://127.0.0.1:8392"
    assert env["PUBLIC_URL"] == f"http://{env['GATEWAY_ADDRESS']}" == "http://127.0.0.1:8300"
    assert env["OIDC_CLIENT_ID"] == "jefacture-gateway" and env["OIDC_CLIENT_SECRET"] and env["SIRENE_API_KEY"]


def test_no_two_listeners_share_a_port():
    env = addresses(BASE)
    listeners = {key: value for key, value in env.items()
                 if key.endswith(("_ADDRESS", "_GRPC", "_URL", "_ISSUER")) and key != "PUBLIC_URL"}
    ports = [urlsplit(value if "//" in value else "//" + value).port for value in listeners.values()]
    assert len(set(ports)) == len(ports), listeners


def test_the_oidc_provider_runs_with_the_seeded_users_and_the_gateways_callback(env, table):
    oidc = table["oidc"]
    assert oidc.argv == [str(OIDC_PROVIDER), "--listen", "127.0.0.1:8393", "--issuer", "http://127.0.0.1:8393",
                         "--users", str(OIDC_USERS), "--client-id", "jefacture-gateway",
                         "--client-secret", env["OIDC_CLIENT_SECRET"],
                         "--redirect-uri", "http://127.0.0.1:8300/auth/firm/callback"]
    assert oidc.ready == "http://127.0.0.1:8393/.well-known/openid-configuration"


def test_the_registry_simulators_run_as_modules_on_their_ports(env, table):
    sirene, bodacc = table["sirene"], table["bodacc"]
    assert sirene.argv[1:] == ["-m", "jefacture.simulators.sirene", "--port", "8391",
                               "--api-key", env["SIRENE_API_KEY"], "--rate-limit", "30"]
    assert table_of({**env, "SIRENE_RATE_LIMIT": "0"})["sirene"].argv[-2:] == ["--rate-limit", "0"]
    assert bodacc.argv[1:] == ["-m", "jefacture.simulators.bodacc", "--port", "8392"]
    assert (sirene.ready, bodacc.ready) == ("http://127.0.0.1:8391/", "http://127.0.0.1:8392/")


def test_the_external_systems_start_before_the_services(env):
    names = [process.name for process in processes(env)]
    first_service = min(names.index(service) for service in NAMEKO_SERVICES)
    assert max(names.index(name) for name in ("oidc", "sirene", "bodacc")) < first_service


def test_every_cabinet_of_the_demo_staff_is_an_accounting_firm_of_the_sirene_seed():
    users = json.loads(OIDC_USERS.read_text(encoding="utf-8"))["users"]
    units = Register.load().units
    cabinets = {cabinet["siren"]: cabinet["name"] for user in users for cabinet in user["cabinets"]}
    assert len(cabinets) == 3
    for siren, name in cabinets.items():
        period = units[siren]["periodesUniteLegale"][0]
        assert (period["activitePrincipaleUniteLegale"], period["denominationUniteLegale"]) == ("69.20Z", name)
    experts = [user for user in users if user["cabinets"]]
    assert sorted(len(user["cabinets"]) for user in experts) == [1, 2]
    assert len(users) - len(experts) == 3
