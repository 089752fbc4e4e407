"""The anomaly checks of an invoice: each a small function of what is known of the invoice (its extracted values,
its dossier, the registries' answers about its supplier) giving at most one anomaly, with a reason in French that
the person who has to act on it understands. Pure: no I/O, the day is given."""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from stdnum.eu import vat as eu_vat
from stdnum.fr import siren as siren_number

COMPANY = "company"  # the company's users with the right to accept invoices
FIRM = "firm"  # the dossier's collaborators at the accounting firm
TOLERANCE = Decimal("0.01")
RECENT_SUPPLIER_DAYS = 90
OPENINGS = ("liquidation", "redressement", "sauvegarde")  # Proceeding.kind of a judgment that opens or continues one
PROCEEDING_NAMES = {"liquidation": "liquidation judiciaire", "redressement": "redressement judiciaire",
                    "sauvegarde": "procédure de sauvegarde"}


@dataclass(frozen=True)
class Proceeding:
    """One judgment of a collective proceeding published in the BODACC."""
    nature: str  # "Jugement d'ouverture de liquidation judiciaire"
    kind: str  # liquidation, redressement, sauvegarde, closure (ends the proceeding before it) or other
    judgment_date: date | None
    tribunal: str | None


@dataclass(frozen=True)
class SupplierStatus:
    """What the registries say of a supplier. `found_in_sirene` is None when SIRENE could not answer;
    `unavailable` says which registry could not answer and why (None when both did)."""
    siren: str
    found_in_sirene: bool | None
    name: str | None = None
    created_on: date | None = None
    ceased_on: date | None = None
    proceedings: tuple[Proceeding, ...] = ()
    unavailable: str | None = None


@dataclass(frozen=True)
class InvoiceUnderCheck:
    direction: str  # purchase or sale
    document_type: str  # invoice or credit_note
    kind: str  # facturx, cii, ubl, pdf_text, ocr
    fields: dict[str, str]  # extracted values by name; amounts as decimal strings, dates ISO 8601
    vat_breakdown: tuple[tuple[str, str, str], ...]  # (rate, base, tax) per VAT rate
    findings: tuple[str, ...]
    dossier_siren: str
    dossier_address: str | None = None
    known_supplier: bool = False  # the dossier already accepted an invoice of this supplier
    duplicates: tuple[str, ...] = ()  # ids of other documents with the same supplier and number, or same content
    supplier: SupplierStatus | None = None  # None for a sales invoice, or a purchase without a valid SIREN

    def value(self, name: str) -> str:
        return (self.fields.get(name) or "").strip()


@dataclass(frozen=True)
class Anomaly:
    check: str
    reason: str  # French, shown as is to the people told
    audience: str  # COMPANY or FIRM


@dataclass(frozen=True)
class Rules:
    today: date
    recent_supplier_days: int = RECENT_SUPPLIER_DAYS


Check = Callable[[InvoiceUnderCheck, Rules], Anomaly | None]


# --- reading the extracted values -----------------------------------------------------------------------------

def _amount(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _siren(text: str) -> str | None:
    """The 9 digits of a valid SIREN, else None."""
    return siren_number.compact(text) if text and siren_number.is_valid(text) else None


def french_date(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def _supplier_label(invoice: InvoiceUnderCheck) -> str:
    """How the supplier is named in a reason: its name in SIRENE, else on the invoice, and its SIREN."""
    status = invoice.supplier
    name = (status.name if status else None) or invoice.value("supplier_name")
    siren = status.siren if status else invoice.value("supplier_siren")
    if name and siren:
        return f"{name} (SIREN {siren})"
    return name or (f"de SIREN {siren}" if siren else "non identifié")


def _foreign(invoice: InvoiceUnderCheck, party: str) -> bool:
    """A party identified by a VAT number of another country, which has no SIREN."""
    vat = invoice.value(f"{party}_vat").upper()
    return bool(vat) and not vat.startswith("FR")


def _joined(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " et " + parts[-1]


# --- incomplete: the mandatory mentions -----------------------------------------------------------------------

def _readable(parse: Callable[[str], object]) -> Callable[[str], bool]:
    return lambda text: parse(text) is not None


# Each mention: (field, how people call it, whether a value is valid). None: any non-empty value.
MENTIONS: tuple[tuple[str, str, Callable[[str], bool] | None], ...] = (
    ("invoice_number", "le numéro de facture", None),
    ("issue_date", "la date d'émission", _readable(_date)),
    ("supplier_name", "le nom du fournisseur", None),
    ("supplier_siren", "le SIREN du fournisseur", _readable(_siren)),
    ("supplier_vat", "le numéro de TVA intracommunautaire du fournisseur", eu_vat.is_valid),
    ("customer_name", "le nom du client", None),
    ("customer_siren", "le SIREN du client", _readable(_siren)),
    ("total_excl_tax", "le total HT", _readable(_amount)),
    ("total_tax", "le total de la TVA", _readable(_amount)),
    ("total_incl_tax", "le total TTC", _readable(_amount)),
    ("operation_nature", "la nature de l'opération (livraison de biens, prestation de services ou les deux)",
     lambda text: text in ("goods", "services", "mixed")),
)
VAT_DETAIL = "le détail de la TVA par taux, ou la mention d'exonération"


def _mention_problems(invoice: InvoiceUnderCheck) -> tuple[list[str], list[str]]:
    """The mentions missing, and those printed but not valid (each naming the value read)."""
    missing, invalid = [], []
    for name, label, valid in MENTIONS:
        text = invoice.value(name)
        if name.endswith("_siren") and not text and _foreign(invoice, name.removesuffix("_siren")):
            continue
        if not text:
            missing.append(label)
        elif valid is not None and not valid(text):
            invalid.append(f"{label} ({text})")
    if not invoice.vat_breakdown and not invoice.value("vat_exemption"):
        missing.append(VAT_DETAIL)
    return missing, invalid


def check_incomplete(invoice: InvoiceUnderCheck, rules: Rules) -> Anomaly | None:
    """The mentions the law requires, the 2026 ones included (both SIRENs, nature of the operation). A delivery
    address is required only when it differs from the customer's, which the document alone cannot tell: it is not
    checked, nor is the VAT-on-debits option, which only a supplier that chose it must print."""
    missing, invalid = _mention_problems(invoice)
    sentences = []
    if missing:
        sentences.append(f"Il manque sur la facture {_joined(missing)}.")
    if invalid:
        plural = "s" if len(invalid) > 1 else ""
        sentences.append(f"Mention{plural} illisible{plural} ou invalide{plural} sur la facture : {_joined(invalid)}.")
    if not sentences:
        return None
    return Anomaly("incomplete", " ".join(sentences) + " Demandez une facture complète au fournisseur.", COMPANY)


# --- the dossier --------------------------------------------------------------------------------------------

def check_wrong_dossier(invoice: InvoiceUnderCheck, rules: Rules) -> Anomaly | None:
    """A purchase invoice is addressed to the dossier's company; a sales invoice is issued by it."""
    party, meaning = (("customer", "destinée à") if invoice.direction == "purchase" else ("supplier", "émise par"))
    found = _siren(invoice.value(f"{party}_siren"))
    expected = _siren(invoice.dossier_siren) or invoice.dossier_siren
    if found is None or found == expected:
        return None
    role = "client" if party == "customer" else "fournisseur"
    return Anomaly("wrong_dossier", f"Le SIREN du {role} sur la facture ({found}) n'est pas celui du dossier "
                                    f"({expected}) : cette facture ne semble pas {meaning} cette société.", COMPANY)


def check_unknown_supplier(invoice: InvoiceUnderCheck, rules: Rules) -> Anomaly | None:
    if invoice.direction != "purchase" or invoice.known_supplier:
        return None
    return Anomaly("unknown_supplier", f"C'est la première facture du fournisseur {_supplier_label(invoice)} dans ce "
                                       f"dossier : vérifiez qu'il s'agit bien de l'un de vos fournisseurs.", COMPANY)


# --- the registries' answers about the supplier ---------------------------------------------------------------

def check_supplier_not_in_sirene(invoice: InvoiceUnderCheck, rules: Rules) -> Anomaly | None:
    status = invoice.supplier
    if status is None or status.found_in_sirene is not False:
        return None
    return Anomaly("supplier_not_in_sirene", f"Le SIREN du fournisseur {_supplier_label(invoice)} est introuvable "
                                             f"dans le répertoire SIRENE de l'INSEE : l'entreprise n'existe peut-être "
                                             f"pas, vérifiez son identité avant d'accepter la facture.", FIRM)


@dataclass(frozen=True)
class ProceedingState:
    """Where the supplier's collective proceedings stand today."""
    ongoing: tuple[Proceeding, ...]  # the judgments of the proceeding still open, oldest first; empty when none
    closed_liquidation: Proceeding | None  # the closure of a liquidation: the company no longer exists


def proceeding_state(proceedings: tuple[Proceeding, ...]) -> ProceedingState:
    """Judgments in date order: an opening starts a proceeding (a later one, a conversion into liquidation or a
    plan, continues it), a closure ends it."""
    ongoing: list[Proceeding] = []
    closed_liquidation = None
    for judgment in sorted(proceedings, key=lambda item: item.judgment_date or date.min):
        if judgment.kind in OPENINGS:
            ongoing.append(judgment)
            closed_liquidation = None
        elif judgment.kind == "closure" and ongoing:
            closed_liquidation = judgment if any(item.kind == "liquidation" for item in ongoing) else None
            ongoing = []
    return ProceedingState(tuple(ongoing), closed_liquidation)


def _judgment(judgment: Proceeding) -> str:
    when = f" du {french_date(judgment.judgment_date)}" if judgment.judgment_date else ""
    where = f", {judgment.tribunal}" if judgment.tribunal else ""
    return f"« {judgment.nature} »{when}{where}"


def check_supplier_ceased(invoice: InvoiceUnderCheck, rules: Rules) -> Anomaly | None:
    status = invoice.supplier
    if status is None:
        return None
    closure = proceeding_state(status.proceedings).closed_liquidation
    if status.ceased_on:
        since = f"a cessé son activité le {french_date(status.ceased_on)} selon le répertoire SIRENE"
    elif closure:
        since = f"n'existe plus : sa liquidation judiciaire a été clôturée ({_judgment(closure)})"
    else:
        return None
    return Anomaly("supplier_ceased", f"Le fournisseur {_supplier_label(invoice)} {since}. Vérifiez cette facture "
                                      f"avant de l'accepter ou de la payer.", FIRM)


def check_supplier_in_proceedings(invoice: InvoiceUnderCheck, rules: Rules) -> Anomaly | None:
    status = invoice.supplier
    ongoing = proceeding_state(status.proceedings).ongoing if status else ()
    if not ongoing:
        return None
    first, latest = ongoing[0], ongoing[-1]
    since = f" depuis le {french_date(first.judgment_date)}" if first.judgment_date else ""
    proceeding = PROCEEDING_NAMES.get(latest.kind, "procédure collective")
    return Anomaly("supplier_in_proceedings",
                   f"Le fournisseur {_supplier_label(invoice)} est en {proceeding}{since} selon le BODACC "
                   f"({_judgment(latest)}). Vérifiez à qui payer cette facture : le mandataire ou le "
                   f"liquidateur judiciaire peut en être chargé.", FIRM)


def check_supplier_recent(invoice: InvoiceUnderCheck, rules: Rules) -> Anomaly | None:
    status = invoice.supplier
    if status is None or status.created_on is None:
        return None
    age = (rules.today - status.created_on).days
    if age >= rules.recent_supplier_days:
        return None
    return Anomaly("supplier_recent",
                   f"Le fournisseur {_supplier_label(invoice)} a été créé le {french_date(status.created_on)}, il y a "
                   f"{max(age, 0)} jour(s) : vérifiez que le nom, le SIREN et les coordonnées bancaires de la facture "
                   f"sont bien les siens avant de l'accepter.", FIRM)


def check_registry_unavailable(invoice: InvoiceUnderCheck, rules: Rules) -> Anomaly | None:
    status = invoice.supplier
    if status is None or status.unavailable is None:
        return None
    return Anomaly("registry_unavailable",
                   f"Le fournisseur {_supplier_label(invoice)} n'a pas pu être vérifié automatiquement "
                   f"({status.unavailable}) : vérifiez à la main dans SIRENE et au BODACC qu'il est actif et sans "
                   f"procédure collective.", FIRM)


# --- the invoice itself ---------------------------------------------------------------------------------------

def check_duplicate(invoice: InvoiceUnderCheck, rules: Rules) -> Anomaly | None:
    if not invoice.duplicates:
        return None
    number = invoice.value("invoice_number")
    same = f"même fournisseur et même numéro {number}" if number else "même fournisseur et même numéro"
    return Anomaly("duplicate", f"Cette facture a déjà été reçue dans ce dossier ({same}, ou même contenu) : "
                                f"document{'s' if len(invoice.duplicates) > 1 else ''} "
                                f"{', '.join(invoice.duplicates)}. Ne l'acceptez que s'il ne s'agit pas d'un "
                                f"doublon.", COMPANY)


def _vat_taxes(invoice: InvoiceUnderCheck) -> Decimal | None:
    taxes = [_amount(tax) for _rate, _base, tax in invoice.vat_breakdown]
    return sum(taxes, Decimal(0)) if taxes and None not in taxes else None


def _euros(value: Decimal) -> str:
    return f"{value:.2f} €".replace(".", ",")


def check_totals_mismatch(invoice: InvoiceUnderCheck, rules: Rules) -> Anomaly | None:
    ht, tva, ttc = (_amount(invoice.value(name)) for name in ("total_excl_tax", "total_tax", "total_incl_tax"))
    problems = []
    if None not in (ht, tva, ttc) and abs(ht + tva - ttc) > TOLERANCE:
        problems.append(f"le total HT ({_euros(ht)}) plus la TVA ({_euros(tva)}) font {_euros(ht + tva)}, mais le "
                        f"total TTC indiqué est {_euros(ttc)}")
    taxes = _vat_taxes(invoice)
    if taxes is not None and tva is not None and abs(taxes - tva) > TOLERANCE:
        problems.append(f"les montants de TVA par taux font {_euros(taxes)}, mais le total de la TVA indiqué est "
                        f"{_euros(tva)}")
    if not problems:
        return None
    return Anomaly("totals_mismatch", f"Les montants de la facture ne concordent pas : {_joined(problems)}.", COMPANY)


def check_due_before_issue(invoice: InvoiceUnderCheck, rules: Rules) -> Anomaly | None:
    issued, due = _date(invoice.value("issue_date")), _date(invoice.value("due_date"))
    if issued is None or due is None or due >= issued:
        return None
    return Anomaly("due_before_issue", f"La date d'échéance ({french_date(due)}) est antérieure à la date d'émission "
                                       f"({french_date(issued)}) : l'une des deux est erronée.", COMPANY)


CHECKS: dict[str, Check] = {
    "incomplete": check_incomplete,
    "wrong_dossier": check_wrong_dossier,
    "unknown_supplier": check_unknown_supplier,
    "supplier_not_in_sirene": check_supplier_not_in_sirene,
    "supplier_ceased": check_supplier_ceased,
    "supplier_in_proceedings": check_supplier_in_proceedings,
    "supplier_recent": check_supplier_recent,
    "registry_unavailable": check_registry_unavailable,
    "duplicate": check_duplicate,
    "totals_mismatch": check_totals_mismatch,
    "due_before_issue": check_due_before_issue,
}
CHECK_NAMES = tuple(CHECKS)


def check_invoice(invoice: InvoiceUnderCheck, today: date,
                  recent_supplier_days: int = RECENT_SUPPLIER_DAYS) -> list[Anomaly]:
    """Every anomaly of the invoice, in the order of CHECKS."""
    rules = Rules(today=today, recent_supplier_days=recent_supplier_days)
    return [anomaly for check in CHECKS.values() if (anomaly := check(invoice, rules)) is not None]
