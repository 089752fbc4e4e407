"""The BODACC client against the BODACC simulator, over real sockets."""
import json
from datetime import date

import httpx
import pytest

from jefacture import samples
from jefacture.bodacc import RECORDS_PATH, BodaccClient, BodaccRefused, BodaccUnavailable, InvalidIdentifier
from jefacture.simulators import bodacc as simulator
from jefacture.simulators.kit import free_port, stats


@pytest.fixture(scope="module")
def bodacc_url():
    with simulator.running() as url:
        yield url


@pytest.fixture
def client(bodacc_url):
    with BodaccClient(bodacc_url) as bodacc:
        yield bodacc


def test_a_company_in_redressement_has_its_opening_judgment(client):
    [judgment] = client.collective_proceedings("847293016")
    assert judgment.nature == "Jugement d'ouverture d'une procédure de redressement judiciaire"
    assert judgment.kind == "redressement" and judgment.family == "Jugement d'ouverture"
    assert (judgment.date, judgment.published_on) == (date(2025, 9, 23), date(2025, 10, 2))
    assert judgment.tribunal == "TRIBUNAL DE COMMERCE DE REIMS" and "cessation des paiements" in judgment.complement


def test_a_company_in_liquidation_has_only_its_judgment_not_its_filed_accounts(client):
    [judgment] = client.collective_proceedings("518 762 091")
    assert judgment.kind == "liquidation" and judgment.date == date(2026, 1, 27)


def test_a_closed_liquidation_lists_its_judgments_newest_first(client):
    judgments = client.collective_proceedings("443178207")
    assert [(j.kind, j.published_on) for j in judgments] == [("closure", date(2023, 6, 29)),
                                                             ("liquidation", date(2022, 11, 24))]


def test_a_sale_announcement_is_not_a_collective_proceeding(client, bodacc_url):
    announcements = httpx.get(bodacc_url + RECORDS_PATH, params={"where": 'registre like "732829320"'}).json()
    assert [record["familleavis"] for record in announcements["results"]] == ["vente"]
    assert client.collective_proceedings("732829320") == []


def test_the_companies_of_the_sample_invoices_have_no_proceedings(client):
    invoices = samples.sample_invoices(4)
    sirens = {i.supplier_siren for i in invoices} | {i.customer_siren for i in invoices}
    assert {siren: client.collective_proceedings(siren) for siren in sirens} == {siren: [] for siren in sirens}


def test_an_invalid_siren_is_refused_before_any_request(client, bodacc_url):
    before = stats(bodacc_url)["requests"]
    with pytest.raises(InvalidIdentifier, match="SIREN '847293017' is invalid"):
        client.collective_proceedings("847293017")
    assert stats(bodacc_url)["requests"] == before


def test_a_second_lookup_is_answered_from_the_cache(client, bodacc_url):
    before = stats(bodacc_url)["requests"]
    assert client.collective_proceedings("847293016") == client.collective_proceedings("847293016")
    assert client.collective_proceedings("552100554") == client.collective_proceedings("552100554") == []
    assert stats(bodacc_url)["requests"] == before + 2


def test_a_throttled_lookup_is_retried_after_the_wait_asked_and_succeeds():
    with simulator.running(rate_limit=1, rate_window=1) as url, BodaccClient(url) as bodacc:
        assert bodacc.collective_proceedings("552100554") == []
        assert bodacc.collective_proceedings("847293016")[0].kind == "redressement"
        assert stats(url)["throttled"] >= 1


def test_throttling_longer_than_the_client_waits_makes_bodacc_unavailable():
    with simulator.running(rate_limit=1, rate_window=60) as url, BodaccClient(url, max_wait=1) as bodacc:
        bodacc.collective_proceedings("552100554")
        with pytest.raises(BodaccUnavailable, match="HTTP 429"):
            bodacc.collective_proceedings("847293016")


def test_an_unreachable_api_is_unavailable_and_a_wrong_base_url_refused(bodacc_url):
    with BodaccClient(f"http://127.0.0.1:{free_port()}", timeout=2) as bodacc, pytest.raises(BodaccUnavailable):
        bodacc.collective_proceedings("552100554")
    with BodaccClient(bodacc_url + "/wrong") as bodacc, pytest.raises(BodaccRefused, match="base URL"):
        bodacc.collective_proceedings("552100554")


def test_an_unreadable_judgment_is_kept_with_its_text(tmp_path):
    seed = {"records": [{"id": "A202600010001", "dateparution": "2026-01-08", "familleavis": "collective",
                         "registre": ["552 100 554", "552100554"], "tribunal": "TRIBUNAL DE COMMERCE DE PARIS",
                         "jugement": "Jugement d'ouverture {texte tronqué"}]}
    (tmp_path / "seed.json").write_text(json.dumps(seed))
    with simulator.running(data=tmp_path / "seed.json") as url, BodaccClient(url) as bodacc:
        [judgment] = bodacc.collective_proceedings("552100554")
    assert judgment.nature is None and judgment.complement == "Jugement d'ouverture {texte tronqué"
    assert judgment.published_on == date(2026, 1, 8) and judgment.kind == "other"


def test_the_simulator_answers_a_bad_query_as_opendatasoft_does(bodacc_url):
    malformed = httpx.get(bodacc_url + RECORDS_PATH, params={"where": "registre ~ 552100554"})
    assert malformed.status_code == 400 and malformed.json()["error_code"] == "ODSQLError"
    too_many = httpx.get(bodacc_url + RECORDS_PATH, params={"limit": 101})
    assert too_many.status_code == 400 and too_many.json()["error_code"] == "InvalidRESTParameterError"
    page = httpx.get(bodacc_url + RECORDS_PATH, params={"limit": 2, "order_by": "dateparution desc"}).json()
    assert page["total_count"] == 10 and [r["dateparution"] for r in page["results"]] == ["2026-02-03", "2025-10-02"]
    assert isinstance(page["results"][0]["jugement"], str) and isinstance(page["results"][0]["registre"], list)
