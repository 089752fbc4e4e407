"""The supplier registry against the Sirene and BODACC simulators, over real sockets, and the checks on its answers."""
from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from jefacture.bodacc import BodaccClient
from jefacture.simulators import bodacc as bodacc_simulator
from jefacture.simulators import sirene as sirene_simulator
from jefacture.simulators.kit import free_port, stats
from jefacture.sirene import SireneClient
from jefacture_validation.adapters.registries import SupplierRegistry
from jefacture_validation.domain.checks import InvoiceUnderCheck, check_invoice

KEY = "test-sirene-key"
CLEAN = "614302875"  # PAPETERIE DU CANAL: active since 2008
CEASED = "389155623"  # TRAITEUR DES HALLES: ceased on 2024-03-31
IN_LIQUIDATION = "451209738"  # CHARPENTES DU VAL DE LOIRE: liquidation judiciaire since 2025-06-17
REDRESSEMENT_ENDED = "507813467"  # NETTOYAGE PRO OUEST: redressement 2023-03-14, ended 2024-09-10
RECENT = "874052194"  # HORIZON NEGOCE: created 20 days before the simulator started
ABSENT = "321970485"  # valid, in neither register
LIQUIDATION_CLOSED = "443178207"  # MENUISERIE GIRARD: liquidation closed in 2023, ceased
REGISTRY_CHECKS = {"supplier_not_in_sirene", "supplier_ceased", "supplier_in_proceedings", "supplier_recent",
                   "registry_unavailable"}


@pytest.fixture(scope="module")
def sirene_url():
    with sirene_simulator.running(api_key=KEY, rate_limit=0) as url:
        yield url


@pytest.fixture(scope="module")
def bodacc_url():
    with bodacc_simulator.running() as url:
        yield url


@pytest.fixture
def registry(sirene_url, bodacc_url):
    with SupplierRegistry.from_settings(SimpleNamespace(sirene_url=sirene_url, sirene_api_key=KEY,
                                                        bodacc_url=bodacc_url)) as suppliers:
        yield suppliers


def registry_anomalies(status) -> dict[str, str]:
    """The registry checks' anomalies on an otherwise clean purchase invoice of that supplier."""
    invoice = InvoiceUnderCheck(
        direction="purchase", document_type="invoice", kind="pdf_text", vat_breakdown=(("20", "100.00", "20.00"),),
        fields={"supplier_name": "Fournisseur", "supplier_siren": status.siren, "supplier_vat": "FR44732829320",
                "customer_name": "Boulangerie Martin", "customer_siren": "732829320", "invoice_number": "A-1",
                "issue_date": "2026-10-01", "total_excl_tax": "100.00", "total_tax": "20.00",
                "total_incl_tax": "120.00", "operation_nature": "goods"},
        findings=(), dossier_siren="732829320", known_supplier=True, supplier=status)
    return {anomaly.check: anomaly.reason for anomaly in check_invoice(invoice, date.today())
            if anomaly.check in REGISTRY_CHECKS}


def test_a_clean_supplier_is_found_active_without_proceedings(registry):
    status = registry.status(CLEAN)
    assert (status.siren, status.found_in_sirene, status.name) == (CLEAN, True, "PAPETERIE DU CANAL")
    assert (status.created_on, status.ceased_on, status.proceedings, status.unavailable) == (
        date(2008, 4, 14), None, (), None)
    assert registry_anomalies(status) == {}


def test_a_ceased_supplier_has_its_date_of_cessation(registry):
    status = registry.status(CEASED)
    assert (status.found_in_sirene, status.ceased_on) == (True, date(2024, 3, 31))
    assert "TRAITEUR DES HALLES (SIREN 389155623) a cessé son activité le 31/03/2024" in \
        registry_anomalies(status)["supplier_ceased"]


def test_a_supplier_in_liquidation_has_its_judgment(registry):
    status = registry.status(IN_LIQUIDATION)
    [judgment] = status.proceedings
    assert (judgment.kind, judgment.judgment_date, judgment.tribunal) == (
        "liquidation", date(2025, 6, 17), "TRIBUNAL DE COMMERCE D'ANGERS")
    assert status.ceased_on is None
    assert registry_anomalies(status) == {"supplier_in_proceedings": (
        "Le fournisseur CHARPENTES DU VAL DE LOIRE (SIREN 451209738) est en liquidation judiciaire depuis le "
        "17/06/2025 selon le BODACC (« Jugement d'ouverture de liquidation judiciaire » du 17/06/2025, TRIBUNAL DE "
        "COMMERCE D'ANGERS). Vérifiez à qui payer cette facture : le mandataire ou le liquidateur judiciaire peut en "
        "être chargé.")}


def test_a_redressement_that_was_ended_leaves_a_clean_supplier(registry):
    status = registry.status(REDRESSEMENT_ENDED)
    assert [(judgment.kind, judgment.judgment_date) for judgment in status.proceedings] == [
        ("closure", date(2024, 9, 10)), ("redressement", date(2023, 3, 14))]
    assert registry_anomalies(status) == {}


def test_a_closed_liquidation_is_a_ceased_supplier(registry):
    status = registry.status(LIQUIDATION_CLOSED)
    assert set(registry_anomalies(status)) == {"supplier_ceased"}


def test_a_supplier_created_recently_is_to_be_confirmed(registry):
    status = registry.status(RECENT)
    assert status.created_on == date.today() - timedelta(days=20)
    assert set(registry_anomalies(status)) == {"supplier_recent"}


def test_a_supplier_absent_from_sirene_is_reported(registry):
    status = registry.status(ABSENT)
    assert (status.found_in_sirene, status.name, status.proceedings, status.unavailable) == (False, None, (), None)
    assert set(registry_anomalies(status)) == {"supplier_not_in_sirene"}


def test_an_invalid_siren_has_no_status_and_asks_no_registry(registry, sirene_url, bodacc_url):
    before = stats(sirene_url)["requests"], stats(bodacc_url)["requests"]
    assert registry.status("614302876") is None and registry.status("") is None
    assert (stats(sirene_url)["requests"], stats(bodacc_url)["requests"]) == before


def test_a_siren_with_spaces_is_the_same_supplier_and_is_asked_once(registry, sirene_url, bodacc_url):
    first = registry.status("614 302 875")
    before = stats(sirene_url)["requests"], stats(bodacc_url)["requests"]
    assert registry.status(CLEAN) == first
    assert (stats(sirene_url)["requests"], stats(bodacc_url)["requests"]) == before


def test_an_unreachable_sirene_makes_the_status_unavailable_but_keeps_the_bodacc_answer(bodacc_url):
    with SupplierRegistry(SireneClient(f"http://127.0.0.1:{free_port()}", KEY, timeout=2),
                          BodaccClient(bodacc_url)) as suppliers:
        status = suppliers.status(IN_LIQUIDATION)
    assert (status.found_in_sirene, status.unavailable) == (None, "SIRENE ne répond pas")
    assert [judgment.kind for judgment in status.proceedings] == ["liquidation"]
    anomalies = registry_anomalies(status)
    assert set(anomalies) == {"registry_unavailable", "supplier_in_proceedings"}
    assert "n'a pas pu être vérifié automatiquement (SIRENE ne répond pas) : vérifiez à la main" in \
        anomalies["registry_unavailable"]


def test_a_bodacc_throttling_longer_than_the_client_waits_makes_the_status_unavailable(sirene_url):
    with bodacc_simulator.running(rate_limit=1, rate_window=60) as url, \
            SupplierRegistry(SireneClient(sirene_url, KEY), BodaccClient(url, max_wait=1)) as suppliers:
        assert suppliers.status(CLEAN).unavailable is None
        status = suppliers.status(IN_LIQUIDATION)
        assert stats(url)["throttled"] >= 1
    assert (status.found_in_sirene, status.name, status.proceedings, status.unavailable) == (
        True, "CHARPENTES DU VAL DE LOIRE", (), "BODACC ne répond pas")
    assert set(registry_anomalies(status)) == {"registry_unavailable"}


def test_a_refused_api_key_is_unavailable_rather_than_an_error(sirene_url, bodacc_url):
    with SupplierRegistry(SireneClient(sirene_url, "not-the-key"), BodaccClient(bodacc_url)) as suppliers:
        status = suppliers.status(CLEAN)
    assert (status.found_in_sirene, status.unavailable) == (None, "SIRENE a refusé la consultation")


def test_both_registries_down_are_named_together():
    port = free_port()
    with SupplierRegistry(SireneClient(f"http://127.0.0.1:{port}", KEY, timeout=2),
                          BodaccClient(f"http://127.0.0.1:{port}", timeout=2)) as suppliers:
        status = suppliers.status(CLEAN)
    assert status.unavailable == "SIRENE ne répond pas; BODACC ne répond pas"
