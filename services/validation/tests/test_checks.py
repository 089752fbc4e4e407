"""Every anomaly check, on a clean invoice changed in one way at a time."""
from dataclasses import replace
from datetime import date

import pytest

from jefacture_validation.domain.checks import (
    CHECK_NAMES,
    CHECKS,
    COMPANY,
    FIRM,
    InvoiceUnderCheck,
    Proceeding,
    Rules,
    SupplierStatus,
    check_invoice,
    proceeding_state,
)

TODAY = date(2026, 10, 15)
DOSSIER = "732829320"  # BOULANGERIE MARTIN
SUPPLIER = "552100554"  # FOURNITURES DUPONT
OTHER = "539204180"  # SCI LES TILLEULS
FIELDS = {
    "supplier_name": "Fournitures Dupont SAS", "supplier_siren": SUPPLIER, "supplier_siret": "55210055400021",
    "supplier_vat": "FR96552100554", "customer_name": "Boulangerie Martin SARL", "customer_siren": DOSSIER,
    "customer_vat": "FR44732829320", "invoice_number": "F2026-0042", "issue_date": "2026-10-01",
    "due_date": "2026-10-31", "currency": "EUR", "total_excl_tax": "1000.00", "total_tax": "155.00",
    "total_incl_tax": "1155.00", "iban": "FR7630006000011234567890189", "bic": "AGRIFRPP",
    "payment_terms": "30 jours", "operation_nature": "goods",
}
VAT_LINES = (("20", "500.00", "100.00"), ("5.5", "1000.00", "55.00"))
ACTIVE = SupplierStatus(siren=SUPPLIER, found_in_sirene=True, name="FOURNITURES DUPONT", created_on=date(1998, 3, 12))
OPENING = Proceeding("Jugement d'ouverture d'une procédure de redressement judiciaire", "redressement",
                     date(2025, 9, 23), "TRIBUNAL DE COMMERCE DE REIMS")
LIQUIDATION = Proceeding("Jugement d'ouverture de liquidation judiciaire", "liquidation", date(2026, 1, 27),
                         "TRIBUNAL DE COMMERCE DE SAINT-ETIENNE")
CONVERSION = Proceeding("Jugement de conversion en liquidation judiciaire", "liquidation", date(2026, 2, 10),
                        "TRIBUNAL DE COMMERCE DE REIMS")
CLOSURE = Proceeding("Jugement de clôture pour insuffisance d'actif", "closure", date(2026, 6, 20),
                     "TRIBUNAL DE COMMERCE DE SAINT-ETIENNE")
END_OF_REDRESSEMENT = Proceeding("Jugement mettant fin à la procédure de redressement judiciaire", "closure",
                                 date(2026, 3, 2), "TRIBUNAL DE COMMERCE DE REIMS")
STATE_OF_CREDITS = Proceeding("Dépôt de l'état des créances", "other", date(2026, 4, 1), None)


def purchase(without: tuple[str, ...] = (), **changes) -> InvoiceUnderCheck:
    """A clean purchase invoice of a known, active supplier; `without` drops fields, `fields` overrides some."""
    fields = {name: value for name, value in {**FIELDS, **changes.pop("fields", {})}.items() if name not in without}
    clean = InvoiceUnderCheck(direction="purchase", document_type="invoice", kind="pdf_text", fields=fields,
                              vat_breakdown=VAT_LINES, findings=(), dossier_siren=DOSSIER, known_supplier=True,
                              supplier=ACTIVE)
    return replace(clean, **changes)


def sale(**changes) -> InvoiceUnderCheck:
    """A clean sales invoice of the dossier's company (the supplier) to another company."""
    fields = {**FIELDS, "supplier_name": "Boulangerie Martin SARL", "supplier_siren": DOSSIER,
              "supplier_vat": "FR44732829320", "customer_name": "Fournitures Dupont SAS", "customer_siren": SUPPLIER,
              "customer_vat": "FR96552100554", **changes.pop("fields", {})}
    return purchase(direction="sale", fields=fields, known_supplier=False, supplier=None, **changes)


def supplier(**changes) -> SupplierStatus:
    return replace(ACTIVE, **changes)


def anomaly_of(name: str, invoice: InvoiceUnderCheck, today: date = TODAY):
    return CHECKS[name](invoice, Rules(today=today))


def test_clean_invoices_have_no_anomaly():
    assert check_invoice(purchase(), TODAY) == []
    assert check_invoice(sale(), TODAY) == []


# (check, invoice, audience, words of the reason); one row per way of failing it.
ANOMALIES = [
    ("incomplete", purchase(without=("supplier_vat",)), COMPANY,
     "Il manque sur la facture le numéro de TVA intracommunautaire du fournisseur."),
    ("incomplete", purchase(without=("supplier_siren", "customer_siren")), COMPANY,
     "Il manque sur la facture le SIREN du fournisseur et le SIREN du client."),
    ("incomplete", purchase(without=("invoice_number", "issue_date", "supplier_name", "customer_name")), COMPANY,
     "le numéro de facture, la date d'émission, le nom du fournisseur et le nom du client"),
    ("incomplete", purchase(without=("total_excl_tax", "total_tax", "total_incl_tax")), COMPANY,
     "le total HT, le total de la TVA et le total TTC"),
    ("incomplete", purchase(without=("operation_nature",)), COMPANY,
     "la nature de l'opération (livraison de biens, prestation de services ou les deux)"),
    ("incomplete", purchase(vat_breakdown=()), COMPANY,
     "Il manque sur la facture le détail de la TVA par taux, ou la mention d'exonération."),
    ("incomplete", purchase(fields={"supplier_siren": "552100555"}), COMPANY,
     "Mention illisible ou invalide sur la facture : le SIREN du fournisseur (552100555)."),
    ("incomplete", purchase(fields={"supplier_vat": "FR00552100554", "issue_date": "31/02/2026"}), COMPANY,
     "Mentions illisibles ou invalides sur la facture : la date d'émission (31/02/2026) et le numéro de TVA "
     "intracommunautaire du fournisseur (FR00552100554)."),
    ("incomplete", purchase(fields={"total_tax": "1OO.00", "operation_nature": "unknown"}), COMPANY,
     "le total de la TVA (1OO.00)"),
    ("incomplete", sale(fields={"customer_siren": "", "customer_vat": "FR99732829320"}), COMPANY,
     "Il manque sur la facture le SIREN du client."),
    ("wrong_dossier", purchase(fields={"customer_siren": OTHER}), COMPANY,
     f"Le SIREN du client sur la facture ({OTHER}) n'est pas celui du dossier ({DOSSIER}) : cette facture ne "
     f"semble pas destinée à cette société."),
    ("wrong_dossier", purchase(fields={"customer_siren": "539 204 180"}), COMPANY, f"({OTHER})"),
    ("wrong_dossier", sale(fields={"supplier_siren": OTHER}), COMPANY,
     f"Le SIREN du fournisseur sur la facture ({OTHER}) n'est pas celui du dossier ({DOSSIER}) : cette facture ne "
     f"semble pas émise par cette société."),
    ("unknown_supplier", purchase(known_supplier=False), COMPANY,
     f"C'est la première facture du fournisseur FOURNITURES DUPONT (SIREN {SUPPLIER}) dans ce dossier"),
    ("unknown_supplier", purchase(known_supplier=False, supplier=None), COMPANY,
     f"du fournisseur Fournitures Dupont SAS (SIREN {SUPPLIER})"),
    ("supplier_not_in_sirene", purchase(supplier=SupplierStatus(siren=SUPPLIER, found_in_sirene=False)), FIRM,
     f"Le SIREN du fournisseur Fournitures Dupont SAS (SIREN {SUPPLIER}) est introuvable dans le répertoire SIRENE"),
    ("supplier_ceased", purchase(supplier=supplier(ceased_on=date(2024, 3, 31))), FIRM,
     f"Le fournisseur FOURNITURES DUPONT (SIREN {SUPPLIER}) a cessé son activité le 31/03/2024 selon le "
     f"répertoire SIRENE."),
    ("supplier_ceased", purchase(supplier=supplier(proceedings=(CLOSURE, LIQUIDATION))), FIRM,
     "n'existe plus : sa liquidation judiciaire a été clôturée (« Jugement de clôture pour insuffisance d'actif » "
     "du 20/06/2026, TRIBUNAL DE COMMERCE DE SAINT-ETIENNE)."),
    ("supplier_in_proceedings", purchase(supplier=supplier(proceedings=(LIQUIDATION,))), FIRM,
     f"Le fournisseur FOURNITURES DUPONT (SIREN {SUPPLIER}) est en liquidation judiciaire depuis le 27/01/2026 "
     f"selon le BODACC (« Jugement d'ouverture de liquidation judiciaire » du 27/01/2026, TRIBUNAL DE COMMERCE "
     f"DE SAINT-ETIENNE)."),
    ("supplier_in_proceedings", purchase(supplier=supplier(proceedings=(STATE_OF_CREDITS, CONVERSION, OPENING))),
     FIRM, "est en liquidation judiciaire depuis le 23/09/2025 selon le BODACC (« Jugement de conversion en "
           "liquidation judiciaire » du 10/02/2026, TRIBUNAL DE COMMERCE DE REIMS)."),
    ("supplier_in_proceedings", purchase(supplier=supplier(proceedings=(OPENING,))), FIRM,
     "est en redressement judiciaire depuis le 23/09/2025"),
    ("supplier_recent", purchase(supplier=supplier(created_on=date(2026, 9, 25))), FIRM,
     f"Le fournisseur FOURNITURES DUPONT (SIREN {SUPPLIER}) a été créé le 25/09/2026, il y a 20 jour(s) : vérifiez "
     f"que le nom, le SIREN et les coordonnées bancaires de la facture sont bien les siens"),
    ("supplier_recent", purchase(supplier=supplier(created_on=date(2026, 7, 18))), FIRM, "il y a 89 jour(s)"),
    ("registry_unavailable", purchase(supplier=SupplierStatus(siren=SUPPLIER, found_in_sirene=None,
                                                              unavailable="SIRENE ne répond pas")), FIRM,
     f"Le fournisseur Fournitures Dupont SAS (SIREN {SUPPLIER}) n'a pas pu être vérifié automatiquement (SIRENE ne "
     f"répond pas) : vérifiez à la main"),
    ("duplicate", purchase(duplicates=("doc-7",)), COMPANY,
     "Cette facture a déjà été reçue dans ce dossier (même fournisseur et même numéro F2026-0042, ou même contenu) "
     ": document doc-7."),
    ("duplicate", purchase(duplicates=("doc-7", "doc-9")), COMPANY, "documents doc-7, doc-9."),
    ("totals_mismatch", purchase(fields={"total_incl_tax": "1155.02"}), COMPANY,
     "Les montants de la facture ne concordent pas : le total HT (1000,00 €) plus la TVA (155,00 €) font "
     "1155,00 €, mais le total TTC indiqué est 1155,02 €."),
    ("totals_mismatch", purchase(vat_breakdown=(("20", "500.00", "100.00"), ("5.5", "1000.00", "50.00"))), COMPANY,
     "les montants de TVA par taux font 150,00 €, mais le total de la TVA indiqué est 155,00 €."),
    ("totals_mismatch", purchase(fields={"total_tax": "150.00"}), COMPANY,
     "le total HT (1000,00 €) plus la TVA (150,00 €) font 1150,00 €, mais le total TTC indiqué est 1155,00 € et "
     "les montants de TVA par taux font 155,00 €, mais le total de la TVA indiqué est 150,00 €."),
    ("due_before_issue", purchase(fields={"due_date": "2026-09-30"}), COMPANY,
     "La date d'échéance (30/09/2026) est antérieure à la date d'émission (01/10/2026)"),
]


@pytest.mark.parametrize(("check", "invoice", "audience", "words"), ANOMALIES)
def test_an_anomaly_names_its_check_audience_and_reason(check, invoice, audience, words):
    anomaly = anomaly_of(check, invoice)
    assert anomaly is not None, f"{check} found nothing"
    assert (anomaly.check, anomaly.audience) == (check, audience)
    assert words in anomaly.reason, anomaly.reason


def test_every_check_has_a_failing_row_and_the_others_stay_silent_on_it():
    assert {row[0] for row in ANOMALIES} == set(CHECK_NAMES)
    # unknown_supplier alongside the registry checks is expected: each row changes one thing of a known supplier.
    for check, invoice, _audience, _words in ANOMALIES:
        raised = {anomaly.check for anomaly in check_invoice(invoice, TODAY)}
        assert raised == {check}, (check, invoice, raised)


# (check, invoice): close to an anomaly, but not one.
NO_ANOMALY = [
    ("incomplete", purchase(vat_breakdown=(), fields={"total_tax": "0.00", "total_incl_tax": "1000.00",
                                                      "vat_exemption": "TVA non applicable, art. 293 B du CGI"})),
    ("incomplete", purchase(without=("supplier_siren",), fields={"supplier_vat": "DE136695976"})),
    ("incomplete", purchase(without=("due_date", "iban", "bic", "payment_terms", "purchase_order", "currency"))),
    ("incomplete", purchase(fields={"operation_nature": "mixed"})),
    ("wrong_dossier", purchase(without=("customer_siren",))),
    ("wrong_dossier", purchase(fields={"customer_siren": "539204181"})),  # invalid: reported as incomplete
    ("wrong_dossier", purchase(fields={"supplier_siren": OTHER})),  # a purchase's supplier is anyone
    ("wrong_dossier", sale(fields={"customer_siren": OTHER})),
    ("unknown_supplier", sale()),
    ("supplier_not_in_sirene", purchase(supplier=None)),
    ("supplier_not_in_sirene", purchase(supplier=SupplierStatus(siren=SUPPLIER, found_in_sirene=None,
                                                                unavailable="SIRENE ne répond pas"))),
    ("supplier_ceased", purchase(supplier=supplier(proceedings=(LIQUIDATION,)))),
    ("supplier_ceased", purchase(supplier=supplier(proceedings=(OPENING, END_OF_REDRESSEMENT)))),
    ("supplier_in_proceedings", purchase(supplier=supplier(proceedings=(END_OF_REDRESSEMENT, OPENING)))),
    ("supplier_in_proceedings", purchase(supplier=supplier(proceedings=(LIQUIDATION, CLOSURE)))),
    ("supplier_in_proceedings", purchase(supplier=supplier(proceedings=(STATE_OF_CREDITS,)))),
    ("supplier_recent", purchase(supplier=supplier(created_on=date(2026, 7, 17)))),  # exactly 90 days
    ("supplier_recent", purchase(supplier=supplier(created_on=None))),
    ("registry_unavailable", purchase(supplier=SupplierStatus(siren=SUPPLIER, found_in_sirene=False))),
    ("duplicate", purchase(duplicates=())),
    ("totals_mismatch", purchase(fields={"total_incl_tax": "1155.01"})),  # within a cent
    ("totals_mismatch", purchase(vat_breakdown=(("20", "500.00", "100.00"), ("5.5", "1000.00", "55.01")))),
    ("totals_mismatch", purchase(without=("total_incl_tax",))),
    ("totals_mismatch", purchase(vat_breakdown=(("20", "500.00", "illisible"),))),
    ("totals_mismatch", purchase(fields={"total_excl_tax": "-1000.00", "total_tax": "-155.00",
                                         "total_incl_tax": "-1155.00"}, vat_breakdown=(), document_type="credit_note")),
    ("due_before_issue", purchase(fields={"due_date": "2026-10-01"})),
    ("due_before_issue", purchase(without=("due_date",))),
    ("due_before_issue", purchase(fields={"due_date": "30/09/2026"})),
]


@pytest.mark.parametrize(("check", "invoice"), NO_ANOMALY)
def test_no_anomaly(check, invoice):
    assert anomaly_of(check, invoice) is None


def test_check_invoice_gives_every_anomaly_in_the_order_of_the_table():
    invoice = purchase(known_supplier=False, duplicates=("doc-2",), without=("operation_nature",),
                       fields={"customer_siren": OTHER, "due_date": "2026-09-01"},
                       supplier=supplier(created_on=date(2026, 10, 1), proceedings=(OPENING,)))
    assert [anomaly.check for anomaly in check_invoice(invoice, TODAY)] == [
        "incomplete", "wrong_dossier", "unknown_supplier", "supplier_in_proceedings", "supplier_recent", "duplicate",
        "due_before_issue"]


def test_how_recent_a_supplier_must_be_is_a_rule():
    invoice = purchase(supplier=supplier(created_on=date(2026, 5, 1)))
    assert check_invoice(invoice, TODAY) == []
    assert [anomaly.check for anomaly in check_invoice(invoice, TODAY, recent_supplier_days=365)] == [
        "supplier_recent"]


def test_a_proceeding_reopened_after_a_closure_is_ongoing_again():
    reopened = Proceeding("Jugement d'ouverture d'une procédure de sauvegarde", "sauvegarde", date(2026, 9, 1), None)
    state = proceeding_state((reopened, END_OF_REDRESSEMENT, OPENING))
    assert state.ongoing == (reopened,) and state.closed_liquidation is None
    closed = proceeding_state((OPENING, CONVERSION, CLOSURE))
    assert closed.ongoing == () and closed.closed_liquidation == CLOSURE
