"""The words invoices use to announce their fields, in French and English, compiled into patterns.

A phrase may carry a weight (how surely it announces the field). Matching ignores case, accents and punctuation
between words ("N° TVA intracom." = "n tva intracom", "Total (incl. VAT)" = "total incl vat"), and a long word may be
cut short with a dot ("Cond. de règl." = "conditions de règlement"); the longest phrase wins where phrases overlap.
"other" labels announce something we do not read; they stop a neighbour's value from being taken. "carried" labels
mark the running totals of a table that goes on over pages ("À reporter", "Report").
"""
import re
from collections.abc import Iterator

from . import normalize as nz

LABELS: dict[str, tuple] = {
    "invoice_number": (
        "facture n°", "facture no", "n° de facture", "n° facture", "numéro de facture", "numero facture",
        "facture numéro", "réf. facture", "référence facture", "référence de la facture", "invoice number",
        "invoice no", "invoice n°", "invoice #", "invoice nr", "avoir n°", "n° d'avoir", "n° avoir", "numéro d'avoir",
        "credit note number", "credit note no", "note de crédit n°", ("facture", 0.6), ("invoice", 0.6),
        ("avoir", 0.5), ("n°", 0.55), ("no", 0.5), ("numéro", 0.55), ("number", 0.5), ("référence", 0.45),
        ("réf", 0.45)),
    "issue_date": (
        "date de facture", "date de facturation", "date d'émission", "date de l'émission", "date facture",
        "émise le", "émis le", "facturé le", "date d'édition", "invoice date", "date of issue", "issue date",
        "issued on", "date de l'avoir", "date d'avoir", "date d'établissement", ("date", 0.75), ("fait le", 0.6),
        ("établie le", 0.7), ("établi le", 0.7), ("édité le", 0.7), ("éditée le", 0.7)),
    "due_date": (
        "date d'échéance", "date échéance", "échéance", "date limite de paiement", "date limite de règlement",
        "date limite", "à payer avant le", "à régler avant le", "payable avant le", "payable le", "payable au",
        "à payer le", "à payer au", "à régler le", "à régler au", "payer avant le", "règlement avant le",
        "paiement avant le", "date d'exigibilité", "date d'exigibilité du paiement", "exigible le", "due date",
        "payment due", "due on", "pay by", "à payer pour le", "à régler pour le", "payable pour le", "au plus tard le",
        "à payer au plus tard le", "à régler au plus tard le", "payable au plus tard le", "à payer d'ici le",
        "à régler d'ici le", "payable jusqu'au", "due by", "payable by", "payable on", "to be paid by",
        "payment due date",
        ("date de paiement", 0.6), ("date de règlement", 0.6)),
    "currency": ("devise", "currency", "monnaie"),
    "total_excl_tax": (
        "total ht", "total h.t.", "total hors taxes", "total hors taxe", "montant ht", "montant hors taxes",
        "montant hors taxe", "montant total ht", "total net ht", "net ht", "montant net ht", "total ht net",
        "total excl. vat", "total excluding tax", "total excluding vat", "total before tax", "total net",
        "net amount", "total excl tax", "subtotal excl vat", "subtotal excl tax", "subtotal excluding vat",
        "total net of vat", ("sous-total ht", 0.75), ("sous total", 0.55), ("subtotal", 0.6), ("base ht", 0.5),
        ("total ht après remise", 1.0)),
    "total_tax": (
        "total tva", "montant tva", "montant de la tva", "montant de tva", "total t.v.a.", "total taxes",
        "total vat", "vat amount", "tax amount", "total tax", "taxe sur la valeur ajoutée", "montant de la taxe",
        ("tva", 0.85), ("t.v.a.", 0.85), ("vat", 0.8),
        ("taxes", 0.6), ("tax", 0.6)),
    "total_incl_tax": (
        "total ttc", "total t.t.c.", "montant ttc", "montant total ttc", "total toutes taxes comprises",
        "total ttc à payer", "net à payer ttc", "total général ttc", "total incl. vat", "total including tax",
        "total including vat", "total incl tax", "total à payer ttc", ("net à payer", 0.85),
        ("montant à payer", 0.85), ("total à payer", 0.9), ("somme à payer", 0.85), ("montant dû", 0.8),
        ("total dû", 0.8), ("solde dû", 0.7), ("total due", 0.85), ("amount due", 0.85), ("balance due", 0.7),
        ("grand total", 0.85), ("total général", 0.85), ("reste à payer", 0.6), ("ttc", 0.6)),
    "total_any": (("total", 0.5), ("montant total", 0.55), ("total facture", 0.6), ("total de la facture", 0.6),
                  ("total avoir", 0.6), ("montant", 0.3)),
    "payment_terms": (
        "conditions de paiement", "conditions de règlement", "modalités de paiement", "modalités de règlement",
        "mode de paiement", "mode de règlement", "moyen de paiement", "délai de paiement", "délai de règlement",
        "termes de paiement", "payment terms", "terms of payment", "payment method", ("modalités", 0.8),
        ("règlement", 0.7), ("paiement", 0.6), ("conditions", 0.5), ("terms", 0.5)),
    "purchase_order": (
        "bon de commande", "n° bon de commande", "n° de commande", "n° commande", "numéro de commande",
        "commande n°", "réf. commande", "référence commande", "référence de commande", "votre commande",
        "votre bon de commande", "purchase order", "purchase order number", "po number", "po no", "order number",
        "order no", "n° d'engagement", "numéro d'engagement", "engagement juridique", "n° engagement",
        "votre cde", "n° cde", "réf. cde", "cde n°", "cde client", "commande client", "n° commande client",
        "commande client n°", ("bdc", 0.8), ("commande", 0.6), ("cde", 0.6), ("po", 0.6),
        ("votre référence", 0.6), ("vos références", 0.6)),
    "delivery_address": (
        "adresse de livraison", "lieu de livraison", "livré à", "livrer à", "à livrer à", "livraison à",
        "ship to", "shipping address", "delivery address", "deliver to", "adresse livraison",
        "expédié à", "expédiée à", "expédier à", "adresse d'expédition", "livré au", "livrée au", "livrées au",
        "adresse du chantier", "adresse chantier", "lieu du chantier", "lieu d'intervention",
        "adresse d'intervention", "lieu d'exécution", "lieu de la prestation", "site address", "work site",
        "livraison effectuée à", "livraison effectuée au", "prestation réalisée à", "prestation réalisée au",
        "prestation effectuée à", "prestation effectuée au", "intervention réalisée à", "intervention réalisée au",
        "travaux réalisés à", "travaux réalisés au", "intervention effectuée à", "intervention effectuée au",
        "travaux effectués à", "travaux effectués au", "lieu de réalisation", "adresse de réalisation", "delivered to",
        ("chantier", 0.8), ("livraison", 0.7)),
    "operation_nature": (
        "nature de l'opération", "nature des opérations", "nature de l'operation", "catégorie de l'opération",
        "type d'opération", "operation category", "nature of operation", ("opération", 0.6), ("nature", 0.6)),
    "customer": (
        "client", "client facturé", "client livré et facturé", "facturé à", "facturée à", "facturer à", "facture à",
        "destinataire", "adresse de facturation", "adresse facturation", "bill to", "billed to", "invoice to",
        "sold to", "customer", "acheteur", "buyer", "à l'attention de", "adressé à", "adressée à", "preneur",
        "donneur d'ordre", "doit", "société cliente", "entreprise cliente", "maître d'ouvrage",
        "maître de l'ouvrage", "vos coordonnées",
        ("débiteur", 0.8)),
    "party_name": ("raison sociale", "dénomination", "dénomination sociale", "nom commercial", "nom de la société",
                   "nom / raison sociale", "nom ou raison sociale", "nom / dénomination",
                   "nom de l'entreprise", "company name", "business name", "legal name"),
    "supplier": (
        "émetteur", "émis par", "fournisseur", "vendeur", "prestataire", "seller", "supplier", "vendor",
        "expéditeur", "issued by", "from", "nos coordonnées"),
    "customer_siren": ("siren client", "siren du client", "n° siren client", "siren acheteur", "customer siren",
                       "votre siren", "votre n° siren"),
    "customer_vat": (
        "tva client", "n° tva client", "tva intracommunautaire client", "n° tva intracommunautaire client",
        "tva intracom client", "n° tva du client", "tva acheteur", "customer vat", "buyer vat", "vat client",
        "votre n° tva", "votre numéro de tva", "votre tva intracommunautaire", "votre n° tva intracommunautaire",
        "your vat number"),
    "siren": ("siren", "n° siren", "siren n°", "numéro siren", "rcs", "r.c.s.", "registre du commerce",
              "immatriculation", "n° d'immatriculation", "company number"),
    "siret": ("siret", "n° siret", "numéro siret", "siret n°"),
    "vat_number": (
        "n° tva", "n° de tva", "numéro de tva", "numéro tva", "tva intracommunautaire", "n° tva intracommunautaire",
        "n° de tva intracommunautaire", "numéro de tva intracommunautaire", "tva intracom", "n° tva intracom",
        "tva intra", "identifiant tva", "id tva", "n° identification tva", "n° d'identification tva",
        "vat number", "vat no", "vat id", "vat reg", "vat registration", "tva ue", "code tva"),
    "iban": ("iban", "code iban", "n° iban"),
    "bic": ("bic", "swift", "bic/swift", "code bic", "code swift", "bic swift", "swift/bic"),
    "carried": ("à reporter", "report", "reporté", "report de la page précédente", "carried forward",
                "brought forward", "sous-total page", "total page"),
    "other": (
        "date de livraison", "date de commande", "date d'exécution", "date de prestation", "date de la prestation",
        "date de la commande", "date de la livraison", "date d'expédition", "période", "période de facturation",
        "n° client", "code client", "réf client", "réf. client", "référence client", "numéro client",
        "compte client", "customer number", "customer id", "client n°", "tél", "téléphone", "tel", "fax", "mobile",
        "portable", "phone", "email", "e-mail", "courriel", "site web", "site internet", "page", "au capital de",
        "capital social", "tva non applicable", "escompte", "pénalités", "pénalité", "indemnité forfaitaire",
        "acompte", "acompte versé", "déjà réglé", "déjà payé", "remise", "rabais", "frais de port",
        "taux", "base", "code ape", "ape", "naf", "code naf", "domiciliation", "titulaire",
        "titulaire du compte", "rib", "qté", "quantité", "prix unitaire", "p.u.", "désignation", "description",
        "unité", "votre contact", "interlocuteur", "tva sur les débits", "exonération", "taux tva", "taux de tva",
        "facture d'origine", "facture origine", "facture initiale", "facture de référence", "facture concernée",
        "facture rectifiée", "annule et remplace", "sur facture", "en référence à la facture", "coordonnées bancaires",
        "bank details", "bon de livraison", "n° de bl", "n° bl", "bl n°", "n° de bon de livraison"),
}
# Words that announce a party only as a heading of their own ("Pour :" over the customer's address): in a sentence
# they are ordinary words.
PARTY_HEADINGS = {"customer": ("pour", "a", "to"), "supplier": ("de", "par")}

PARTY_KINDS = ("customer", "supplier")
IDENTIFIER_KINDS = ("siren", "siret", "vat_number", "customer_siren", "customer_vat", "iban", "bic")
TOTAL_KINDS = ("total_excl_tax", "total_tax", "total_incl_tax", "total_any")
# Labels that close the items table when they start a run of a line.
AFTER_ITEMS_KINDS = TOTAL_KINDS + ("payment_terms", "due_date", "iban", "bic", "operation_nature",
                                   "delivery_address", "currency")

COLUMNS: dict[str, tuple] = {
    "description": ("désignation", "description", "libellé", "article", "articles", "produit", "produits",
                    "prestation", "prestations", "détail", "objet", "item", "items", "intitulé", "désignation des"
                    " prestations", "description des prestations", "produit / service", "service", "services",
                    "travaux", "travaux et fournitures", "fournitures"),
    "quantity": ("qté", "quantité", "qty", "quantity", "nombre", "nb", "qte", "quant", "nbre", "heures", "jours"),
    "unit_price": ("prix unitaire", "prix unitaire ht", "p.u.", "p.u. ht", "pu", "pu ht", "prix u.", "prix u. ht",
                   "prix unit.", "prix unit. ht", "unit price", "prix", "prix ht", "tarif", "tarif ht",
                   "taux horaire", "price", "rate"),
    "amount": ("montant", "montant ht", "total ht", "total", "amount", "prix total", "prix total ht", "total ligne",
               "montant total ht", "net ht", "total h.t.", "montant h.t.", "line total"),
    "vat_rate": ("tva", "taux tva", "tva %", "% tva", "taux de tva", "taux", "vat", "vat %", "tax rate", "t.v.a."),
    "amount_incl": ("montant ttc", "total ttc", "prix ttc"),
    "reference": ("réf", "référence", "code", "ref", "réf.", "code article"),
    "unit": ("unité", "unit", "u.", "u"),
    "discount": ("remise", "rem.", "discount", "remise %"),
}

COMPANY_FORM = re.compile(r"(?<![\w])(sas|sarl|sa|eurl|sasu|snc|scop|sci|selarl|selas|scp|eirl|ei|gie|sca|scs|"
                          r"gmbh|ltd|limited|inc|llc|bv|nv|spa|srl|association|scea|gaec|earl)(?![\w])")
ADDRESS_LIKE = re.compile(r"\b\d{5}\b|\b(rue|avenue|av|bd|boulevard|place|chemin|allee|impasse|route|quai|cours|"
                          r"cedex|bp|cs|zi|za|zac|lieu-dit|street|road)\b")
POSTCODE = re.compile(r"(?<![\w.,])\d{5}(?![\d.,])")  # not a customer code's digits ('C00576')
CONTACT_LIKE = re.compile(r"@|www\.|https?:|\b(tel|tél|fax|mobile|portable|phone)\b|(\d{2}[ .]){4}\d{2}")
LEGAL_MENTION = re.compile(r"\b(capital|rcs|r\.c\.s|siren|siret|ape|naf|share capital)\b")


def _tokens(phrase: str) -> list[str]:
    return re.findall(r"[a-z0-9#%°]+", nz.fold(phrase))


GLUED_DATE = r"\d{1,4}([./-])\d{1,2}\1\d{2,4}(?!\d)"  # a date right after a label, without a space
GLUED_AMOUNT = r"\d{1,3}(?:[ .]\d{3})*,\d{2}(?!\d)"  # an amount in French notation right after a label
ABBREVIABLE = 5  # words at least this long may be cut after their first letters and a dot ('Cond.', 'Règl.')
ABBREVIATED = 3  # letters an abbreviation keeps, at least


class Vocabulary:
    """Phrases compiled into one pattern (without capturing groups, which would make it many times slower); a match
    is told apart by its words, or, when abbreviated, by the first phrase pattern it is."""

    def __init__(self, patterns: dict[str, str], by_key: dict[str, tuple[str, float]]):
        # alternatives are tried in order: the longest phrase first, so that "TVA intracom." is not read as "TVA"
        self._ordered = sorted(patterns, key=lambda pattern: (len(patterns[pattern]), pattern), reverse=True)
        self._keys = patterns
        self._by_key = by_key
        self._abbreviated: dict[str, tuple[str, float]] = {}  # 'cond. de reglement' → its phrase's kind and weight
        # a phrase ending in "°" may be glued to its value ("N°F2026-001"), and any phrase to a date (OCR reads
        # "Échéance2025-10-31") or to an amount ("comprises21 054,40"); otherwise a word glued to digits is part of a
        # reference, not a label ("PO-5510")
        self.pattern = re.compile(r"(?<![a-z0-9])(?:" + "|".join(self._ordered) + r")(?:(?<=°)|(?![a-z0-9])"
                                  r"(?![\-/_.]?\d)|(?=" + GLUED_DATE + ")|(?=" + GLUED_AMOUNT + "))")

    def find(self, folded: str) -> Iterator[tuple[re.Match, str, float]]:
        """(match, kind, weight) for every phrase in a folded text, left to right."""
        for match in self.pattern.finditer(folded):
            yield (match, *self._kind(match[0]))

    def _kind(self, matched: str) -> tuple[str, float]:
        key = "".join(re.findall(r"[a-z0-9#%°]+", matched))
        if key in self._by_key:
            return self._by_key[key]
        if matched not in self._abbreviated:
            phrase = next(pattern for pattern in self._ordered if re.fullmatch(pattern, matched))
            self._abbreviated[matched] = self._by_key[self._keys[phrase]]
        return self._abbreviated[matched]


def _token_pattern(token: str) -> str:
    """A word as printed, or cut short with a dot: 'conditions' also matches 'cond.', 'condit.'..."""
    if len(token) < ABBREVIABLE or not token.isalpha():
        return re.escape(token)
    optional = ""
    for char in reversed(token[ABBREVIATED:-1]):
        optional = f"(?:{char}{optional})?"
    return f"(?:{token}|{token[:ABBREVIATED]}{optional}\\.)"


def _compile(vocabulary: dict[str, tuple]) -> Vocabulary:
    by_key: dict[str, tuple[str, float]] = {}
    patterns: dict[str, str] = {}  # pattern → key ('pu' and 'p.u.' are one label written two ways)
    for kind, entries in vocabulary.items():
        for entry in entries:
            phrase, weight = entry if isinstance(entry, tuple) else (entry, 1.0)
            tokens = _tokens(phrase)
            key = "".join(tokens)
            if by_key.get(key, (kind,))[0] != kind:
                raise ValueError(f"label {phrase!r} is both {by_key[key][0]} and {kind}")
            if key not in by_key or by_key[key][1] < weight:
                by_key[key] = (kind, weight)
            patterns[r"[ '.:/\-()]{0,3}".join(_token_pattern(token) for token in tokens)] = key
    return Vocabulary(patterns, by_key)


LABEL_VOCABULARY = _compile(LABELS)
COLUMN_VOCABULARY = _compile(COLUMNS)


def is_party_heading(folded_cell: str) -> str | None:
    """'Pour :' alone in its cell → 'customer'."""
    words = _tokens(folded_cell)
    if len(words) == 1:
        for kind, headings in PARTY_HEADINGS.items():
            if words[0] in headings:
                return kind
    return None
