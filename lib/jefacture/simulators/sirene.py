"""A local INSEE API Sirene 3.11 over seeded records (data/sirene.json): GET /siren/{siren} and GET /siret/{siret}
behind the X-INSEE-Api-Key-Integration header, with the real API's throttling, partial diffusion and error bodies.

Also served under /api-sirene/3.11, the real path. GET / answers 200 once the server listens; GET /_simulator/stats
counts the API requests.
"""
import argparse
import http.server
import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

from stdnum.fr import siren as siren_number
from stdnum.fr import siret as siret_number

from jefacture.simulators.kit import (
    STATS_PATH,
    Counter,
    JsonHandler,
    SlidingWindow,
    child_server,
    free_port,
    retry_after,
)

API_KEY_HEADER = "X-INSEE-Api-Key-Integration"
REAL_PREFIX = "/api-sirene/3.11"
DATA_FILE = Path(__file__).with_name("data") / "sirene.json"
NOT_DIFFUSED = "[ND]"
RELATIVE_DATE = re.compile(r"today([+-]\d+)d")

UNIT_LAYOUT = ("siren", "statutDiffusionUniteLegale", "unitePurgeeUniteLegale", "dateCreationUniteLegale",
               "sigleUniteLegale", "sexeUniteLegale", "prenom1UniteLegale", "prenom2UniteLegale",
               "prenom3UniteLegale", "prenom4UniteLegale", "prenomUsuelUniteLegale", "pseudonymeUniteLegale",
               "identifiantAssociationUniteLegale", "trancheEffectifsUniteLegale", "anneeEffectifsUniteLegale",
               "dateDernierTraitementUniteLegale", "nombrePeriodesUniteLegale", "categorieEntreprise",
               "anneeCategorieEntreprise", "periodesUniteLegale")
UNIT_PERIOD_LAYOUT = ("dateFin", "dateDebut", "etatAdministratifUniteLegale", "changementEtatAdministratifUniteLegale",
                      "nomUniteLegale", "changementNomUniteLegale", "nomUsageUniteLegale",
                      "changementNomUsageUniteLegale", "denominationUniteLegale", "changementDenominationUniteLegale",
                      "denominationUsuelle1UniteLegale", "denominationUsuelle2UniteLegale",
                      "denominationUsuelle3UniteLegale", "changementDenominationUsuelleUniteLegale",
                      "categorieJuridiqueUniteLegale", "changementCategorieJuridiqueUniteLegale",
                      "activitePrincipaleUniteLegale", "nomenclatureActivitePrincipaleUniteLegale",
                      "changementActivitePrincipaleUniteLegale", "nicSiegeUniteLegale", "changementNicSiegeUniteLegale",
                      "economieSocialeSolidaireUniteLegale", "changementEconomieSocialeSolidaireUniteLegale",
                      "societeMissionUniteLegale", "changementSocieteMissionUniteLegale",
                      "caractereEmployeurUniteLegale", "changementCaractereEmployeurUniteLegale")
# The short legal unit that GET /siret embeds: the unit's fields as of its current period.
EMBEDDED_UNIT_LAYOUT = ("etatAdministratifUniteLegale", "statutDiffusionUniteLegale", "dateCreationUniteLegale",
                        "categorieJuridiqueUniteLegale", "denominationUniteLegale", "sigleUniteLegale",
                        "denominationUsuelle1UniteLegale", "denominationUsuelle2UniteLegale",
                        "denominationUsuelle3UniteLegale", "sexeUniteLegale", "nomUniteLegale", "nomUsageUniteLegale",
                        "prenom1UniteLegale", "prenom2UniteLegale", "prenom3UniteLegale", "prenom4UniteLegale",
                        "prenomUsuelUniteLegale", "pseudonymeUniteLegale", "activitePrincipaleUniteLegale",
                        "nomenclatureActivitePrincipaleUniteLegale", "identifiantAssociationUniteLegale",
                        "economieSocialeSolidaireUniteLegale", "societeMissionUniteLegale",
                        "caractereEmployeurUniteLegale", "trancheEffectifsUniteLegale", "anneeEffectifsUniteLegale",
                        "nicSiegeUniteLegale", "dateDernierTraitementUniteLegale", "categorieEntreprise",
                        "anneeCategorieEntreprise")
ESTABLISHMENT_LAYOUT = ("siren", "nic", "siret", "statutDiffusionEtablissement", "dateCreationEtablissement",
                        "trancheEffectifsEtablissement", "anneeEffectifsEtablissement",
                        "activitePrincipaleRegistreMetiersEtablissement", "dateDernierTraitementEtablissement",
                        "etablissementSiege", "nombrePeriodesEtablissement", "uniteLegale", "adresseEtablissement",
                        "adresse2Etablissement", "periodesEtablissement")
ADDRESS_LAYOUT = ("complementAdresseEtablissement", "numeroVoieEtablissement", "indiceRepetitionEtablissement",
                  "dernierNumeroVoieEtablissement", "indiceRepetitionDernierNumeroVoieEtablissement",
                  "typeVoieEtablissement", "libelleVoieEtablissement", "codePostalEtablissement",
                  "libelleCommuneEtablissement", "libelleCommuneEtrangerEtablissement",
                  "distributionSpecialeEtablissement", "codeCommuneEtablissement", "codeCedexEtablissement",
                  "libelleCedexEtablissement", "codePaysEtrangerEtablissement", "libellePaysEtrangerEtablissement",
                  "identifiantAdresseEtablissement", "coordonneeLambertAbscisseEtablissement",
                  "coordonneeLambertOrdonneeEtablissement")
ADDRESS2_LAYOUT = ("complementAdresse2Etablissement", "numeroVoie2Etablissement", "indiceRepetition2Etablissement",
                   "typeVoie2Etablissement", "libelleVoie2Etablissement", "codePostal2Etablissement",
                   "libelleCommune2Etablissement", "libelleCommuneEtranger2Etablissement",
                   "distributionSpeciale2Etablissement", "codeCommune2Etablissement", "codeCedex2Etablissement",
                   "libelleCedex2Etablissement", "codePaysEtranger2Etablissement", "libellePaysEtranger2Etablissement")
ESTABLISHMENT_PERIOD_LAYOUT = ("dateFin", "dateDebut", "etatAdministratifEtablissement",
                               "changementEtatAdministratifEtablissement", "enseigne1Etablissement",
                               "enseigne2Etablissement", "enseigne3Etablissement", "changementEnseigneEtablissement",
                               "denominationUsuelleEtablissement", "changementDenominationUsuelleEtablissement",
                               "activitePrincipaleEtablissement", "nomenclatureActivitePrincipaleEtablissement",
                               "changementActivitePrincipaleEtablissement", "caractereEmployeurEtablissement",
                               "changementCaractereEmployeurEtablissement")

DEFAULTS = {"statutDiffusionUniteLegale": "O", "statutDiffusionEtablissement": "O",
            "nomenclatureActivitePrincipaleUniteLegale": "NAFRev2",
            "nomenclatureActivitePrincipaleEtablissement": "NAFRev2",
            "economieSocialeSolidaireUniteLegale": "N", "societeMissionUniteLegale": "N"}
# Each "changement…" flag of a period: whether these fields differ from the period before.
CHANGES = {
    "changementEtatAdministratifUniteLegale": ("etatAdministratifUniteLegale",),
    "changementNomUniteLegale": ("nomUniteLegale",),
    "changementNomUsageUniteLegale": ("nomUsageUniteLegale",),
    "changementDenominationUniteLegale": ("denominationUniteLegale",),
    "changementDenominationUsuelleUniteLegale": ("denominationUsuelle1UniteLegale", "denominationUsuelle2UniteLegale",
                                                 "denominationUsuelle3UniteLegale"),
    "changementCategorieJuridiqueUniteLegale": ("categorieJuridiqueUniteLegale",),
    "changementActivitePrincipaleUniteLegale": ("activitePrincipaleUniteLegale",),
    "changementNicSiegeUniteLegale": ("nicSiegeUniteLegale",),
    "changementEconomieSocialeSolidaireUniteLegale": ("economieSocialeSolidaireUniteLegale",),
    "changementSocieteMissionUniteLegale": ("societeMissionUniteLegale",),
    "changementCaractereEmployeurUniteLegale": ("caractereEmployeurUniteLegale",),
    "changementEtatAdministratifEtablissement": ("etatAdministratifEtablissement",),
    "changementEnseigneEtablissement": ("enseigne1Etablissement", "enseigne2Etablissement", "enseigne3Etablissement"),
    "changementDenominationUsuelleEtablissement": ("denominationUsuelleEtablissement",),
    "changementActivitePrincipaleEtablissement": ("activitePrincipaleEtablissement",),
    "changementCaractereEmployeurEtablissement": ("caractereEmployeurEtablissement",),
}
# Partial diffusion (statut "P"): what the API masks of a person's identity and address.
MASKED_UNIT_FIELDS = ("sigleUniteLegale", "sexeUniteLegale", "prenom1UniteLegale", "prenom2UniteLegale",
                      "prenom3UniteLegale", "prenom4UniteLegale", "prenomUsuelUniteLegale", "pseudonymeUniteLegale")
MASKED_UNIT_PERIOD_FIELDS = ("nomUniteLegale", "nomUsageUniteLegale", "denominationUsuelle1UniteLegale",
                             "denominationUsuelle2UniteLegale", "denominationUsuelle3UniteLegale")
MASKED_ADDRESS_FIELDS = ("complementAdresseEtablissement", "numeroVoieEtablissement", "indiceRepetitionEtablissement",
                         "dernierNumeroVoieEtablissement", "indiceRepetitionDernierNumeroVoieEtablissement",
                         "typeVoieEtablissement", "libelleVoieEtablissement", "distributionSpecialeEtablissement",
                         "identifiantAdresseEtablissement", "coordonneeLambertAbscisseEtablissement",
                         "coordonneeLambertOrdonneeEtablissement")
MASKED_ESTABLISHMENT_PERIOD_FIELDS = ("enseigne1Etablissement", "enseigne2Etablissement", "enseigne3Etablissement",
                                      "denominationUsuelleEtablissement")


class Register:
    """The seeded units and establishments, each already shaped as the API answers it."""

    def __init__(self, seed: dict, today: date):
        seed = _resolve_dates(seed, today)
        self.units: dict[str, dict] = {}
        self.establishments: dict[str, dict] = {}
        for raw in seed["unitesLegales"]:
            siren_number.validate(raw["siren"])
            unit = _unit(raw)
            self.units[unit["siren"]] = unit
            for raw_establishment in raw.get("etablissements", []):
                establishment = _establishment(raw_establishment, unit)
                siret_number.validate(establishment["siret"])
                self.establishments[establishment["siret"]] = establishment

    @classmethod
    def load(cls, path: Path = DATA_FILE, today: date | None = None) -> "Register":
        return cls(json.loads(path.read_text(encoding="utf-8")), today or date.today())


def _resolve_dates(value, today: date):
    """'today-12d' becomes the date 12 days before `today`, wherever it appears, so that a recent unit stays recent."""
    if isinstance(value, dict):
        return {key: _resolve_dates(item, today) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolve_dates(item, today) for item in value]
    if isinstance(value, str):
        return RELATIVE_DATE.sub(lambda match: (today + timedelta(days=int(match[1]))).isoformat(), value)
    return value


def _periods(raw_periods: list[dict], layout: tuple[str, ...]) -> list[dict]:
    """Newest first, each older period carrying over what it does not state, closed the day before the next one."""
    values = []
    for index, raw in enumerate(raw_periods):
        carried = {key: item for key, item in values[-1].items() if key != "dateFin"} if values else {}
        period = {**carried, **raw}
        if index and "dateFin" not in raw:
            newer_start = date.fromisoformat(values[-1]["dateDebut"])
            period["dateFin"] = (newer_start - timedelta(days=1)).isoformat()
        values.append(period)
    periods = []
    for index, period in enumerate(values):
        older = values[index + 1] if index + 1 < len(values) else period
        periods.append({name: (any(period.get(field) != older.get(field) for field in CHANGES[name])
                               if name in CHANGES else period.get(name, DEFAULTS.get(name)))
                        for name in layout})
    return periods


def _unit(raw: dict) -> dict:
    periods = _periods(raw["periodesUniteLegale"], UNIT_PERIOD_LAYOUT)
    unit = {name: raw.get(name, DEFAULTS.get(name)) for name in UNIT_LAYOUT}
    unit["periodesUniteLegale"] = periods
    unit["nombrePeriodesUniteLegale"] = len(periods)
    if unit["statutDiffusionUniteLegale"] == "P":
        unit.update(dict.fromkeys(MASKED_UNIT_FIELDS, NOT_DIFFUSED))
        for period in periods:
            period.update(dict.fromkeys(MASKED_UNIT_PERIOD_FIELDS, NOT_DIFFUSED))
    return unit


def _establishment(raw: dict, unit: dict) -> dict:
    siren = unit["siren"]
    current_period = unit["periodesUniteLegale"][0]
    embedded_unit = {name: unit.get(name, current_period.get(name)) for name in EMBEDDED_UNIT_LAYOUT}
    periods = _periods(raw["periodesEtablissement"], ESTABLISHMENT_PERIOD_LAYOUT)
    address = {name: raw["adresseEtablissement"].get(name) for name in ADDRESS_LAYOUT}
    establishment = {name: raw.get(name, DEFAULTS.get(name)) for name in ESTABLISHMENT_LAYOUT}
    establishment.update(siren=siren, siret=siren + raw["nic"], nombrePeriodesEtablissement=len(periods),
                         uniteLegale=embedded_unit, adresseEtablissement=address,
                         adresse2Etablissement=dict.fromkeys(ADDRESS2_LAYOUT), periodesEtablissement=periods)
    if establishment["statutDiffusionEtablissement"] == "P":
        address.update(dict.fromkeys(MASKED_ADDRESS_FIELDS, NOT_DIFFUSED))
        for period in periods:
            period.update(dict.fromkeys(MASKED_ESTABLISHMENT_PERIOD_FIELDS, NOT_DIFFUSED))
    return establishment


def _header(status: int, message: str) -> dict:
    return {"header": {"statut": status, "message": message}}


def serve(port: int, api_key: str, rate_limit: int, rate_window: float, data_file: Path) -> None:
    register = Register.load(data_file)
    limiter = SlidingWindow(rate_limit, rate_window)
    counter = Counter()
    lookups = {"siren": (9, register.units, "uniteLegale"), "siret": (14, register.establishments, "etablissement")}

    class Handler(JsonHandler):
        def do_GET(self):
            path = urlsplit(self.path).path
            if path == "/":
                self.answer_json(200, {"simulator": "INSEE API Sirene 3.11", "unitesLegales": len(register.units),
                                       "etablissements": len(register.establishments)})
                return
            if path == STATS_PATH:
                self.answer_json(200, counter.as_dict())
                return
            self._api(path.removeprefix(REAL_PREFIX))

        def _api(self, path: str) -> None:
            # The gateway answers before the API: key first, then throttling, as the real portal does.
            key = self.headers.get(API_KEY_HEADER)
            if key != api_key:
                counter.count()
                self.answer_json(401, {"message": "Unauthorized", "http_status_code": 401})
                return
            wait = limiter.wait_before(key)
            if wait:
                counter.count(throttled=True)
                self._throttled(wait)
                return
            counter.count()
            match = re.fullmatch(r"/(siren|siret)/([^/]*)", path)
            if match is None:
                self.answer_json(404, {"message": "No context-path matches the request URI.", "http_status_code": 404})
                return
            kind, number = match.groups()
            digits, records, field = lookups[kind]
            if not re.fullmatch(rf"\d{{{digits}}}", number):
                self.answer_json(400, _header(400, f"Le paramètre {kind} doit être composé de {digits} chiffres : "
                                                   f"{number}"))
                return
            record = records.get(number)
            if record is None:
                self.answer_json(404, _header(404, f"Aucun élément trouvé pour le {kind} {number}"))
                return
            self.answer_json(200, {**_header(200, "OK"), field: record})

        def _throttled(self, wait: float) -> None:
            until = datetime.now(timezone.utc) + timedelta(seconds=wait)
            self.answer_json(429, {"message": f"Rate limit exceeded ! You must wait until "
                                              f"{until.isoformat(timespec='milliseconds')}",
                                   "http_status_code": 429},
                             {"Retry-After": retry_after(wait), "X-Rate-Limit-Limit": str(rate_limit),
                              "X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": str(int(until.timestamp() * 1000))})

    http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


@contextmanager
def running(port: int | None = None, api_key: str = "sirene-simulator-key", rate_limit: int = 30,
            rate_window: float = 60, data: Path = DATA_FILE, timeout: float = 30) -> Iterator[str]:
    """This simulator in a child process, for tests: yields its base URL (no trailing slash) once it answers."""
    with child_server("jefacture.simulators.sirene", ["--api-key", api_key, "--rate-limit", str(rate_limit),
                                                      "--rate-window", str(rate_window), "--data", str(data)],
                      port or free_port(), timeout) as url:
        yield url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api-key", required=True, help=f"the only value of {API_KEY_HEADER} accepted")
    parser.add_argument("--rate-limit", type=int, default=30,
                        help="requests per key per window, 30 like the real API; 0 for no limit")
    parser.add_argument("--rate-window", type=float, default=60, help="seconds")
    parser.add_argument("--data", type=Path, default=DATA_FILE, help="seed records")
    args = parser.parse_args()
    serve(args.port, args.api_key, args.rate_limit, args.rate_window, args.data)


if __name__ == "__main__":
    sys.exit(main())
