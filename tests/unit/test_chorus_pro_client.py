"""The Chorus Pro client against the Chorus Pro simulator, over real sockets.

The simulator's clock is moved by the tests (simulator.advance): flows progress and tokens expire without waiting.
"""
import itertools

import facturx
import pytest
from lxml import etree, objectify

from jefacture import samples
from jefacture.chorus_pro import (
    ChorusProAuthError,
    ChorusProClient,
    ChorusProRefused,
    ChorusProUnavailable,
    InvalidIdentifier,
    Structure,
)
from jefacture.simulators import chorus_pro as simulator
from jefacture.simulators.kit import free_port, stats

CLIENT_ID, CLIENT_SECRET = "test-piste-application", "test-piste-secret"
LOGIN, PASSWORD = "TECH_1_jefacture-test@cpro.fr", "test-technical-password"
INTEGRATION = 60  # seconds of the simulator's clock from deposit to integration
LIFETIME = 3600  # of a PISTE token
COMMUNE, HOSPITAL, HOSPITAL_SITE_2, MINISTRY = "21440102800011", "26440047400013", "26440047400021", "13001523300013"
HOSPITAL_SIREN = "264400474"
PRIVATE_COMPANY, MERGED_COMMUNE = "41234567000019", "21440999700019"
SUPPLIER = "55210055400021"  # Fournitures Dupont: a company Chorus Pro knows no structure of
NUMBERS = itertools.count(1)


@pytest.fixture(scope="module")
def chorus_url():
    with simulator.running(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, login=LOGIN, password=PASSWORD,
                           integration_seconds=INTEGRATION, token_lifetime=LIFETIME) as url:
        yield url


def client_of(url: str, **overrides) -> ChorusProClient:
    settings = {"api_url": url, "token_url": url + simulator.TOKEN_PATH, "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET, "login": LOGIN, "password": PASSWORD, "timeout": 10} | overrides
    return ChorusProClient(**settings)


@pytest.fixture
def client(chorus_url):
    with client_of(chorus_url) as chorus:
        yield chorus


def invoice_number() -> str:
    return f"F-2026-{next(NUMBERS):05d}"


def facturx_pdf(number: str, buyer: str = COMMUNE, engagement: str = "", service: str = "",
                broken: bool = False) -> bytes:
    """A Factur-X (EN 16931) from SUPPLIER to `buyer`; `broken` adds an element that the XSD does not allow."""
    data = {"BT-1": number, "BT-2": "2026-03-02", "BT-3": "380", "BT-5": "EUR", "BT-10": service, "BT-13": engagement,
            "BG-4": {"name": "Fournitures Dupont", "legal_identifier": SUPPLIER, "legal_identifier_schemeid": "0009",
                     "country_code": "FR"},
            "BG-7": {"name": "Acheteur public", "legal_identifier": buyer, "legal_identifier_schemeid": "0009",
                     "country_code": "FR"},
            "BG-23": [{"BT-116": "100.00", "BT-117": "20.00", "BT-118": "S", "BT-119": "20.00"}],
            "BG-25": [{"BT-126": "1", "BT-153": "Fournitures", "BT-129": "1", "BT-130": "C62", "BT-146": "100.00",
                       "BT-131": "100.00", "BT-151": "S", "BT-152": "20.00"}],
            "BT-106": "100.00", "BT-109": "100.00", "BT-110": "20.00", "BT-112": "120.00", "BT-115": "120.00"}
    root = etree.fromstring(facturx.generate_cii_xml({key: value for key, value in data.items() if value},
                                                     level="en16931", check_xsd=False, check_schematron=False))
    objectify.deannotate(root, pytype=False, xsi=False, xsi_nil=True, cleanup_namespaces=True)
    if broken:
        etree.SubElement(root.find("{*}ExchangedDocument"), f"{{{facturx.get_xml_namespaces('factur-x')['ram']}}}Foo")
    return facturx.generate_from_binary(plain_pdf(), etree.tostring(root), flavor="factur-x", level="en16931",
                                        check_xsd=False)


def plain_pdf() -> bytes:
    return samples.invoice_pdf(samples.sample_invoices(1)[0])


def processed(url: str, client: ChorusProClient, flow_number: str):
    simulator.advance(url, INTEGRATION)
    return client.flow_report(flow_number)


# --- PISTE tokens ------------------------------------------------------------------------------------------------

def test_one_token_serves_many_calls(chorus_url, client):
    before = stats(chorus_url)["tokens_issued"]
    client.find_public_structure(COMMUNE)
    client.find_public_structure(HOSPITAL)
    assert stats(chorus_url)["tokens_issued"] == before + 1


def test_a_token_that_expired_early_is_renewed_when_chorus_pro_answers_401(chorus_url, client):
    first = client.find_public_structure(COMMUNE)
    before = stats(chorus_url)
    simulator.advance(chorus_url, LIFETIME + 1)  # the simulator's tokens expire; the client's clock did not move
    assert client.find_public_structure(COMMUNE) == first
    after = stats(chorus_url)
    assert (after["tokens_issued"], after["unauthorized"]) == (before["tokens_issued"] + 1, before["unauthorized"] + 1)


def test_a_token_near_its_expiry_is_renewed_before_it_is_used(chorus_url):
    now = [1000.0]
    with client_of(chorus_url, clock=lambda: now[0]) as client:
        client.find_public_structure(COMMUNE)
        before = stats(chorus_url)
        now[0] += LIFETIME - 30  # within the last minute of the token's life
        client.find_public_structure(COMMUNE)
    after = stats(chorus_url)
    assert (after["tokens_issued"], after["unauthorized"]) == (before["tokens_issued"] + 1, before["unauthorized"])


def test_wrong_application_credentials_are_an_auth_error_that_names_the_application_not_the_secret(chorus_url):
    with client_of(chorus_url, client_secret="not-the-secret") as client:
        with pytest.raises(ChorusProAuthError, match=f"{CLIENT_ID}.*HTTP 401.*client id and secret") as raised:
            client.find_public_structure(COMMUNE)
    assert "not-the-secret" not in str(raised.value)


def test_a_wrong_technical_account_is_an_auth_error_after_one_renewed_token(chorus_url):
    before = stats(chorus_url)["tokens_issued"]
    with client_of(chorus_url, password="not-the-password") as client:
        with pytest.raises(ChorusProAuthError, match=f"{LOGIN}.*cpro-account") as raised:
            client.find_public_structure(COMMUNE)
    assert "not-the-password" not in str(raised.value)
    assert stats(chorus_url)["tokens_issued"] == before + 2


def test_the_token_endpoint_may_live_on_its_own_host_like_pistes(chorus_url):
    oauth_port = free_port()
    with simulator.running(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, login=LOGIN, password=PASSWORD,
                           oauth_port=oauth_port) as url:
        with client_of(url, token_url=f"http://127.0.0.1:{oauth_port}{simulator.TOKEN_PATH}") as client:
            assert client.find_public_structure(COMMUNE).identifier == COMMUNE
        with client_of(f"http://127.0.0.1:{oauth_port}", token_url=url + simulator.TOKEN_PATH) as client:
            with pytest.raises(ChorusProRefused, match="404"):  # the OAuth host serves no API
                client.find_public_structure(COMMUNE)


# --- public buyers -----------------------------------------------------------------------------------------------

def test_a_commune_is_found_by_its_siret(client):
    assert client.find_public_structure(COMMUNE) == Structure(
        id_structure_cpp=25783752, identifier=COMMUNE, name="COMMUNE DE SAINT-AUBIN-SUR-ERDRE",
        engagement_required=False, service_required=False)


@pytest.mark.parametrize("siren", [HOSPITAL_SIREN, "264 400 474"])
def test_a_siren_finds_the_first_structure_of_its_establishments(client, siren):
    hospital = client.find_public_structure(siren)
    assert (hospital.identifier, hospital.name) == (HOSPITAL, "CENTRE HOSPITALIER UNIVERSITAIRE DE L'ERDRE")
    assert hospital.engagement_required and not hospital.service_required
    assert client.find_public_structure(HOSPITAL_SITE_2).id_structure_cpp != hospital.id_structure_cpp


def test_a_ministry_service_requires_an_engagement_number_and_a_service_code(client):
    ministry = client.find_public_structure(MINISTRY)
    assert ministry.engagement_required and ministry.service_required


@pytest.mark.parametrize("number", [SUPPLIER, PRIVATE_COMPANY, MERGED_COMMUNE, "412345670"],
                         ids=["unknown-to-chorus-pro", "private-company", "inactive-structure", "private-siren"])
def test_who_is_not_an_active_public_structure_is_no_public_buyer(client, number):
    assert client.find_public_structure(number) is None


@pytest.mark.parametrize("number", ["21440102800012", "2144010280001", "ABC"])
def test_an_impossible_number_is_refused_before_any_request(chorus_url, client, number):
    before = stats(chorus_url)["requests"]
    with pytest.raises(InvalidIdentifier, match=repr(number)):
        client.find_public_structure(number)
    assert stats(chorus_url)["requests"] == before


# --- deposits and their follow-up ---------------------------------------------------------------------------------

def test_a_deposit_is_processed_then_integrated_and_its_invoice_made_available(chorus_url, client):
    number = invoice_number()
    deposit = client.deposit_facturx(facturx_pdf(number), f"{number}.pdf")
    assert deposit.flow_number.startswith("CPP") and deposit.deposited_at is not None
    first = client.flow_report(deposit.flow_number)
    assert (first.status, first.state, first.invoice_ids) == ("pending", "IN_RECU", [])
    simulator.advance(chorus_url, INTEGRATION / 2)
    assert client.flow_report(deposit.flow_number).state == "IN_EN_ATTENTE_TRAITEMENT_CPP"
    simulator.advance(chorus_url, INTEGRATION / 2)
    integrated = client.flow_report(deposit.flow_number)
    assert (integrated.status, integrated.state, integrated.errors) == ("integrated", "IN_INTEGRE", [])
    [invoice_id] = integrated.invoice_ids
    assert client.invoice_history(invoice_id) == ["DEPOSEE"]
    simulator.advance(chorus_url, INTEGRATION)
    assert client.invoice_history(invoice_id) == ["DEPOSEE", "EN_COURS_ACHEMINEMENT", "MISE_A_DISPOSITION"]
    simulator.set_invoice_status(chorus_url, invoice_id, "MISE_EN_PAIEMENT")
    assert client.invoice_history(invoice_id)[-1] == "MISE_EN_PAIEMENT"


def test_an_invoice_is_found_by_number_once_integrated_only(chorus_url, client):
    number = invoice_number()
    deposit = client.deposit_facturx(facturx_pdf(number), f"{number}.pdf")
    assert client.find_invoices(number) == []
    invoice_id = processed(chorus_url, client, deposit.flow_number).invoice_ids[0]
    [found] = client.find_invoices(number)
    assert (found.invoice_id, found.invoice_number, found.flow_number, found.status) == (
        invoice_id, number, deposit.flow_number, "DEPOSEE")


def test_depositing_the_same_invoice_again_cannot_make_a_second_one(chorus_url, client):
    number = invoice_number()
    pdf = facturx_pdf(number)
    first = client.deposit_facturx(pdf, f"{number}.pdf")
    again = client.deposit_facturx(pdf, f"{number}-again.pdf")
    assert processed(chorus_url, client, first.flow_number).status == "integrated"
    rejected = client.flow_report(again.flow_number)
    assert rejected.status == "rejected" and rejected.invoice_ids == []
    assert rejected.errors == [f"{number}: Doublon : la facture {number} du fournisseur {SUPPLIER} a déjà été déposée "
                               f"(flux {first.flow_number})."]
    assert [found.flow_number for found in client.find_invoices(number)] == [first.flow_number]


@pytest.mark.parametrize("make, reason", [
    (lambda n: facturx_pdf(n, buyer=SUPPLIER), f"Le destinataire {SUPPLIER} n'est pas une structure publique active"),
    (lambda n: facturx_pdf(n, buyer=PRIVATE_COMPANY), "n'est pas une structure publique active"),
    (lambda n: facturx_pdf(n, buyer=MERGED_COMMUNE), "n'est pas une structure publique active"),
    (lambda n: facturx_pdf(n, buyer=HOSPITAL), "Le numéro d'engagement (BT-13) est obligatoire pour le destinataire "
                                               f"{HOSPITAL}"),
    (lambda n: facturx_pdf(n, buyer=MINISTRY, engagement="EJ-1"), "Le code service (BT-10) est obligatoire"),
    (lambda n: facturx_pdf(n, buyer=MINISTRY, engagement="EJ-1", service="SFACT-ANCIEN"),
     "Le code service SFACT-ANCIEN n'existe pas ou n'est pas actif"),
    (lambda n: facturx_pdf(n, broken=True), "ne respecte pas le schéma XSD"),
    (lambda n: plain_pdf(), "ne contient pas de XML Factur-X"),
    (lambda n: b"%PDF-1.7 truncated", "n'est pas un PDF lisible"),
], ids=["unknown-buyer", "private-buyer", "inactive-buyer", "no-engagement-number", "no-service-code",
        "inactive-service", "invalid-xml", "plain-pdf", "unreadable-pdf"])
def test_chorus_pro_rejects_the_flow_and_says_why(chorus_url, client, make, reason):
    number = invoice_number()
    deposit = client.deposit_facturx(make(number), f"{number}.pdf")
    assert client.flow_report(deposit.flow_number).status == "pending"
    report = processed(chorus_url, client, deposit.flow_number)
    assert (report.status, report.state, report.invoice_ids) == ("rejected", "IN_REJETE", [])
    assert any(reason in error for error in report.errors), report.errors


def test_an_invoice_meeting_its_buyers_requirements_is_integrated(chorus_url, client):
    number = invoice_number()
    pdf = facturx_pdf(number, buyer=MINISTRY, engagement="EJ-2026-0001", service="SFACT-PDL")
    assert processed(chorus_url, client, client.deposit_facturx(pdf, f"{number}.pdf").flow_number).status == \
        "integrated"


def test_what_is_not_a_pdf_is_not_deposited(chorus_url, client):
    before = stats(chorus_url)["requests"]
    with pytest.raises(ValueError, match="'invoice.xml' is not a PDF"):
        client.deposit_facturx(b"<Invoice/>", "invoice.xml")
    assert stats(chorus_url)["requests"] == before


# --- errors ------------------------------------------------------------------------------------------------------

def test_a_business_error_comes_with_http_200_and_a_return_code(client):
    with pytest.raises(ChorusProRefused, match="Flux introuvable") as raised:
        client.flow_report("CPP0011100000000000000001")
    assert (raised.value.code, raised.value.label) == (20001, "POQ_MSG_01.003 - Flux introuvable.")
    with pytest.raises(ChorusProRefused, match="Facture introuvable") as raised:
        client.invoice_history(1)
    assert raised.value.code != 0


def test_a_server_error_is_unavailability_and_the_next_call_works(chorus_url, client):
    simulator.fail_next(chorus_url, status=503)
    with pytest.raises(ChorusProUnavailable, match="HTTP 503"):
        client.find_public_structure(COMMUNE)
    assert client.find_public_structure(COMMUNE).identifier == COMMUNE


def test_an_unreachable_api_or_token_endpoint_is_unavailability(chorus_url):
    closed = f"http://127.0.0.1:{free_port()}"
    with client_of(closed, timeout=2) as client:
        with pytest.raises(ChorusProUnavailable, match="token endpoint is unreachable"):
            client.find_public_structure(COMMUNE)
    with client_of(closed, token_url=chorus_url + simulator.TOKEN_PATH, timeout=2) as client:
        with pytest.raises(ChorusProUnavailable, match=f"Chorus Pro is unreachable at {closed}"):
            client.find_public_structure(COMMUNE)
