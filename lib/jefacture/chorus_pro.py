"""Client of the Chorus Pro API through PISTE: is a customer a public buyer, deposit a Factur-X invoice, follow it.

Authentication is twofold: an OAuth 2.0 token of the PISTE application (client credentials, scope openid), kept until
a minute before it expires and renewed once when the API answers 401; and the Chorus Pro technical account, sent on
every call as the `cpro-account` header, base64("login:password"). Every call is a POST with a JSON body. Chorus Pro
answers business errors with HTTP 200 and a `codeRetour` other than 0: they raise ChorusProRefused.

Exactly once: the API has no search by file name. Invoices are searched by number (factures/v1/rechercher/fournisseur,
`find_invoices`), which lists only integrated invoices; and Chorus Pro itself rejects a second invoice with the same
number from the same supplier, so depositing again after a crash cannot create a second invoice (the second flow is
rejected as a duplicate, and `find_invoices` then names the first one).
"""
import base64
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

import httpx

from jefacture.registry_client import InvalidIdentifier, checked_siren, checked_siret

__all__ = ["ACCOUNT_HEADER", "FACTURX_SYNTAX", "PRODUCTION_API_URL", "PRODUCTION_TOKEN_URL", "QUALIFICATION_API_URL",
           "QUALIFICATION_TOKEN_URL", "ChorusProAuthError", "ChorusProClient", "ChorusProError", "ChorusProRefused",
           "ChorusProUnavailable", "Deposit", "DepositedInvoice", "FlowReport", "InvalidIdentifier", "Structure"]

PRODUCTION_API_URL = "https://api.piste.gouv.fr"
PRODUCTION_TOKEN_URL = "https://oauth.piste.gouv.fr/api/oauth/token"
QUALIFICATION_API_URL = "https://sandbox-api.piste.gouv.fr"
QUALIFICATION_TOKEN_URL = "https://sandbox-oauth.piste.gouv.fr/api/oauth/token"
ACCOUNT_HEADER = "cpro-account"
FACTURX_SYNTAX = "IN_DP_E2_CII_FACTURX"
INTEGRATED_FLOW_STATES = frozenset({"IN_INTEGRE", "IN_INTEGRE_PARTIEL"})
# Flows Chorus Pro will not process: rejected after checks, or failed and to be deposited again.
REJECTED_FLOW_STATES = frozenset({"IN_REJETE", "IN_INCIDENTE", "IN_A_RELANCER", "IN_ERREUR_INTERNE"})
TOKEN_MARGIN = 60.0  # seconds before a token's expiry when a new one is fetched
PAGE_SIZE = 100

SEARCH_STRUCTURES = "/cpro/structures/v1/rechercher"
CONSULT_STRUCTURE = "/cpro/structures/v1/consulter"
DEPOSIT_FLOW = "/cpro/factures/v1/deposer/flux"
FLOW_REPORT = "/cpro/transverses/v1/consulterCRDetaille"
SEARCH_SUPPLIER_INVOICES = "/cpro/factures/v1/rechercher/fournisseur"
INVOICE_HISTORY = "/cpro/factures/v1/consulter/historique"


class ChorusProError(Exception):
    """Chorus Pro could not do what was asked."""


class ChorusProUnavailable(ChorusProError):
    """PISTE or Chorus Pro is down, unreachable or answered nonsense: worth trying again later."""


class ChorusProAuthError(ChorusProError):
    """PISTE refused the application's credentials, or Chorus Pro the technical account: fix the configuration."""


class ChorusProRefused(ChorusProError):
    """Chorus Pro refused the request itself (`codeRetour` ≠ 0): trying again unchanged will not help."""

    def __init__(self, code: int, label: str, operation: str):
        self.code = code
        self.label = label
        super().__init__(f"Chorus Pro refused {operation}: codeRetour {code}, {label!r}")


@dataclass(frozen=True)
class Structure:
    """A public buyer as Chorus Pro knows it, with what its invoices must carry."""
    id_structure_cpp: int
    identifier: str  # its SIRET, the routing key of Factur-X invoices to it (BT-47, schemeID 0009)
    name: str
    engagement_required: bool  # the invoice must carry an engagement number (BT-13)
    service_required: bool  # the invoice must carry one of its service codes (BT-10)
    engagement_or_service_required: bool = False  # one of the two at least


@dataclass(frozen=True)
class Deposit:
    flow_number: str  # numeroFluxDepot
    deposited_at: date | None


@dataclass(frozen=True)
class FlowReport:
    status: Literal["pending", "integrated", "rejected"]
    errors: list[str] = field(default_factory=list)  # why Chorus Pro rejected the flow, as it says it
    invoice_ids: list[int] = field(default_factory=list)  # identifiantFactureCPP of the integrated invoices
    state: str = ""  # Chorus Pro's own etatCourantDepotFlux


@dataclass(frozen=True)
class DepositedInvoice:
    invoice_id: int  # identifiantFactureCPP
    invoice_number: str
    flow_number: str
    status: str  # e.g. DEPOSEE, MISE_A_DISPOSITION, MISE_EN_PAIEMENT, REJETEE
    deposited_on: date | None


class ChorusProClient:
    """One PISTE application and one Chorus Pro technical account. Thread-safe; close() or use as a context."""

    def __init__(self, api_url: str, token_url: str, client_id: str, client_secret: str, login: str,
                 password: str, timeout: float = 30, clock: Callable[[], float] = time.monotonic):
        missing = [name for name, value in (("api_url", api_url), ("token_url", token_url), ("client_id", client_id),
                                            ("client_secret", client_secret), ("login", login),
                                            ("password", password)) if not value]
        if missing:
            raise ValueError(f"the Chorus Pro client needs {', '.join(missing)}")
        self._token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret
        self._login = login
        self._account = base64.b64encode(f"{login}:{password}".encode()).decode()
        self._http = httpx.Client(base_url=api_url.rstrip("/"), timeout=timeout, headers={"Accept": "application/json"})
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._renew_at = 0.0

    def __enter__(self) -> "ChorusProClient":
        return self

    def __exit__(self, *_) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # --- public buyers ----------------------------------------------------------------------------------------

    def find_public_structure(self, siret_or_siren: str) -> Structure | None:
        """The active public structure of this SIRET, or the first of this SIREN's (by SIRET); None when Chorus Pro
        knows no public buyer by that number. Raises InvalidIdentifier before any request for an impossible number."""
        number = _checked_number(siret_or_siren)
        for candidate in self._search_structures(number):
            structure = self._public_structure(candidate)
            if structure is not None:
                return structure
        return None

    def _search_structures(self, number: str) -> list[dict]:
        answer = self._call(SEARCH_STRUCTURES, {
            "structure": {"identifiantStructure": number, "typeIdentifiantStructure": "SIRET",
                          "statutStructure": "ACTIF"},
            "parametres": {"nbResultatsParPage": PAGE_SIZE, "pageResultatDemandee": 1}})
        found = [item for item in _list(answer, "listeStructures")
                 if str(item.get("identifiantStructure", "")).startswith(number)
                 and item.get("statut", "ACTIF") == "ACTIF" and item.get("idStructureCPP")]
        return sorted(found, key=lambda item: str(item["identifiantStructure"]))

    def _public_structure(self, candidate: dict) -> Structure | None:
        answer = self._call(CONSULT_STRUCTURE, {"idStructureCPP": candidate["idStructureCPP"], "codeLangue": "fr"})
        general = answer.get("informationGenerales") or {}
        if general.get("structurePriveePublique") != "PUBLIQUE":
            return None
        settings = answer.get("parametres") or {}
        identifier = str(candidate["identifiantStructure"])
        return Structure(id_structure_cpp=int(candidate["idStructureCPP"]), identifier=identifier,
                         name=general.get("raisonSocialeStructure") or general.get("libelleStructure")
                         or candidate.get("designationStructure") or identifier,
                         engagement_required=bool(settings.get("numeroEJDoitEtreRenseigne")),
                         service_required=bool(settings.get("codeServiceDoitEtreRenseigne")),
                         engagement_or_service_required=bool(settings.get("gestionNumeroEJOuCodeService")))

    # --- deposits ---------------------------------------------------------------------------------------------

    def deposit_facturx(self, pdf: bytes, file_name: str) -> Deposit:
        """Deposit one Factur-X PDF as a flow; Chorus Pro examines it afterwards (see flow_report)."""
        if not pdf.startswith(b"%PDF-"):
            raise ValueError(f"{file_name!r} is not a PDF: Chorus Pro takes a Factur-X invoice as a PDF/A-3 with its "
                             f"CII XML embedded")
        answer = self._call(DEPOSIT_FLOW, {"fichierFlux": base64.b64encode(pdf).decode("ascii"),
                                           "nomFichier": file_name, "syntaxeFlux": FACTURX_SYNTAX,
                                           "avecSignature": False})
        flow_number = answer.get("numeroFluxDepot")
        if not flow_number:
            raise ChorusProUnavailable(f"Chorus Pro accepted the deposit of {file_name!r} without giving its "
                                       f"numeroFluxDepot: {str(answer)[:200]}")
        return Deposit(flow_number=str(flow_number), deposited_at=_date(answer.get("dateDepot")))

    def flow_report(self, flow_number: str) -> FlowReport:
        """Where the flow is: pending while Chorus Pro processes it, rejected with its reasons, or integrated with
        the ids of its invoices (still pending while the integrated invoice is not yet searchable)."""
        answer = self._call(FLOW_REPORT, {"numeroFluxDepot": flow_number, "syntaxeFlux": FACTURX_SYNTAX})
        state = str(answer.get("etatCourantDepotFlux") or "")
        errors = _flow_errors(answer)
        if state in REJECTED_FLOW_STATES:
            return FlowReport("rejected", errors or [f"{state}: {answer.get('libelle') or 'rejeté sans motif'}"],
                              state=state)
        if state in INTEGRATED_FLOW_STATES:
            invoice_ids = [found.invoice_id for found in self._search_invoices({"numeroFluxDepot": flow_number})]
            return FlowReport("integrated" if invoice_ids else "pending", errors, invoice_ids, state)
        return FlowReport("pending", errors, state=state)

    def find_invoices(self, invoice_number: str) -> list[DepositedInvoice]:
        """The integrated invoices of this technical account's supplier that bear this number (flows still being
        processed, or rejected, are not listed: Chorus Pro's search covers invoices only)."""
        return self._search_invoices({"numeroFacture": invoice_number})

    def _search_invoices(self, criteria: dict) -> list[DepositedInvoice]:
        answer = self._call(SEARCH_SUPPLIER_INVOICES, {
            **criteria, "rechercheFactureParFournisseur": {"nbResultatsParPage": PAGE_SIZE, "pageResultatDemandee": 1}})
        return [DepositedInvoice(invoice_id=int(item["identifiantFactureCPP"]),
                                 invoice_number=str(item.get("numeroFacture") or ""),
                                 flow_number=str(item.get("numeroFluxDepot") or ""),
                                 status=str(item.get("statut") or ""), deposited_on=_date(item.get("dateDepot")))
                for item in _list(answer, "listeFactures") if item.get("identifiantFactureCPP")]

    def invoice_history(self, invoice_id: int) -> list[str]:
        """The statuses an integrated invoice went through, oldest first: DEPOSEE, …, MISE_A_DISPOSITION, then the
        buyer's (SERVICE_FAIT, MANDATEE, MISE_EN_PAIEMENT, or REJETEE, SUSPENDUE…)."""
        answer = self._call(INVOICE_HISTORY, {"idFacture": invoice_id})
        history = _list(answer.get("historiquesDesStatuts") or {}, "histoStatut")
        ordered = sorted(history, key=lambda item: (str(item.get("histoStatutDatePassage") or ""),
                                                    _number(item.get("histoStatutId"))))
        codes = [str(item["histoStatutCode"]) for item in ordered if item.get("histoStatutCode")]
        current = answer.get("statutCourantCode")
        return codes or ([str(current)] if current else [])

    # --- transport ----------------------------------------------------------------------------------------------

    def _call(self, path: str, body: dict) -> dict:
        response = self._post(path, body, renew_token=False)
        if response.status_code == 401:  # the token expired early, or was revoked: one more try with a new one
            response = self._post(path, body, renew_token=True)
        return self._answer(path, response)

    def _post(self, path: str, body: dict, renew_token: bool) -> httpx.Response:
        # The technical account goes to Chorus Pro only, never to the token endpoint.
        headers = {"Authorization": f"Bearer {self._bearer(renew_token)}", ACCOUNT_HEADER: self._account}
        try:
            return self._http.post(path, json=body, headers=headers)
        except httpx.HTTPError as error:
            raise ChorusProUnavailable(f"Chorus Pro is unreachable at {self._http.base_url}{path}: "
                                       f"{type(error).__name__}: {error}") from error

    def _answer(self, path: str, response: httpx.Response) -> dict:
        status = response.status_code
        if status in (401, 403):
            raise ChorusProAuthError(
                f"Chorus Pro refused {path} (HTTP {status}: {_detail(response)}) even with a new PISTE token: check "
                f"the technical account {self._login!r} and its password (sent as {ACCOUNT_HEADER}), and that the "
                f"PISTE application subscribes to the Chorus Pro APIs")
        if status >= 500:
            raise ChorusProUnavailable(f"Chorus Pro failed on {path} with HTTP {status}: {_detail(response)}")
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if status >= 400:
            if isinstance(answer, dict) and "codeRetour" in answer:
                raise ChorusProRefused(_number(answer["codeRetour"]), str(answer.get("libelle") or ""), path)
            raise ChorusProRefused(status, f"HTTP {status} at {response.request.url}: {_detail(response)} (check the "
                                           f"API URL)", path)
        if not isinstance(answer, dict):
            raise ChorusProUnavailable(f"Chorus Pro answered {path} with something that is not a JSON object: "
                                       f"{response.text[:200]!r}")
        code = _number(answer.get("codeRetour", 0))
        if code != 0:
            raise ChorusProRefused(code, str(answer.get("libelle") or ""), path)
        return answer

    def _bearer(self, renew: bool) -> str:
        with self._lock:
            if renew or self._token is None or self._clock() >= self._renew_at:
                self._token, lifetime = self._new_token()
                self._renew_at = self._clock() + lifetime - min(TOKEN_MARGIN, lifetime / 2)
            return self._token

    def _new_token(self) -> tuple[str, float]:
        try:
            response = self._http.post(self._token_url, data={
                "grant_type": "client_credentials", "client_id": self._client_id,
                "client_secret": self._client_secret, "scope": "openid"})
        except httpx.HTTPError as error:
            raise ChorusProUnavailable(f"PISTE's token endpoint is unreachable at {self._token_url}: "
                                       f"{type(error).__name__}: {error}") from error
        if response.status_code in (400, 401, 403):
            raise ChorusProAuthError(f"PISTE refused a token to the application {self._client_id!r} at "
                                     f"{self._token_url} (HTTP {response.status_code}: {_detail(response)}): check "
                                     f"its client id and secret")
        if response.status_code != 200:
            raise ChorusProUnavailable(f"PISTE's token endpoint {self._token_url} failed with HTTP "
                                       f"{response.status_code}: {_detail(response)}")
        try:
            token = response.json()
            return str(token["access_token"]), float(token.get("expires_in") or 3600)
        except (ValueError, KeyError, TypeError):
            raise ChorusProUnavailable(f"PISTE's token endpoint {self._token_url} answered without an access_token: "
                                       f"{response.text[:200]!r}") from None


def _checked_number(siret_or_siren: str) -> str:
    digits = "".join(str(siret_or_siren).split())
    if len(digits) == 9:
        return checked_siren(digits)
    if len(digits) == 14:
        return checked_siret(digits)
    raise InvalidIdentifier(f"{siret_or_siren!r} is neither a SIRET (14 digits) nor a SIREN (9 digits)")


def _flow_errors(answer: dict) -> list[str]:
    errors = []
    for item in _list(answer, "listeErreurDP"):
        label = str(item.get("libelleErreurDP") or "").strip()
        number = str(item.get("numeroDP") or "").strip()
        errors.append(f"{number}: {label}" if number else label)
    for item in _list(answer, "listeErreurTechnique"):
        parts = [str(item.get(key) or "").strip() for key in ("codeErreur", "libelleErreur")]
        errors.append(" ".join(part for part in parts if part))
    return [error for error in errors if error]


def _list(answer: dict, key: str) -> list[dict]:
    value = answer.get(key)
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _number(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def _date(value: Any) -> date | None:
    """Chorus Pro's dates come as "2026-03-02", or with a time."""
    text = str(value or "").strip()
    try:
        return datetime.fromisoformat(text.replace(" ", "T")).date() if text else None
    except ValueError:
        return None


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return repr(response.text[:200])
    if isinstance(body, dict):
        for key in ("libelle", "moreInformation", "error_description", "error", "httpMessage"):
            if body.get(key):
                return str(body[key])
    return repr(response.text[:200])
