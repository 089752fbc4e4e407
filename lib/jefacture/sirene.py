"""Client of the INSEE API Sirene 3.11: who a SIREN or SIRET is (name, legal form, activity, active or ceased and
since when, head office), numbers checked with python-stdnum before any request, answers cached in memory."""
from dataclasses import dataclass
from datetime import date

import httpx

from jefacture.registry_client import (
    InvalidIdentifier,
    RegistryClient,
    RegistryHttp,
    RegistryRefused,
    RegistryUnavailable,
    TtlCache,
    checked_siren,
    checked_siret,
)

__all__ = ["API_KEY_HEADER", "PUBLIC_URL", "Address", "Establishment", "InvalidIdentifier", "LegalUnit",
           "SireneClient", "SireneRefused", "SireneUnavailable"]

PUBLIC_URL = "https://api.insee.fr/api-sirene/3.11"
API_KEY_HEADER = "X-INSEE-Api-Key-Integration"
NOT_DIFFUSED = "[ND]"


class SireneUnavailable(RegistryUnavailable):
    """The Sirene API is down, unreachable, or throttling for longer than the client waits."""


class SireneRefused(RegistryRefused):
    """The Sirene API refused the request: a wrong API key or base URL."""


@dataclass(frozen=True)
class Address:
    street: str | None  # "14 B RUE DE NANTES"; None when not diffused
    complement: str | None
    postal_code: str | None
    city: str | None


@dataclass(frozen=True)
class LegalUnit:
    siren: str
    name: str | None  # None when not diffused (a person under partial diffusion)
    legal_form_code: str | None  # INSEE catégorie juridique: 5710 SAS, 5499 SARL, 6540 SCI, 1000 entrepreneur…
    naf_code: str | None  # "69.20Z"
    active: bool
    status_since: date | None  # since when active, or ceased
    created_on: date | None
    head_office_nic: str | None
    diffusible: bool

    @property
    def ceased_on(self) -> date | None:
        return None if self.active else self.status_since

    @property
    def head_office_siret(self) -> str | None:
        return self.siren + self.head_office_nic if self.head_office_nic else None


@dataclass(frozen=True)
class Establishment:
    siret: str
    name: str | None  # its legal unit's
    trade_name: str | None  # enseigne, or usual name
    is_head_office: bool
    active: bool
    status_since: date | None  # since when open, or closed
    created_on: date | None
    naf_code: str | None
    address: Address
    diffusible: bool
    legal_unit_active: bool

    @property
    def siren(self) -> str:
        return self.siret[:9]

    @property
    def closed_on(self) -> date | None:
        return None if self.active else self.status_since


class SireneClient(RegistryClient):
    """Lookups by SIREN and SIRET. Unknown numbers give None (cached for `miss_ttl`, by default the shorter of a
    quarter of `cache_ttl` and an hour, since a new company may appear any day); errors are never cached."""

    def __init__(self, base_url: str, api_key: str, timeout: float = 10.0, cache_ttl: float = 86_400.0,
                 miss_ttl: float | None = None, max_wait: float = 20.0, backoff: float = 0.5):
        if not api_key:
            raise ValueError("the Sirene API needs an API key (header X-INSEE-Api-Key-Integration)")
        self._http = RegistryHttp("the INSEE Sirene API", base_url, timeout=timeout, max_wait=max_wait,
                                  backoff=backoff, unavailable=SireneUnavailable, refused=SireneRefused,
                                  headers={API_KEY_HEADER: api_key, "Accept": "application/json"},
                                  refused_hint=f"check the API key sent as {API_KEY_HEADER}")
        self._cache = TtlCache()
        self._cache_ttl = cache_ttl
        self._miss_ttl = min(cache_ttl / 4, 3600.0) if miss_ttl is None else miss_ttl

    def legal_unit(self, siren: str) -> LegalUnit | None:
        siren = checked_siren(siren)
        return self._cache.get_or_fetch(("siren", siren), lambda: self._legal_unit(siren), self._ttl)

    def establishment(self, siret: str) -> Establishment | None:
        siret = checked_siret(siret)
        return self._cache.get_or_fetch(("siret", siret), lambda: self._establishment(siret), self._ttl)

    def head_office(self, siren: str) -> Establishment | None:
        unit = self.legal_unit(siren)
        return self.establishment(unit.head_office_siret) if unit and unit.head_office_siret else None

    def _ttl(self, answer: object) -> float:
        return self._miss_ttl if answer is None else self._cache_ttl

    def _legal_unit(self, siren: str) -> LegalUnit | None:
        body = self._get(f"/siren/{siren}", "uniteLegale")
        return None if body is None else legal_unit_of(body["uniteLegale"])

    def _establishment(self, siret: str) -> Establishment | None:
        body = self._get(f"/siret/{siret}", "etablissement")
        return None if body is None else establishment_of(body["etablissement"])

    def _get(self, path: str, field: str) -> dict | None:
        response = self._http.get(path)
        if response.status_code == 404:
            if _is_sirene_not_found(response):
                return None
            raise SireneRefused(f"the INSEE Sirene API has no {path} at {response.request.url}: check its base URL "
                                f"(answer: {response.text[:200]!r})")
        body = self._http.json(response)
        if not isinstance(body, dict) or not isinstance(body.get(field), dict):
            raise SireneUnavailable(f"the INSEE Sirene API answered {path} without '{field}': {str(body)[:200]}")
        return body


def _is_sirene_not_found(response: httpx.Response) -> bool:
    """Sirene's own "Aucun élément trouvé" carries its header; any other 404 comes from a wrong base URL."""
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and isinstance(body.get("header"), dict)


def legal_unit_of(unit: dict) -> LegalUnit:
    """A LegalUnit from the API's `uniteLegale` (GET /siren)."""
    periods = _newest_first(unit.get("periodesUniteLegale"))
    current = periods[0]
    state = current.get("etatAdministratifUniteLegale")
    return LegalUnit(siren=unit["siren"], name=_unit_name({**unit, **current}),
                     legal_form_code=_diffused(current.get("categorieJuridiqueUniteLegale")),
                     naf_code=_diffused(current.get("activitePrincipaleUniteLegale")),
                     active=state == "A",
                     status_since=_state_since(periods, "etatAdministratifUniteLegale"),
                     created_on=_date(unit.get("dateCreationUniteLegale")),
                     head_office_nic=_diffused(current.get("nicSiegeUniteLegale")),
                     diffusible=unit.get("statutDiffusionUniteLegale") == "O")


def establishment_of(establishment: dict) -> Establishment:
    """An Establishment from the API's `etablissement` (GET /siret)."""
    periods = _newest_first(establishment.get("periodesEtablissement"))
    current = periods[0]
    unit = establishment.get("uniteLegale") or {}
    address = establishment.get("adresseEtablissement") or {}
    return Establishment(
        siret=establishment["siret"], name=_unit_name(unit),
        trade_name=_diffused(current.get("enseigne1Etablissement"))
        or _diffused(current.get("denominationUsuelleEtablissement")),
        is_head_office=bool(establishment.get("etablissementSiege")),
        active=current.get("etatAdministratifEtablissement") == "A",
        status_since=_state_since(periods, "etatAdministratifEtablissement"),
        created_on=_date(establishment.get("dateCreationEtablissement")),
        naf_code=_diffused(current.get("activitePrincipaleEtablissement")),
        address=_address(address),
        diffusible=establishment.get("statutDiffusionEtablissement") == "O",
        legal_unit_active=unit.get("etatAdministratifUniteLegale") == "A")


def _newest_first(periods: list[dict] | None) -> list[dict]:
    return sorted(periods, key=lambda period: period.get("dateDebut") or "", reverse=True) if periods else [{}]


def _state_since(periods: list[dict], field: str) -> date | None:
    """The start of the run of periods, from the newest, that share the current administrative state."""
    state = periods[0].get(field)
    since = None
    for period in periods:
        if period.get(field) != state:
            break
        since = period.get("dateDebut")
    return _date(since)


def _unit_name(fields: dict) -> str | None:
    """A company's denomination, or an entrepreneur's usual first name and name; None when not diffused."""
    denomination = _diffused(fields.get("denominationUniteLegale"))
    if denomination:
        return denomination
    last = _diffused(fields.get("nomUsageUniteLegale")) or _diffused(fields.get("nomUniteLegale"))
    first = _diffused(fields.get("prenomUsuelUniteLegale")) or _diffused(fields.get("prenom1UniteLegale"))
    return " ".join(part for part in (first, last) if part) if last else None


def _address(address: dict) -> Address:
    parts = [address.get("numeroVoieEtablissement"), address.get("indiceRepetitionEtablissement"),
             address.get("typeVoieEtablissement"), address.get("libelleVoieEtablissement")]
    street = None if NOT_DIFFUSED in parts else " ".join(part for part in parts if part) or None
    return Address(street=street, complement=_diffused(address.get("complementAdresseEtablissement")),
                   postal_code=_diffused(address.get("codePostalEtablissement")),
                   city=_diffused(address.get("libelleCommuneEtablissement"))
                   or _diffused(address.get("libelleCommuneEtrangerEtablissement")))


def _diffused(value: str | None) -> str | None:
    return None if value in (None, "", NOT_DIFFUSED) else value


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value and value != NOT_DIFFUSED else None
