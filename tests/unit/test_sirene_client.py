"""The Sirene client against the Sirene simulator, over real sockets."""
import time
import unicodedata
from datetime import date, timedelta

import httpx
import pytest

from jefacture import samples
from jefacture.simulators import sirene as simulator
from jefacture.simulators.kit import free_port, stats
from jefacture.sirene import API_KEY_HEADER, InvalidIdentifier, SireneClient, SireneRefused, SireneUnavailable

KEY = "test-sirene-key"
UNKNOWN_SIREN = "123456782"  # valid, and in no register of ours


@pytest.fixture(scope="module")
def sirene_url():
    with simulator.running(api_key=KEY, rate_limit=0) as url:
        yield url


@pytest.fixture
def client(sirene_url):
    with SireneClient(sirene_url, KEY) as sirene:
        yield sirene


def plain(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().upper()


def test_finds_a_company_with_its_legal_form_activity_and_head_office(client):
    unit = client.legal_unit("552100554")
    assert (unit.name, unit.legal_form_code, unit.naf_code) == ("FOURNITURES DUPONT", "5710", "46.66Z")
    assert unit.active and unit.diffusible and unit.ceased_on is None
    assert unit.created_on == date(1998, 3, 12) and unit.head_office_siret == "55210055400021"


def test_every_company_of_the_sample_invoices_is_known_and_active(client):
    invoices = samples.sample_invoices(4)
    parties = {(i.supplier_siren, i.supplier) for i in invoices} | {(i.customer_siren, i.customer) for i in invoices}
    for siren, name in parties:
        unit = client.legal_unit(siren)
        assert unit.active and unit.name in plain(name), (siren, name, unit)


def test_a_siren_written_with_spaces_is_the_same_company(client):
    assert client.legal_unit("552 100 554") == client.legal_unit("552100554")


def test_an_unknown_siren_or_siret_is_none(client):
    assert client.legal_unit(UNKNOWN_SIREN) is None
    assert client.establishment(UNKNOWN_SIREN + "00010") is None


@pytest.mark.parametrize("number", ["552100555", "5521005", "55210055400022", "ABC100554"])
def test_an_invalid_number_is_refused_before_any_request(client, sirene_url, number):
    before = stats(sirene_url)["requests"]
    lookup = client.legal_unit if len(number) == 9 else client.establishment
    with pytest.raises(InvalidIdentifier, match=number):
        lookup(number)
    assert stats(sirene_url)["requests"] == before


def test_an_invalid_siren_is_explained(client):
    with pytest.raises(InvalidIdentifier, match="SIREN '552100555' is invalid: the number's checksum"):
        client.legal_unit("552100555")


def test_a_wrong_api_key_is_refused_with_a_message_naming_the_key(sirene_url):
    with SireneClient(sirene_url, "not-the-key") as sirene, pytest.raises(SireneRefused) as refused:
        sirene.legal_unit("552100554")
    assert "HTTP 401" in str(refused.value) and API_KEY_HEADER in str(refused.value)


def test_a_wrong_base_url_is_refused_rather_than_taken_for_an_unknown_company(sirene_url):
    with SireneClient(sirene_url + "/wrong", KEY) as sirene, pytest.raises(SireneRefused, match="base URL"):
        sirene.legal_unit("552100554")


def test_an_unreachable_api_is_unavailable():
    with SireneClient(f"http://127.0.0.1:{free_port()}", KEY, timeout=2) as sirene, \
            pytest.raises(SireneUnavailable, match="unreachable"):
        sirene.legal_unit("552100554")


def test_a_second_lookup_is_answered_from_the_cache(client, sirene_url):
    before = stats(sirene_url)["requests"]
    assert client.legal_unit("404833048") == client.legal_unit("404833048")
    assert client.legal_unit(UNKNOWN_SIREN) is client.legal_unit(UNKNOWN_SIREN) is None
    assert stats(sirene_url)["requests"] == before + 2


def test_a_throttled_lookup_is_retried_after_the_wait_asked_and_succeeds():
    with simulator.running(api_key=KEY, rate_limit=2, rate_window=2) as url, SireneClient(url, KEY) as sirene:
        names = [sirene.legal_unit(siren).name for siren in ("552100554", "404833048", "542065479")]
        assert names == ["FOURNITURES DUPONT", "TRANSPORTS LEROY", "CABINET CONSEIL MOREAU"]
        assert stats(url)["throttled"] >= 1


def test_throttling_longer_than_the_client_waits_makes_sirene_unavailable_at_once():
    with simulator.running(api_key=KEY, rate_limit=1, rate_window=60) as url, \
            SireneClient(url, KEY, max_wait=2) as sirene:
        sirene.legal_unit("552100554")
        started = time.monotonic()
        with pytest.raises(SireneUnavailable, match="HTTP 429"):
            sirene.legal_unit("404833048")
        assert time.monotonic() - started < 5


def test_a_ceased_company_is_ceased_since_its_cessation(client):
    unit = client.legal_unit("443178207")
    assert unit.name == "MENUISERIE GIRARD" and not unit.active and unit.ceased_on == date(2023, 6, 30)
    head_office = client.head_office("443178207")
    assert not head_office.active and head_office.closed_on == date(2023, 6, 30) and not head_office.legal_unit_active


def test_an_accounting_firm_is_recognised_by_its_naf_code(client):
    assert [client.legal_unit(siren).naf_code for siren in ("812345676", "798765434")] == ["69.20Z", "69.20Z"]


def test_a_company_created_days_ago_has_a_recent_creation_date(client):
    unit = client.legal_unit("984127530")
    assert unit.active and date.today() - timedelta(days=30) <= unit.created_on <= date.today()
    assert unit.status_since == unit.created_on


def test_an_sci_and_an_entrepreneur_have_their_legal_forms_and_names(client):
    sci, entrepreneur = client.legal_unit("539204180"), client.legal_unit("830541728")
    assert (sci.name, sci.legal_form_code) == ("SCI LES TILLEULS", "6540")
    assert (entrepreneur.name, entrepreneur.legal_form_code) == ("LUCAS FAURE", "1000")


def test_a_non_diffusible_entrepreneur_has_no_name_nor_street_but_a_city(client):
    unit = client.legal_unit("903214575")
    assert not unit.diffusible and unit.name is None and unit.active and unit.naf_code == "74.10Z"
    office = client.head_office("903214575")
    assert not office.diffusible and office.name is None and office.trade_name is None
    assert (office.address.street, office.address.postal_code, office.address.city) == (None, "34000", "MONTPELLIER")


def test_an_establishment_gives_its_address_and_legal_unit(client):
    office = client.establishment("552 100 554 00021")
    assert office.siren == "552100554" and office.is_head_office and office.active
    assert office.name == "FOURNITURES DUPONT" and office.naf_code == "46.66Z"
    assert (office.address.street, office.address.postal_code, office.address.city) == \
        ("48 RUE DE LA ROQUETTE", "75011", "PARIS 11")
    assert client.head_office("552100554") == office


def test_a_closed_establishment_of_an_active_company_is_closed_since_its_closure(client):
    former = client.establishment("55210055400013")
    assert not former.active and former.closed_on == date(2012, 7, 1)
    assert former.legal_unit_active and not former.is_head_office


def test_the_simulator_answers_in_the_shapes_of_the_real_api(sirene_url):
    headers = {API_KEY_HEADER: KEY}
    found = httpx.get(f"{sirene_url}/api-sirene/3.11/siren/552100554", headers=headers).json()
    assert found["header"] == {"statut": 200, "message": "OK"}
    assert found["uniteLegale"]["periodesUniteLegale"][0]["denominationUniteLegale"] == "FOURNITURES DUPONT"
    assert found["uniteLegale"]["periodesUniteLegale"][0]["changementDenominationUniteLegale"] is True
    missing = httpx.get(f"{sirene_url}/siren/{UNKNOWN_SIREN}", headers=headers)
    assert (missing.status_code, missing.json()["header"]) == \
        (404, {"statut": 404, "message": f"Aucun élément trouvé pour le siren {UNKNOWN_SIREN}"})
    assert httpx.get(f"{sirene_url}/siret/1234", headers=headers).json()["header"]["statut"] == 400
    unauthorized = httpx.get(f"{sirene_url}/siren/552100554")
    assert (unauthorized.status_code, unauthorized.json()["http_status_code"]) == (401, 401)


def test_an_unknown_company_is_asked_again_sooner_than_a_known_one(sirene_url):
    with SireneClient(sirene_url, KEY, cache_ttl=60, miss_ttl=0.2) as sirene:
        before = stats(sirene_url)["requests"]
        sirene.legal_unit("732829320"), sirene.legal_unit(UNKNOWN_SIREN)
        time.sleep(0.3)
        sirene.legal_unit("732829320"), sirene.legal_unit(UNKNOWN_SIREN)
        assert stats(sirene_url)["requests"] == before + 3
