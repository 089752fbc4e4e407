"""Rules that let the reader read layouts nobody studied, each shown on a few synthetic word boxes."""
from jefacture_ocr.domain.invoice_reader import read_invoice
from jefacture_ocr.domain.layout import build_lines
from jefacture_ocr.domain.reading import VatLine

from .test_invoice_reader import TOTAL_TTC, assert_fields, ocr_page, phrase


def read(*rows: tuple):
    return read_invoice([ocr_page(*rows, TOTAL_TTC)], kind="ocr")


def labels_of(text: str) -> list[tuple[str, str]]:
    line = build_lines([ocr_page((0.3, 0.08, text))])[0]
    return [(hit.kind, hit.text) for hit in line.hits]


# ---------------------------------------------------------------- label phrases

def test_a_sure_label_completed_by_a_weaker_one_after_de_is_one_label():
    assert labels_of("Échéance de paiement") == [("due_date", "Échéance de paiement")]
    reading = read((0.2, 0.08, "Échéance de paiement", 0.4, "31/07/2026"))
    assert_fields(reading, {"due_date": "2026-07-31"})
    assert "payment_terms" not in reading.fields


def test_labels_of_equal_or_lesser_sureness_stay_apart():
    assert [kind for kind, _ in labels_of("Numéro de compte client")] == ["invoice_number", "other"]
    assert [kind for kind, _ in labels_of("Montant de la facture")] == ["total_any", "invoice_number"]
    reading = read((0.2, 0.08, "N° de client : C00412"), (0.23, 0.08, "Maison Arnaud"),
                   (0.245, 0.08, "4 rue des Forges, 21000 Dijon"))
    assert "customer_name" not in reading.fields


def test_the_document_s_name_before_a_party_label_and_a_number_sign_after_a_label_belong_to_them():
    assert labels_of("Facture adressée à") == [("customer", "Facture adressée à")]
    assert labels_of("Votre commande n° : BC-77") == [("purchase_order", "Votre commande n°")]
    reading = read((0.1, 0.08, "Facture adressée à", 0.6, "Atelier Roux SARL"),
                   (0.118, 0.08, "Garage Central", 0.6, "3 rue Haute, 69002 Lyon"),
                   (0.136, 0.08, "8 quai Nord, 33000 Bordeaux", 0.6, "N° de TVA : FR40303265045"),
                   (0.154, 0.08, "N° de TVA : FR96552100554"),
                   (0.3, 0.08, "Votre commande n° : BC-2025-2576"))
    assert_fields(reading, {"customer_name": "Garage Central", "customer_vat": "FR96552100554",
                            "supplier_vat": "FR40303265045", "purchase_order": "BC-2025-2576"})


def test_a_label_goes_on_over_a_few_words_up_to_its_colon():
    assert labels_of("Livraison prévue au : 12 rue Neuve") == [("delivery_address", "Livraison prévue au")]
    reading = read((0.3, 0.08, "Livraison prévue au : 12 rue Neuve, 59000 Lille."))
    assert reading.value("delivery_address") == "12 rue Neuve, 59000 Lille."


def test_a_label_cell_ending_on_a_complement_has_its_value_in_the_next_cell():
    reading = read((0.3, 0.08, "Adresse de livraison des marchandises", 0.45, "12 rue Neuve, 59000 Lille"))
    assert reading.value("delivery_address") == "12 rue Neuve, 59000 Lille"


def test_a_label_wrapped_in_its_cell_has_its_value_between_its_two_lines():
    grid = [phrase(0.08, 0.43, "Lieu d'exécution de la", height=0.01),
            phrase(0.4, 0.436, "63 rue de la Paix, 29200 Brest", height=0.01),
            phrase(0.08, 0.442, "prestation", height=0.01),
            phrase(0.08, 0.47, "Mode de paiement", height=0.01), phrase(0.4, 0.47, "Virement", height=0.01)]
    reading = read_invoice([grid + ocr_page(TOTAL_TTC)], kind="ocr")
    assert reading.value("delivery_address") == "63 rue de la Paix, 29200 Brest"


def test_a_value_cell_may_open_with_the_word_of_the_label_beside_it():
    assert read((0.3, 0.08, "Paiement", 0.3, "Paiement à réception")).value("payment_terms") == "Paiement à réception"


def test_a_row_of_labels_of_one_kind_keeps_each_label():
    assert labels_of("Conditions de paiement\tMode de règlement") == [
        ("payment_terms", "Conditions de paiement"), ("payment_terms", "Mode de règlement")]


def test_due_dates_announced_in_other_words():
    for label in ("À payer pour le", "À régler au plus tard le", "Payable jusqu'au", "Payment due date"):
        assert read((0.3, 0.08, label, 0.3, "14/01/2026")).value("due_date") == "2026-01-14", label


# ---------------------------------------------------------------- facts in sentences

def test_a_party_named_in_a_sentence_with_its_address_and_identifiers():
    reading = read((0.136, 0.08, "À l'attention de : Cabinet Legrand, 103 rue Nationale, 31000 Toulouse."),
                   (0.15, 0.08, "SIREN : 566 168 332. TVA : FR 88 566168332."),
                   (0.3, 0.08, "Facture n° : F-12, établie le : 16-08-2026."))
    assert_fields(reading, {"customer_name": "Cabinet Legrand", "customer_siren": "566168332",
                            "customer_vat": "FR88566168332", "invoice_number": "F-12", "issue_date": "2026-08-16"})


def test_an_elided_l_read_as_a_one_by_ocr_still_makes_the_label():
    for misread in ("À 1'attention de", "À1'attention de"):
        reading = read((0.136, 0.08, f"{misread} : Cabinet Legrand, 103 rue Nationale, 31000 Toulouse."))
        assert reading.value("customer_name") == "Cabinet Legrand", misread


def test_a_label_opening_a_clause_with_its_colon_announces_the_clause():
    reading = read((0.3, 0.08, "Payable le : 05/05/2026 (conditions : 30 jours net) par chèque."))
    assert_fields(reading, {"due_date": "2026-05-05", "payment_terms": "30 jours net"})


def test_a_sentence_asking_to_pay_by_a_date_gives_the_due_date():
    reading = read((0.25, 0.08, "Objet : Facture n° F2026-0042 du 12/03/2026"),
                   (0.3, 0.08, "Nous vous remercions de bien vouloir régler cette somme avant le 11 avril 2026."))
    assert_fields(reading, {"due_date": "2026-04-11", "issue_date": "2026-03-12", "invoice_number": "F2026-0042"})
    delivered = read((0.3, 0.08, "Livraison avant le 11 avril 2026."))
    assert "due_date" not in delivered.fields


def test_a_label_inside_a_sentence_announces_nothing_even_with_a_colon():
    reading = read((0.3, 0.08, "En cas de retard de paiement : pénalités de 3 fois le taux légal."))
    assert "payment_terms" not in reading.fields


# ---------------------------------------------------------------- parties and free texts

def test_the_seller_named_only_in_the_small_print_after_by_whom_the_sale_was_made():
    reading = read((0.1, 0.08, "Adresse de facturation"), (0.115, 0.08, "Hôtel Garnier"),
                   (0.13, 0.08, "9 rue Vieille, 13001 Marseille"),
                   (0.9, 0.1, "Vente réalisée par Simon Traiteur SASU (SASU au capital de 5 000 €) - RCS Lyon "
                              "558 628 111"),
                   (0.91, 0.1, "- N° TVA intracommunautaire FR 19 558628111 - Code APE 4724Z"))
    assert_fields(reading, {"supplier_name": "Simon Traiteur SASU", "customer_name": "Hôtel Garnier",
                            "supplier_vat": "FR19558628111"})


def test_the_small_print_may_open_on_the_word_societe_before_the_name():
    reading = read((0.12, 0.08, "Client : Garage Central"),
                   (0.9, 0.1, "Société Dupont Frères SARL au capital de 10 000 € - RCS Lyon 552 100 554"))
    assert reading.value("supplier_name") == "Dupont Frères SARL"


def test_a_siren_printed_before_its_registry_label():
    reading = read((0.12, 0.08, "Client : Garage Central"),
                   (0.9, 0.1, "Dupont SARL, immatriculée sous le numéro 552 100 554 RCS Lyon"))
    assert reading.value("supplier_siren") == "552100554"


def test_a_party_named_before_its_identifiers_in_one_sentence():
    reading = read((0.12, 0.08, "Client : Garage Central"),
                   (0.9, 0.1, "Document émis par Dupont Frères SARL, SIREN 552 100 554"))
    assert_fields(reading, {"supplier_name": "Dupont Frères SARL", "supplier_siren": "552100554"})


def test_a_party_heading_in_capitals_that_ocr_misspelt_still_announces_the_party():
    reading = read((0.1, 0.08, "VENDEUR"), (0.115, 0.08, "Dénomination", 0.35, "Martin & Dupont EURL"),
                   (0.13, 0.08, "Siège social", 0.35, "11 avenue Victor Hugo, 06000 Nice"),
                   (0.145, 0.08, "Numéro SIREN", 0.35, "628 017 519"),
                   (0.16, 0.08, "Contact", 0.35, "05 94 94 96 29 - contact@martindupont.fr"),
                   (0.175, 0.08, "ACHETBUR"), (0.19, 0.08, "Dénomination", 0.35, "Cabinet Moreau"),
                   (0.205, 0.08, "Adresse de facturation", 0.35, "73 rue Carnot, 13006 Marseille"),
                   (0.22, 0.08, "Numéro SIREN", 0.35, "582 750 253"))
    assert_fields(reading, {"supplier_name": "Martin & Dupont EURL", "supplier_siren": "628017519",
                            "customer_name": "Cabinet Moreau", "customer_siren": "582750253"})


def test_the_customer_s_name_over_the_delivery_address_is_neither_the_address_nor_the_issuer():
    reading = read((0.1, 0.08, "Adresse de facturation", 0.5, "Adresse de livraison"),
                   (0.115, 0.08, "Cabinet Blanc EURL", 0.5, "Cabinet Blanc EURL"),
                   (0.13, 0.08, "161 impasse des Tilleuls", 0.5, "146 chemin des Vignes"),
                   (0.145, 0.08, "86000 Poitiers", 0.5, "44000 Nantes"))
    assert reading.value("delivery_address") == "146 chemin des Vignes, 44000 Nantes"
    assert reading.value("supplier_name") != "Cabinet Blanc EURL"


def test_customers_announced_in_other_words():
    for rows in ([(0.12, 0.08, "Maître d'ouvrage : Garage Central"), (0.135, 0.08, "12 rue Neuve, 59000 Lille")],
                 [(0.12, 0.08, "Société cliente : Garage Central")],
                 [(0.12, 0.08, "CLIENT"), (0.135, 0.08, "Nom / Raison sociale : Garage Central"),
                  (0.15, 0.08, "Adresse : 12 rue Neuve, 59000 Lille")],
                 [(0.12, 0.08, "Client : Garage Central (TVA FR40303265045)")]):
        assert read(*rows).value("customer_name") == "Garage Central", rows


def test_a_heading_of_a_few_words_ending_on_a_party_s_word_announces_that_party():
    reading = read((0.05, 0.08, "Dupont Frères SARL"), (0.065, 0.08, "3 rue Haute, 69002 Lyon"),
                   (0.12, 0.55, "COORDONNÉES CLIENT"), (0.135, 0.55, "Garage Central"),
                   (0.15, 0.55, "12 rue Neuve, 59000 Lille"), (0.165, 0.55, "SIREN 303 265 045"))
    assert_fields(reading, {"customer_name": "Garage Central", "customer_siren": "303265045",
                            "supplier_name": "Dupont Frères SARL"})
    ours_yours = read((0.05, 0.08, "Nos coordonnées", 0.55, "Vos coordonnées"),
                      (0.065, 0.08, "Dupont Frères SARL", 0.55, "Garage Central"),
                      (0.08, 0.08, "3 rue Haute, 69002 Lyon", 0.55, "12 rue Neuve, 59000 Lille"),
                      (0.095, 0.08, "SIREN 552 100 554", 0.55, "SIREN 303 265 045"))
    assert_fields(ours_yours, {"supplier_name": "Dupont Frères SARL", "supplier_siren": "552100554",
                               "customer_name": "Garage Central", "customer_siren": "303265045"})


def test_the_customer_s_account_number_over_an_address_block_marks_the_customer():
    reading = read((0.05, 0.08, "Dupont Frères SARL"), (0.065, 0.08, "3 rue Haute, 69002 Lyon"),
                   (0.08, 0.08, "SIREN 552 100 554"), (0.15, 0.55, "Client n° C0042"),
                   (0.165, 0.55, "Garage Central"), (0.18, 0.55, "12 rue Neuve, 59000 Lille"),
                   (0.195, 0.55, "SIREN 303 265 045"))
    assert_fields(reading, {"supplier_name": "Dupont Frères SARL", "supplier_siren": "552100554",
                            "customer_name": "Garage Central", "customer_siren": "303265045"})


def test_a_due_date_given_as_terms_gives_the_payment_terms():
    reading = read((0.3, 0.08, "Échéance : à réception de facture"))
    assert reading.value("payment_terms") == "à réception de facture"
    assert "due_date" not in reading.fields
    dated = read((0.3, 0.08, "Échéance : 31/03/2026"))
    assert "payment_terms" not in dated.fields


def test_terms_saying_when_to_pay_win_over_a_means_of_payment():
    reading = read((0.3, 0.08, "Mode de paiement : virement bancaire"), (0.315, 0.08, "Conditions : 30 jours net"))
    assert reading.value("payment_terms") == "30 jours net"
    alone = read((0.3, 0.08, "Mode de paiement : virement bancaire"))
    assert alone.value("payment_terms") == "virement bancaire"


def test_a_heading_over_a_row_with_its_own_label_does_not_take_that_row():
    reading = read((0.3, 0.08, "Paiement"), (0.315, 0.08, "Conditions : 45 jours fin de mois"))
    assert reading.value("payment_terms") == "45 jours fin de mois"


# ---------------------------------------------------------------- VAT per rate

def test_vat_per_rate_told_in_sentences_among_items_told_in_sentences():
    words = ocr_page(
        (0.3, 0.08, "1. Boissons : 10 u à 50,00 HT l'unité, TVA à 20 %, soit un montant HT de 500,00."),
        (0.32, 0.08, "2. Gâteaux : 2 u à 100,00 HT l'unité, TVA à 5,5 %, soit un montant HT de 200,00."),
        (0.35, 0.08, "Montant net HT : 700,00 €. Montant de la TVA : 111,00 € (dont TVA à 20 % : 100,00 € sur"),
        (0.365, 0.08, "une base de 500,00 et TVA à 5,5 % : 11,00 € sur une base de 200,00)."),
        (0.38, 0.08, "Net à payer TTC : 811,00 €."))
    reading = read_invoice([words], kind="ocr")
    assert_fields(reading, {"total_excl_tax": "700.00", "total_tax": "111.00", "total_incl_tax": "811.00"})
    assert sorted(reading.vat_breakdown, key=lambda line: line.rate) == [
        VatLine("20.00", "500.00", "100.00"), VatLine("5.50", "200.00", "11.00")]


def test_of_amounts_run_together_under_a_row_of_labels_each_label_takes_the_one_under_it():
    words = ocr_page((0.4, 0.08, "Total HT", 0.2, "TVA 20 %", 0.45, "Total TTC"),
                     (0.415, 0.08, "1 000,00 EUR 200,00 EUR", 0.45, "1 200,00 EUR"))
    reading = read_invoice([words], kind="ocr")
    assert_fields(reading, {"total_excl_tax": "1000.00", "total_incl_tax": "1200.00"})
    assert reading.vat_breakdown == [VatLine("20.00", "1000.00", "200.00")]


def test_a_total_read_with_a_little_less_ocr_confidence_still_beats_many_item_amounts_with_the_same_label():
    items = [phrase(0.08, 0.2 + 0.02 * number, f"{number}. Article : soit un montant HT de {number}0,00.",
                    confidence=0.97) for number in range(1, 8)]
    totals = [phrase(0.08, 0.4, "Montant net HT : 280,00 €. Montant de la TVA : 56,00 €.", confidence=0.95),
              phrase(0.08, 0.42, "Net à payer TTC : 336,00 €.", confidence=0.95)]
    reading = read_invoice([items + totals], kind="ocr")
    assert_fields(reading, {"total_excl_tax": "280.00", "total_tax": "56.00", "total_incl_tax": "336.00"})


def test_vat_named_in_full_words_gives_its_rate_line():
    words = ocr_page((0.6, 0.5, "Total hors taxes :", 0.82, "1.000,00 €"),
                     (0.615, 0.5, "Taxe sur la valeur ajoutée 20 % :", 0.82, "200,00 €"),
                     (0.63, 0.5, "Total toutes taxes comprises :", 0.82, "1.200,00 €"))
    reading = read_invoice([words], kind="ocr")
    assert reading.value("total_tax") == "200.00"
    assert reading.vat_breakdown == [VatLine("20.00", "1000.00", "200.00")]
