"""Realistic French invoices from a seed: parties with valid SIREN/SIRET/VAT numbers, bank details, lines, terms.

Invoice `index` of seed `seed` is the same whatever the corpus size, so a small corpus is the start of a large one.
"""
import calendar
import random
from datetime import date, timedelta
from decimal import Decimal

from schwifty import IBAN
from stdnum import luhn
from stdnum.fr import siren as siren_number

from .model import CREDIT_NOTE, GOODS, INVOICE, SERVICES, Address, Invoice, Line, Look, Party

SURNAMES = ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
            "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
            "Morel", "Girard", "Andre", "Lefevre", "Mercier", "Dupont", "Lambert", "Bonnet", "Francois", "Martinez",
            "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guerin", "Muller", "Henry", "Roussel", "Nicolas",
            "Perrin", "Morin", "Mathieu", "Clement", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin")
STREETS = ("rue de la République", "avenue Victor Hugo", "boulevard Gambetta", "rue des Lilas", "place du Marché",
           "rue Jean Jaurès", "chemin des Vignes", "impasse des Tilleuls", "rue du Général Leclerc",
           "avenue de la Gare", "rue Pasteur", "allée des Peupliers", "rue Nationale", "quai des Chartrons",
           "rue de Verdun", "boulevard Voltaire", "rue des Écoles", "route de Paris", "rue Émile Zola",
           "avenue des Champs", "rue du Moulin", "rue Saint-Michel", "cours Mirabeau", "rue de la Paix",
           "zone artisanale des Forges", "rue Ampère", "avenue Jean Moulin", "rue du Château", "rue Carnot")
CITIES = (("75011", "Paris"), ("69003", "Lyon"), ("13006", "Marseille"), ("31000", "Toulouse"), ("33000", "Bordeaux"),
          ("44000", "Nantes"), ("59000", "Lille"), ("67000", "Strasbourg"), ("34000", "Montpellier"),
          ("35000", "Rennes"), ("06000", "Nice"), ("38000", "Grenoble"), ("21000", "Dijon"), ("49100", "Angers"),
          ("37000", "Tours"), ("87000", "Limoges"), ("63000", "Clermont-Ferrand"), ("29200", "Brest"),
          ("51100", "Reims"), ("76000", "Rouen"), ("64000", "Pau"), ("25000", "Besançon"), ("80000", "Amiens"),
          ("57000", "Metz"), ("86000", "Poitiers"), ("17000", "La Rochelle"), ("74000", "Annecy"),
          ("84000", "Avignon"), ("66000", "Perpignan"), ("92100", "Boulogne-Billancourt"), ("94300", "Vincennes"),
          ("78000", "Versailles"), ("45000", "Orléans"), ("14000", "Caen"), ("30000", "Nîmes"))
LEGAL_FORMS = ("SARL", "SAS", "SASU", "EURL", "SA")
BANK_CODES = ("30004", "30003", "30002", "10278", "30066", "20041", "10207", "11306", "13335", "18206", "10107",
              "15589", "42559", "10096", "17515")
APE_CODES = ("4332A", "4711D", "5610A", "6202A", "7022Z", "4941A", "4646Z", "1812Z", "8121Z", "4520A", "4761Z",
             "4391B", "7112B", "4724Z", "4690Z")

# A trade: the words of its name and its catalogue (description, unit, price range, VAT rate, goods/services).
TRADES = {
    "Boulangerie": [("Baguettes tradition (lot de 50)", "lot", (45, 60), "5.5", GOODS),
                    ("Viennoiseries assorties", "kg", (12, 18), "5.5", GOODS),
                    ("Gâteaux pour réception", "u", (25, 80), "5.5", GOODS),
                    ("Boissons fraîches", "u", (1.2, 3.5), "20", GOODS),
                    ("Livraison matinale", "forfait", (15, 35), "20", SERVICES)],
    "Traiteur": [("Cocktail déjeunatoire (par pers.)", "u", (18, 35), "10", SERVICES),
                 ("Plateau repas", "u", (14, 26), "10", SERVICES),
                 ("Vins et champagne", "bouteille", (9, 45), "20", GOODS),
                 ("Service en salle", "h", (32, 45), "10", SERVICES),
                 ("Location de vaisselle", "forfait", (60, 220), "20", SERVICES)],
    "Menuiserie": [("Fourniture portes intérieures", "u", (180, 420), "20", GOODS),
                   ("Pose de fenêtres PVC", "u", (150, 300), "10", SERVICES),
                   ("Parquet chêne massif", "m²", (45, 95), "20", GOODS),
                   ("Main d'oeuvre rénovation", "h", (38, 55), "10", SERVICES),
                   ("Déplacement", "forfait", (30, 80), "10", SERVICES)],
    "Informatique": [("Développement application", "j", (450, 750), "20", SERVICES),
                     ("Licence logicielle annuelle", "u", (120, 990), "20", SERVICES),
                     ("Ordinateur portable 14 pouces", "u", (780, 1650), "20", GOODS),
                     ("Maintenance serveur", "h", (65, 110), "20", SERVICES),
                     ("Écran 27 pouces", "u", (190, 420), "20", GOODS)],
    "Conseil": [("Mission d'audit organisationnel", "j", (800, 1400), "20", SERVICES),
                ("Atelier de formation", "j", (900, 1600), "20", SERVICES),
                ("Frais de déplacement", "forfait", (80, 450), "20", SERVICES),
                ("Rapport de synthèse", "u", (400, 1200), "20", SERVICES)],
    "Fournitures": [("Ramettes papier A4 80 g", "carton", (28, 42), "20", GOODS),
                    ("Cartouches d'encre", "u", (18, 65), "20", GOODS),
                    ("Classeurs à levier", "lot", (12, 25), "20", GOODS),
                    ("Stylos bille bleus (boîte)", "boîte", (6, 14), "20", GOODS),
                    ("Fauteuil de bureau", "u", (140, 390), "20", GOODS)],
    "Transports": [("Transport de marchandises", "km", (1.2, 2.4), "20", SERVICES),
                   ("Manutention", "h", (35, 55), "20", SERVICES),
                   ("Transport de personnes", "forfait", (90, 480), "10", SERVICES),
                   ("Stockage palette", "u", (8, 15), "20", SERVICES)],
    "Librairie": [("Ouvrages techniques", "u", (25, 95), "5.5", GOODS),
                  ("Abonnement presse quotidienne", "u", (180, 420), "2.1", GOODS),
                  ("Revues professionnelles", "u", (8, 18), "2.1", GOODS),
                  ("Fournitures de papeterie", "lot", (15, 60), "20", GOODS)],
    "Garage": [("Pneumatiques 205/55 R16", "u", (75, 140), "20", GOODS),
               ("Vidange et filtres", "forfait", (89, 160), "20", SERVICES),
               ("Plaquettes de frein", "u", (45, 120), "20", GOODS),
               ("Main d'oeuvre atelier", "h", (55, 85), "20", SERVICES)],
    "Nettoyage": [("Entretien des locaux", "mois", (450, 1800), "20", SERVICES),
                  ("Nettoyage des vitres", "forfait", (120, 390), "20", SERVICES),
                  ("Produits d'entretien", "lot", (35, 90), "20", GOODS)],
    "Pharmacie": [("Médicaments remboursables", "u", (4, 35), "2.1", GOODS),
                  ("Matériel de premiers secours", "u", (18, 60), "20", GOODS),
                  ("Compléments alimentaires", "u", (9, 30), "5.5", GOODS)],
    "Électricité": [("Tableau électrique", "u", (350, 900), "20", GOODS),
                    ("Mise aux normes installation", "h", (45, 65), "10", SERVICES),
                    ("Câblage et gaines", "m", (2.5, 6), "20", GOODS),
                    ("Diagnostic électrique", "forfait", (120, 260), "20", SERVICES)],
}
NAME_PATTERNS = ("{trade} {surname}", "{surname} {trade}", "{trade} {surname} et Fils", "Établissements {surname}",
                 "{surname} & {surname2}", "{trade} du {city}", "Groupe {surname}")
CUSTOMER_PATTERNS = ("{surname} Distribution", "Cabinet {surname}", "Hôtel {surname}", "{surname} Immobilier",
                     "Clinique {surname}", "Restaurant Chez {surname}", "{surname} Industrie", "Mairie de {city}",
                     "{surname} Logistique", "Association {surname} Sports", "{surname} Architectes",
                     "Boutique {surname}")
TERMS = (("Paiement à réception", 0, False), ("30 jours net", 30, False), ("30 jours fin de mois", 30, True),
         ("45 jours fin de mois", 45, True), ("60 jours date de facture", 60, False),
         ("Paiement à 30 jours par virement", 30, False), ("Comptant à réception de facture", 0, False))
NUMBER_FORMATS = ("F{year}-{seq:04d}", "FAC-{yy}-{seq:05d}", "{year}/{seq:04d}", "FA{yy}{seq:04d}",
                  "INV-{seq:06d}", "{yy}{month:02d}-{seq:03d}")
CREDIT_FORMATS = ("AV{year}-{seq:04d}", "A-{year}-{seq:03d}", "AVOIR-{seq:05d}")
PO_FORMATS = ("BC-{year}-{seq:04d}", "PO-{seq:05d}", "CMD-{seq:06d}", "45{seq:08d}", "DA{yy}/{seq:03d}")
FONTS = ("Helvetica", "Times", "Courier")


def make_invoice(seed: int, index: int, layout: str, font: str | None = None) -> Invoice:
    """Invoice number `index` of the corpus `seed`, meant for `layout` (which may force the font)."""
    rng = random.Random(f"jefacture-eval-{seed}-{index}")
    trade = rng.choice(sorted(TRADES))
    supplier = _supplier(rng, trade)
    customer = _customer(rng)
    issue = date(2025, 1, 1) + timedelta(days=rng.randrange(700))
    terms, days, end_of_month = rng.choice(TERMS)
    due = _due_date(issue, days, end_of_month) if rng.random() < 0.92 else None
    is_credit = rng.random() < 0.12
    iban, bic = _bank_account(rng) if rng.random() < 0.88 else (None, None)
    return Invoice(
        id=f"inv-{index:04d}", index=index, layout=layout, document_type=CREDIT_NOTE if is_credit else INVOICE,
        number=_number(rng, issue, CREDIT_FORMATS if is_credit else NUMBER_FORMATS),
        issue_date=issue, due_date=due, currency="EUR" if rng.random() < 0.95 else rng.choice(("USD", "CHF", "GBP")),
        supplier=supplier, customer=customer, lines=_lines(rng, trade), look=_look(rng, font),
        payment_terms=terms if rng.random() < 0.9 else None,
        purchase_order=_number(rng, issue, PO_FORMATS) if rng.random() < 0.4 else None,
        delivery=_address(rng) if rng.random() < 0.3 else None,
        iban=iban, bic=bic, show_nature=rng.random() < 0.85,
        customer_code=f"C{rng.randrange(10000):05d}",
        original_invoice=_number(rng, issue, NUMBER_FORMATS) if is_credit else "",
    )


def siren_from(rng: random.Random) -> str:
    body = f"{rng.randrange(1, 10)}{rng.randrange(10**7):07d}"
    return body + luhn.calc_check_digit(body)


def siret_from(rng: random.Random, siren: str) -> str:
    body = f"{siren}{rng.randrange(1, 100):04d}"
    return body + luhn.calc_check_digit(body)


def vat_from(siren: str) -> str:
    return "FR" + siren_number.to_tva(siren)


def _supplier(rng: random.Random, trade: str) -> Party:
    siren = siren_from(rng)
    form = rng.choice(LEGAL_FORMS)
    name = _name(rng, rng.choice(NAME_PATTERNS), trade)
    address = _address(rng)
    return Party(name=f"{name} {form}" if rng.random() < 0.6 else name, address=address, siren=siren,
                 siret=siret_from(rng, siren), vat=vat_from(siren), legal_form=form,
                 capital=rng.choice((1000, 5000, 7500, 10000, 37000, 50000, 150000)),
                 rcs_city=address.city, ape=rng.choice(APE_CODES), phone=_phone(rng),
                 email=f"contact@{_slug(name)}.fr")


def _customer(rng: random.Random) -> Party:
    siren = siren_from(rng)
    name = _name(rng, rng.choice(CUSTOMER_PATTERNS), "")
    if rng.random() < 0.35:
        name = f"{name} {rng.choice(LEGAL_FORMS)}"
    return Party(name=name, address=_address(rng), siren=siren if rng.random() < 0.85 else None,
                 siret=siret_from(rng, siren), vat=vat_from(siren) if rng.random() < 0.7 else None)


def _name(rng: random.Random, pattern: str, trade: str) -> str:
    surname, surname2 = rng.sample(SURNAMES, 2)
    return pattern.format(trade=trade, surname=surname, surname2=surname2, city=rng.choice(CITIES)[1])


def _address(rng: random.Random) -> Address:
    postcode, city = rng.choice(CITIES)
    return Address(street=f"{rng.randrange(1, 180)} {rng.choice(STREETS)}", postcode=postcode, city=city)


def _phone(rng: random.Random) -> str:
    return "0" + str(rng.randrange(1, 6)) + "".join(f" {rng.randrange(100):02d}" for _ in range(4))


def _slug(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isascii() and ch.isalnum())[:20] or "societe"


def _bank_account(rng: random.Random) -> tuple[str, str]:
    iban = IBAN.generate("FR", bank_code=rng.choice(BANK_CODES), branch_code=f"{rng.randrange(100000):05d}",
                         account_code=f"{rng.randrange(10**11):011d}")
    return iban.compact, str(iban.bic)


def _due_date(issue: date, days: int, end_of_month: bool) -> date:
    due = issue + timedelta(days=days)
    if end_of_month:
        due = due.replace(day=calendar.monthrange(due.year, due.month)[1])
    return due


def _number(rng: random.Random, issue: date, formats: tuple[str, ...]) -> str:
    return rng.choice(formats).format(year=issue.year, yy=issue.year % 100, month=issue.month,
                                      seq=rng.randrange(1, 9999))


def _lines(rng: random.Random, trade: str) -> tuple[Line, ...]:
    catalogue = TRADES[trade]
    count = rng.choice((1, 1, 2, 2, 3, 3, 4, 5, 6, 7, 8, 10, 12, 15))
    lines = []
    for _ in range(count):
        description, unit, (low, high), rate, nature = rng.choice(catalogue)
        quantity = Decimal(rng.choice((1, 1, 2, 3, 4, 5, 6, 10, 12, 20, 25))) if unit != "h" else \
            Decimal(rng.randrange(2, 40)) / 2
        price = Decimal(str(round(rng.uniform(low, high), 2)))
        lines.append(Line(description, quantity, unit, price, Decimal(rate), nature))
    return tuple(lines)


def _look(rng: random.Random, font: str | None) -> Look:
    """How the values are written; the font is drawn even when the layout forces one, so that the invoice's facts do
    not depend on the layout it is drawn in."""
    date_format = rng.choice(("slash", "slash", "slash", "dot", "dash", "long", "iso"))
    amount_format = rng.choice(("space_euro", "space_euro", "dot_euro", "plain", "euro_first", "space_code"))
    spaced_ids, drawn_font = rng.random() < 0.5, rng.choice(FONTS)
    return Look(date_format=date_format, amount_format=amount_format, spaced_ids=spaced_ids, font=font or drawn_font,
                accent=rng.choice(((0.12, 0.25, 0.45), (0.55, 0.1, 0.1), (0.1, 0.4, 0.25), (0.3, 0.3, 0.3),
                                   (0.45, 0.2, 0.5), (0.8, 0.4, 0.05))),
                uppercase_names=rng.random() < 0.2)
