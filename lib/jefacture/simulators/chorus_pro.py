"""A local Chorus Pro behind PISTE, for the routing service's deposits of sales invoices to public buyers.

PISTE's OAuth 2.0 token endpoint (client credentials, expiring bearer tokens) at /api/oauth/token, on the API's port
and, with --oauth-port, alone on a port of its own like PISTE's OAuth host; and the Chorus Pro API under /cpro/,
where every call needs the bearer token and the technical account's `cpro-account` header
(base64 of "login:password"). JSON bodies with the real field names; business errors are HTTP 200 with
`codeRetour` ≠ 0, as on the real platform:

- POST /cpro/structures/v1/rechercher, /cpro/structures/v1/consulter: the public buyers of data/chorus_structures.json
- POST /cpro/factures/v1/deposer/flux: a Factur-X flow (syntaxeFlux IN_DP_E2_CII_FACTURX, base64 file) gets a
  numeroFluxDepot at once; the file is examined then and its verdict shows when the flow is processed
- POST /cpro/transverses/v1/consulterCRDetaille: the flow's state, IN_RECU → IN_EN_ATTENTE_TRAITEMENT_CPP →
  IN_EN_COURS_TRAITEMENT_CPP → IN_INTEGRE, or IN_REJETE with its listeErreurDP, over --integration-seconds
- POST /cpro/factures/v1/rechercher/fournisseur: the integrated invoices, by numeroFacture or numeroFluxDepot
- POST /cpro/factures/v1/consulter/historique: an integrated invoice's statuses, DEPOSEE → EN_COURS_ACHEMINEMENT →
  MISE_A_DISPOSITION over the same delay, then what the buyer does (set through the control endpoint below)

A flow is rejected when the file is not a PDF with a Factur-X XML valid against its XSD, when the buyer (BT-47,
SpecifiedLegalOrganization/ID with schemeID 0009: the SIRET Chorus Pro routes on) is not an active public structure,
when the structure requires an engagement number (BT-13) or a service code (BT-10, one of its active services) that
the invoice lacks, and when the same supplier already deposited an invoice with that number.

GET / answers 200 once the server listens. Test controls, not in the real API: GET /_simulator/stats,
POST /_simulator/advance {"seconds": s} (moves this simulator's clock: flows, invoices and tokens age),
POST /_simulator/fail {"status": 503, "count": 1} (the next API calls answer that status),
POST /_simulator/invoices/{id}/statut {"statut": "MISE_EN_PAIEMENT", "commentaire": "…"} (the buyer's action).
"""
import argparse
import base64
import binascii
import http.server
import itertools
import json
import re
import secrets
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import facturx
import httpx
from lxml import etree
from pypdf.errors import PyPdfError
from stdnum.fr import siret as siret_number

from jefacture.simulators.kit import STATS_PATH, JsonHandler, child_server, free_port

TOKEN_PATH = "/api/oauth/token"
ACCOUNT_HEADER = "cpro-account"
FACTURX_SYNTAX = "IN_DP_E2_CII_FACTURX"
DATA_FILE = Path(__file__).with_name("data") / "chorus_structures.json"
MAX_FILE_BYTES = 10 * 1024 * 1024  # Chorus Pro's limit for one deposited file
DONE = "GCU_MSG_01_000"
FLOW_NOT_FOUND = (20001, "POQ_MSG_01.003 - Flux introuvable.")
INVALID_PARAMETER = 20002
INVOICE_NOT_FOUND = 20003
STRUCTURE_NOT_FOUND = 20004
FILE_TOO_LARGE = 20005
PROCESSING_STATES = ("IN_RECU", "IN_EN_ATTENTE_TRAITEMENT_CPP", "IN_EN_COURS_TRAITEMENT_CPP")
DELIVERY_STATUSES = ("DEPOSEE", "EN_COURS_ACHEMINEMENT", "MISE_A_DISPOSITION")
BUYER_STATUSES = ("A_RECYCLER", "REJETEE", "SUSPENDUE", "SERVICE_FAIT", "MANDATEE", "MISE_EN_PAIEMENT",
                  "COMPTABILISEE", "MISE_A_DISPOSITION_COMPTABLE", "PRISE_EN_COMPTE_DESTINATAIRE")
CONTROL_INVOICE_STATUS = re.compile(r"/_simulator/invoices/(\d+)/statut")


class Clock:
    """Monotonic seconds that tests can move forward; `wall(at)` is the calendar time of such an instant."""

    def __init__(self):
        self._offset = 0.0

    def now(self) -> float:
        return time.monotonic() + self._offset

    def advance(self, seconds: float) -> None:
        self._offset += seconds

    def wall(self, at: float | None = None) -> datetime:
        elapsed = 0.0 if at is None else at - self.now()
        return datetime.now(timezone.utc) + timedelta(seconds=elapsed)


@dataclass
class Invoice:
    id: int
    number: str
    supplier: str
    buyer: dict
    flow_number: str
    issue_date: str
    total_incl_tax: str
    currency: str
    credit_note: bool
    statuses: list[tuple[float, str, str]] = field(default_factory=list)  # (clock time, code, comment)


@dataclass
class Flow:
    number: str
    file_name: str
    deposited_at: float
    errors: list[dict]
    invoice: Invoice | None


@dataclass
class Examined:
    """What the file of a deposit says, and why Chorus Pro will reject it (no reason: it will be integrated)."""
    errors: list[dict]
    number: str = ""
    supplier: str = ""
    buyer: dict | None = None
    issue_date: str = ""
    total_incl_tax: str = ""
    currency: str = "EUR"
    credit_note: bool = False


def load_structures(path: Path = DATA_FILE) -> list[dict]:
    structures = json.loads(path.read_text(encoding="utf-8"))["structures"]
    for structure in structures:
        siret_number.validate(structure["identifiantStructure"])
    return structures


def refused(code: int, label: str) -> dict:
    return {"codeRetour": code, "libelle": label}


def gateway_error(status: int, message: str, information: str) -> dict:
    """The body the API gateway answers with before Chorus Pro sees the request."""
    return {"httpCode": str(status), "httpMessage": message, "moreInformation": information}


def dp_error(label: str, number: str = "", supplier: str = "", buyer: str = "") -> dict:
    return {"identifiantFournisseur": supplier, "identifiantDestinataire": buyer, "numeroDP": number,
            "libelleErreurDP": label}


def examine(pdf: bytes, file_name: str, structures: dict[str, dict]) -> Examined:
    """Read the deposited file as Chorus Pro's integration does; the reasons to reject it, if any."""
    xml, problem = _facturx_xml(pdf, file_name)
    if problem:
        return Examined([dp_error(problem)])
    invoice = facturx.parse_ubl_cii_xml(xml, check_xsd=False)
    seller, buyer_party = invoice.get("BG-4") or {}, invoice.get("BG-7") or {}
    number, supplier = invoice.get("BT-1", ""), seller.get("legal_identifier", "")
    buyer_siret = buyer_party.get("legal_identifier", "") if buyer_party.get("legal_identifier_schemeid") == "0009" \
        else ""
    found = Examined([], number=number, supplier=supplier, issue_date=str(invoice.get("BT-2", "")),
                     total_incl_tax=invoice.get("BT-112", ""), currency=invoice.get("BT-5", "EUR"),
                     credit_note=invoice.get("BT-3") == "381")
    error = _errors_for(number, supplier, buyer_siret)
    if not supplier:
        found.errors.append(error("L'identifiant du fournisseur est absent (BT-30, SellerTradeParty/"
                                  "SpecifiedLegalOrganization/ID)."))
    if not buyer_siret:
        found.errors.append(error("Le SIRET du destinataire est absent (BT-47, BuyerTradeParty/"
                                  "SpecifiedLegalOrganization/ID avec schemeID 0009)."))
        return found
    structure = structures.get(buyer_siret)
    if structure is None or structure["structurePriveePublique"] != "PUBLIQUE" or structure["statut"] != "ACTIF":
        found.errors.append(error(f"Le destinataire {buyer_siret} n'est pas une structure publique active de "
                                  f"Chorus Pro."))
        return found
    found.buyer = structure
    found.errors += [error(reason) for reason in _buyer_requirements(structure, invoice.get("BT-13"),
                                                                      invoice.get("BT-10"))]
    return found


def _errors_for(number: str, supplier: str, buyer: str) -> Callable[[str], dict]:
    return lambda label: dp_error(label, number=number, supplier=supplier, buyer=buyer)


def _facturx_xml(pdf: bytes, file_name: str) -> tuple[bytes, str]:
    """The Factur-X XML of the file, or why there is none to integrate."""
    try:
        _, xml = facturx.get_xml_from_pdf(pdf, check_xsd=False)
    except (PyPdfError, ValueError, TypeError, KeyError) as error:
        return b"", f"Le fichier « {file_name} » n'est pas un PDF lisible ({type(error).__name__})."
    if not xml:
        return b"", (f"Le fichier « {file_name} » ne contient pas de XML Factur-X : le flux {FACTURX_SYNTAX} attend "
                     f"un PDF/A-3 avec son factur-x.xml (CII).")
    root = etree.fromstring(xml)
    if facturx.get_flavor(root) != "factur-x":
        return b"", f"Le XML joint au fichier « {file_name} » n'est pas un XML Factur-X (CII)."
    try:
        facturx.xml_check_xsd(root, flavor="factur-x")
    except Exception as error:  # the factur-x library raises a bare Exception naming the XSD error
        return b"", f"Le XML Factur-X du fichier « {file_name} » ne respecte pas le schéma XSD : {error}"
    return xml, ""


def _buyer_requirements(structure: dict, engagement: str | None, service: str | None) -> list[str]:
    who = f"{structure['identifiantStructure']} ({structure['designationStructure']})"
    active_services = {item["codeService"] for item in structure["services"] if item["estActif"]}
    reasons = []
    if structure["gestionNumeroEJOuCodeService"] and not (engagement or service):
        reasons.append(f"Le numéro d'engagement (BT-13) ou le code service (BT-10) est obligatoire pour le "
                       f"destinataire {who}.")
    if structure["numeroEJDoitEtreRenseigne"] and not engagement:
        reasons.append(f"Le numéro d'engagement (BT-13) est obligatoire pour le destinataire {who}.")
    if structure["codeServiceDoitEtreRenseigne"] and not service:
        reasons.append(f"Le code service (BT-10) est obligatoire pour le destinataire {who}.")
    if service and service not in active_services:
        reasons.append(f"Le code service {service} n'existe pas ou n'est pas actif pour le destinataire {who}.")
    return reasons


class ChorusPro:
    """The platform's state: tokens, structures, flows and invoices, behind one lock."""

    def __init__(self, client_id: str, client_secret: str, login: str, password: str, integration_seconds: float,
                 token_lifetime: int, structures: list[dict]):
        self.client_id, self.client_secret = client_id, client_secret
        self.account = base64.b64encode(f"{login}:{password}".encode()).decode()
        self.integration_seconds = integration_seconds
        self.token_lifetime = token_lifetime
        self.structures = {item["identifiantStructure"]: item for item in structures}
        self.structures_by_id = {item["idStructureCPP"]: item for item in structures}
        self.clock = Clock()
        self.tokens: dict[str, float] = {}
        self.flows: dict[str, Flow] = {}
        self.invoices: dict[int, Invoice] = {}
        self.stats = {"requests": 0, "tokens_issued": 0, "unauthorized": 0, "deposits": 0}
        self.failures: list[int] = []
        self._flow_numbers = itertools.count(425903)
        self._invoice_ids = itertools.count(4062107)
        self.lock = threading.Lock()

    # --- PISTE ------------------------------------------------------------------------------------------------

    def issue_token(self, form: dict[str, str], authorization: str | None) -> tuple[int, dict]:
        client_id, client_secret = _client_credentials(form, authorization)
        if form.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type",
                         "error_description": "Only grant_type=client_credentials is supported"}
        if (client_id, client_secret) != (self.client_id, self.client_secret):
            return 401, {"error": "invalid_client", "error_description": "Client authentication failed"}
        token = secrets.token_urlsafe(32)
        with self.lock:
            self.tokens[token] = self.clock.now() + self.token_lifetime
            self.stats["tokens_issued"] += 1
        return 200, {"access_token": token, "token_type": "Bearer", "expires_in": self.token_lifetime,
                     "scope": form.get("scope") or "openid"}

    def refusal_of(self, authorization: str | None, account: str | None) -> dict | None:
        """Why the gateway turns the call away (HTTP 401), or None when the caller may go on."""
        scheme, _, token = (authorization or "").partition(" ")
        with self.lock:
            expires = self.tokens.get(token) if scheme.lower() == "bearer" else None
            if expires is None or expires <= self.clock.now():
                self.stats["unauthorized"] += 1
                return gateway_error(401, "Unauthorized", "Jeton d'accès PISTE absent, inconnu ou expiré.")
            if account != self.account:
                self.stats["unauthorized"] += 1
                return gateway_error(401, "Unauthorized", f"En-tête {ACCOUNT_HEADER} absent ou compte technique "
                                                          f"Chorus Pro inconnu (login ou mot de passe erroné).")
        return None

    # --- structures -------------------------------------------------------------------------------------------

    def search_structures(self, body: dict) -> dict:
        criteria = body.get("structure") or {}
        identifier = str(criteria.get("identifiantStructure") or "")
        status = criteria.get("statutStructure")
        found = [structure for key, structure in sorted(self.structures.items())
                 if key.startswith(identifier) and (not status or structure["statut"] == status)]
        page, listed = _page(found, body.get("parametres") or {})
        return {"codeRetour": 0, "libelle": DONE, "parametresRetour": page,
                "listeStructures": [{"idStructureCPP": item["idStructureCPP"],
                                     "identifiantStructure": item["identifiantStructure"],
                                     "typeIdentifiantStructure": "SIRET",
                                     "designationStructure": item["designationStructure"],
                                     "statut": item["statut"]} for item in listed]}

    def consult_structure(self, body: dict) -> dict:
        structure = self.structures_by_id.get(_int(body.get("idStructureCPP", body.get("idStructure"))))
        if structure is None:
            return refused(STRUCTURE_NOT_FOUND, "GCU_MSG_05_002 - Structure introuvable.")
        return {"codeRetour": 0, "libelle": DONE,
                "informationGenerales": {"idStructureCPP": structure["idStructureCPP"],
                                         "identifiantStructure": structure["identifiantStructure"],
                                         "typeIdentifiantStructure": "SIRET",
                                         "libelleStructure": structure["designationStructure"],
                                         "raisonSocialeStructure": structure["designationStructure"],
                                         "structurePriveePublique": structure["structurePriveePublique"]},
                "parametres": {name: structure[name] for name in ("codeServiceDoitEtreRenseigne",
                                                                  "numeroEJDoitEtreRenseigne",
                                                                  "gestionNumeroEJOuCodeService")}
                | {"statutMiseEnPaiementNestPasRemonte": False},
                "adressePostaleDuSiege": structure["adresse"]}

    # --- deposits and their follow-up -------------------------------------------------------------------------

    def deposit(self, body: dict) -> dict:
        file_name, syntax = body.get("nomFichier"), body.get("syntaxeFlux")
        if not file_name or not body.get("fichierFlux"):
            return refused(INVALID_PARAMETER, "Les paramètres fichierFlux et nomFichier sont obligatoires.")
        if syntax != FACTURX_SYNTAX:
            return refused(INVALID_PARAMETER, f"syntaxeFlux {syntax!r} : ce simulateur n'intègre que "
                                              f"{FACTURX_SYNTAX}.")
        try:
            content = base64.b64decode(body["fichierFlux"], validate=True)
        except (binascii.Error, TypeError):
            return refused(INVALID_PARAMETER, "fichierFlux n'est pas encodé en base64.")
        if len(content) > MAX_FILE_BYTES:
            return refused(FILE_TOO_LARGE, f"GDP_MSG_11.022 - Le fichier dépasse la taille maximale autorisée "
                                           f"({MAX_FILE_BYTES // (1024 * 1024)} Mo).")
        examined = examine(content, file_name, self.structures)
        with self.lock:
            flow = self._record(file_name, examined)
            self.stats["deposits"] += 1
        return {"codeRetour": 0, "libelle": DONE, "numeroFluxDepot": flow.number, "syntaxeFlux": FACTURX_SYNTAX,
                "dateDepot": self.clock.wall(flow.deposited_at).date().isoformat()}

    def _record(self, file_name: str, examined: Examined) -> Flow:
        number = f"CPP00111{next(self._flow_numbers):017d}"
        errors = examined.errors or self._duplicate_of(examined)
        invoice = None
        if not errors:
            invoice = Invoice(next(self._invoice_ids), examined.number, examined.supplier, examined.buyer, number,
                              examined.issue_date, examined.total_incl_tax, examined.currency, examined.credit_note)
            integrated = self.clock.now() + self.integration_seconds
            invoice.statuses = [(integrated + index * self.integration_seconds / 2, code, "")
                                for index, code in enumerate(DELIVERY_STATUSES)]
            self.invoices[invoice.id] = invoice
        flow = Flow(number, file_name, self.clock.now(), errors, invoice)
        self.flows[number] = flow
        return flow

    def _duplicate_of(self, examined: Examined) -> list[dict]:
        for invoice in self.invoices.values():
            if (invoice.supplier, invoice.number) == (examined.supplier, examined.number):
                return [dp_error(f"Doublon : la facture {examined.number} du fournisseur {examined.supplier} a déjà "
                                 f"été déposée (flux {invoice.flow_number}).", number=examined.number,
                                 supplier=examined.supplier, buyer=examined.buyer["identifiantStructure"])]
        return []

    def flow_report(self, body: dict) -> dict:
        flow = self.flows.get(str(body.get("numeroFluxDepot") or ""))
        if flow is None:
            return refused(*FLOW_NOT_FOUND)
        state, since = self._flow_state(flow)
        rejected = state == "IN_REJETE"
        return {"codeRetour": 0, "libelle": DONE, "nomFichier": flow.file_name,
                "dateDepotFlux": _timestamp(self.clock.wall(flow.deposited_at)),
                "etatCourantDepotFlux": state, "dateHeureEtatCourantFlux": _timestamp(self.clock.wall(since)),
                "listeErreurDP": flow.errors if rejected else [], "listeErreurTechnique": []}

    def _flow_state(self, flow: Flow) -> tuple[str, float]:
        """The flow's state now, and since when."""
        elapsed, span = self.clock.now() - flow.deposited_at, self.integration_seconds
        if elapsed >= span:
            return ("IN_REJETE" if flow.errors else "IN_INTEGRE"), flow.deposited_at + span
        step = min(int(len(PROCESSING_STATES) * elapsed / span), len(PROCESSING_STATES) - 1)
        return PROCESSING_STATES[step], flow.deposited_at + step * span / len(PROCESSING_STATES)

    def search_supplier_invoices(self, body: dict) -> dict:
        number, flow_number = body.get("numeroFacture"), body.get("numeroFluxDepot")
        found = [invoice for invoice in self._visible_invoices() if (not number or invoice.number == number)
                 and (not flow_number or invoice.flow_number == flow_number)]
        page, listed = _page(found, body.get("rechercheFactureParFournisseur") or {})
        return {"codeRetour": 0, "libelle": DONE, "parametresRetour": page,
                "listeFactures": [self._listed(invoice) for invoice in listed]}

    def _visible_invoices(self) -> list[Invoice]:
        now = self.clock.now()
        return [invoice for _, invoice in sorted(self.invoices.items()) if invoice.statuses[0][0] <= now]

    def _listed(self, invoice: Invoice) -> dict:
        deposited = self.flows[invoice.flow_number].deposited_at
        return {"identifiantFactureCPP": invoice.id, "numeroFacture": invoice.number,
                "numeroFluxDepot": invoice.flow_number, "typeFacture": "AVOIR" if invoice.credit_note else "FACTURE",
                "typeDemandePaiement": "FACTURE", "statut": self._history(invoice)[-1][1],
                "dateDepot": self.clock.wall(deposited).date().isoformat(), "dateFacture": invoice.issue_date,
                "codeFournisseur": invoice.supplier, "idDestinataire": invoice.buyer["idStructureCPP"],
                "codeDestinataire": invoice.buyer["identifiantStructure"],
                "designationDestinataire": invoice.buyer["designationStructure"],
                "montantTTC": float(invoice.total_incl_tax or 0), "devise": invoice.currency}

    def _history(self, invoice: Invoice) -> list[tuple[float, str, str]]:
        now = self.clock.now()
        return sorted(status for status in invoice.statuses if status[0] <= now)

    def invoice_history(self, body: dict) -> dict:
        invoice = self.invoices.get(_int(body.get("idFacture")))
        history = self._history(invoice) if invoice else []
        if not history:
            return refused(INVOICE_NOT_FOUND, "GDP_MSG_01.004 - Facture introuvable.")
        newest_first = [{"histoStatutId": invoice.id * 100 + index, "histoStatutCode": code,
                         "histoStatutDatePassage": self.clock.wall(at).strftime("%Y-%m-%d %H:%M"),
                         "histoStatutCommentaire": comment}
                        for index, (at, code, comment) in reversed(list(enumerate(history)))]
        return {"codeRetour": 0, "libelle": DONE, "idFacture": invoice.id, "numeroFacture": invoice.number,
                "statutCourantCode": history[-1][1],
                "historiquesDesStatuts": {"histoStatut": newest_first, "nbResultatsParPageHistoStatut": len(history),
                                          "pageCouranteHistoStatut": 1, "pagesHistoStatut": 1,
                                          "totalHistoStatut": len(history)}}

    # --- test controls ----------------------------------------------------------------------------------------

    def set_invoice_status(self, invoice_id: int, body: dict) -> tuple[int, dict]:
        code = body.get("statut")
        with self.lock:
            invoice = self.invoices.get(invoice_id)
            if invoice is None or not self._history(invoice):
                return 404, {"error": f"no integrated invoice {invoice_id}"}
            if code not in BUYER_STATUSES:
                return 400, {"error": f"statut must be one of {', '.join(BUYER_STATUSES)}, not {code!r}"}
            invoice.statuses.append((self.clock.now(), code, str(body.get("commentaire") or "")))
        return 200, {"idFacture": invoice_id, "statut": code}


OPERATIONS: dict[str, Callable[[ChorusPro, dict], dict]] = {
    "/cpro/structures/v1/rechercher": ChorusPro.search_structures,
    "/cpro/structures/v1/consulter": ChorusPro.consult_structure,
    "/cpro/factures/v1/deposer/flux": ChorusPro.deposit,
    "/cpro/transverses/v1/consulterCRDetaille": ChorusPro.flow_report,
    "/cpro/factures/v1/rechercher/fournisseur": ChorusPro.search_supplier_invoices,
    "/cpro/factures/v1/consulter/historique": ChorusPro.invoice_history,
}
# Operations that only read: they run under the lock; a deposit takes it itself, after examining its file.
READS = {path for path in OPERATIONS if path != "/cpro/factures/v1/deposer/flux"}


def _client_credentials(form: dict[str, str], authorization: str | None) -> tuple[str, str]:
    """From the form, or from HTTP Basic authentication (both are allowed by OAuth 2.0)."""
    scheme, _, encoded = (authorization or "").partition(" ")
    if scheme.lower() == "basic":
        try:
            client_id, _, client_secret = base64.b64decode(encoded).decode().partition(":")
            return client_id, client_secret
        except (binascii.Error, UnicodeDecodeError):
            return "", ""
    return form.get("client_id", ""), form.get("client_secret", "")


def _page(items: list, parameters: dict) -> tuple[dict, list]:
    size = max(1, _int(parameters.get("nbResultatsParPage")) or 10)
    page = max(1, _int(parameters.get("pageResultatDemandee")) or 1)
    pages = max(1, -(-len(items) // size))
    return ({"pageCourante": page, "pages": pages, "nbResultatsParPage": size, "total": len(items)},
            items[(page - 1) * size:page * size])


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _timestamp(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


def serve(port: int, oauth_port: int | None, chorus: ChorusPro) -> None:
    class Handler(JsonHandler):
        token_only = False  # PISTE's OAuth host serves tokens, not the API

        def do_GET(self):
            path = urlsplit(self.path).path
            if path == "/":
                self.answer_json(200, {"simulator": "Chorus Pro (PISTE)", "structures": len(chorus.structures)})
            elif path == STATS_PATH:
                with chorus.lock:
                    self.answer_json(200, dict(chorus.stats))
            else:
                self.answer_json(404, gateway_error(404, "Not Found", "No resources match requested URI"))

        def do_POST(self):
            path, raw = urlsplit(self.path).path, self._read_body()
            if path == TOKEN_PATH:
                form = {key: values[0] for key, values in parse_qs(raw.decode(errors="replace")).items()}
                self.answer_json(*chorus.issue_token(form, self.headers.get("Authorization")))
            elif self.token_only:
                self.answer_json(404, gateway_error(404, "Not Found", "No resources match requested URI"))
            elif path.startswith("/_simulator/"):
                self.answer_json(*self._control(path, _json(raw) or {}))
            elif path in OPERATIONS:
                self._api(path, raw)
            else:
                self.answer_json(404, gateway_error(404, "Not Found", "No resources match requested URI"))

        def _read_body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def _api(self, path: str, raw: bytes) -> None:
            with chorus.lock:
                chorus.stats["requests"] += 1
                failure = chorus.failures.pop(0) if chorus.failures else None
            if failure:
                self.answer_json(failure, gateway_error(failure, "Service Unavailable", "Injected failure"))
                return
            refusal = chorus.refusal_of(self.headers.get("Authorization"), self.headers.get(ACCOUNT_HEADER))
            if refusal:
                self.answer_json(401, refusal)
                return
            body = _json(raw)
            if not isinstance(body, dict):
                self.answer_json(400, gateway_error(400, "Bad Request", "Le corps de la requête doit être un "
                                                                        "objet JSON."))
                return
            if path in READS:
                with chorus.lock:
                    self.answer_json(200, OPERATIONS[path](chorus, body))
            else:
                self.answer_json(200, OPERATIONS[path](chorus, body))

        def _control(self, path: str, body: dict) -> tuple[int, dict]:
            if path == "/_simulator/advance":
                with chorus.lock:
                    chorus.clock.advance(float(body.get("seconds", 0)))
                return 200, {"advanced": float(body.get("seconds", 0))}
            if path == "/_simulator/fail":
                with chorus.lock:
                    chorus.failures += [int(body.get("status", 503))] * int(body.get("count", 1))
                return 200, {"failing": len(chorus.failures)}
            match = CONTROL_INVOICE_STATUS.fullmatch(path)
            if match:
                return chorus.set_invoice_status(int(match[1]), body)
            return 404, {"error": f"no control {path}"}

    class TokenHandler(Handler):
        token_only = True

    if oauth_port:
        oauth = http.server.ThreadingHTTPServer(("127.0.0.1", oauth_port), TokenHandler)
        threading.Thread(target=oauth.serve_forever, daemon=True).start()
    http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


def _json(raw: bytes):
    try:
        return json.loads(raw or b"null")
    except ValueError:
        return None


@contextmanager
def running(port: int | None = None, client_id: str = "simulator-client", client_secret: str = "simulator-secret",
            login: str = "TECH_1_simulateur@cpro.fr", password: str = "simulator-password",
            integration_seconds: float = 1.0, token_lifetime: int = 3600, data: Path = DATA_FILE,
            oauth_port: int | None = None, timeout: float = 30) -> Iterator[str]:
    """This simulator in a child process, for tests: yields its base URL (no trailing slash) once it answers; the
    token endpoint is `url + TOKEN_PATH`, and also on `oauth_port` when given."""
    args = ["--client-id", client_id, "--client-secret", client_secret, "--login", login, "--password", password,
            "--integration-seconds", str(integration_seconds), "--token-lifetime", str(token_lifetime),
            "--data", str(data)] + (["--oauth-port", str(oauth_port)] if oauth_port else [])
    with child_server("jefacture.simulators.chorus_pro", args, port or free_port(), timeout) as url:
        yield url


def advance(url: str, seconds: float) -> None:
    """Move the clock of the simulator at `url` forward: flows progress, tokens expire."""
    httpx.post(f"{url}/_simulator/advance", json={"seconds": seconds}, timeout=5).raise_for_status()


def fail_next(url: str, status: int = 503, count: int = 1) -> None:
    """The next `count` API calls to the simulator at `url` answer HTTP `status`."""
    httpx.post(f"{url}/_simulator/fail", json={"status": status, "count": count}, timeout=5).raise_for_status()


def set_invoice_status(url: str, invoice_id: int, status: str, comment: str = "") -> None:
    """What the buyer does with an integrated invoice (e.g. MISE_EN_PAIEMENT, REJETEE), as Chorus Pro shows it."""
    httpx.post(f"{url}/_simulator/invoices/{invoice_id}/statut", json={"statut": status, "commentaire": comment},
               timeout=5).raise_for_status()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True, help=f"the API, and {TOKEN_PATH}")
    parser.add_argument("--oauth-port", type=int, help=f"serve {TOKEN_PATH} (only) here too, like PISTE's OAuth host")
    parser.add_argument("--client-id", required=True, help="the PISTE application's client id")
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--login", required=True, help="the Chorus Pro technical account (cpro-account)")
    parser.add_argument("--password", required=True)
    parser.add_argument("--integration-seconds", type=float, default=1.0,
                        help="from deposit to IN_INTEGRE / IN_REJETE; the invoice's statuses follow at half that pace")
    parser.add_argument("--token-lifetime", type=int, default=3600, help="seconds, like PISTE's")
    parser.add_argument("--data", type=Path, default=DATA_FILE, help="the public structures")
    args = parser.parse_args()
    if args.integration_seconds < 0:
        parser.error("--integration-seconds cannot be negative")
    chorus = ChorusPro(args.client_id, args.client_secret, args.login, args.password, args.integration_seconds,
                       args.token_lifetime, load_structures(args.data))
    serve(args.port, args.oauth_port, chorus)


if __name__ == "__main__":
    sys.exit(main())
