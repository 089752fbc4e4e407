"""Client of the BODACC open data (OpenDataSoft Explore v2.1, dataset annonces-commerciales): the collective
proceedings (redressement, liquidation, sauvegarde…) published about a SIREN, answers cached in memory."""
import json
from dataclasses import dataclass
from datetime import date

from jefacture.log import get_logger
from jefacture.registry_client import (
    InvalidIdentifier,
    RegistryClient,
    RegistryHttp,
    RegistryRefused,
    RegistryUnavailable,
    TtlCache,
    checked_siren,
)

__all__ = ["PUBLIC_URL", "RECORDS_PATH", "BodaccClient", "BodaccRefused", "BodaccUnavailable", "InvalidIdentifier",
           "Judgment"]

PUBLIC_URL = "https://bodacc-datadila.opendatasoft.com"
RECORDS_PATH = "/api/explore/v2.1/catalog/datasets/annonces-commerciales/records"
PAGE_SIZE = 100  # the most OpenDataSoft gives per request
MAX_WINDOW = 10_000  # the furthest OpenDataSoft pages (offset + limit)
KINDS = (("clôture", "closure"), ("mettant fin", "closure"), ("liquidation", "liquidation"),
         ("redressement", "redressement"), ("sauvegarde", "sauvegarde"))


class BodaccUnavailable(RegistryUnavailable):
    """The BODACC API is down, unreachable, or throttling for longer than the client waits."""


class BodaccRefused(RegistryRefused):
    """The BODACC API refused the request: a wrong base URL, or a query it rejects."""


@dataclass(frozen=True)
class Judgment:
    nature: str | None  # "Jugement d'ouverture de liquidation judiciaire"
    family: str | None  # "Jugement d'ouverture", "Jugement de clôture"…
    date: date | None  # of the judgment
    tribunal: str | None
    published_on: date | None
    announcement_id: str
    complement: str | None  # the judgment's text: date of cessation of payments, court officers…

    @property
    def kind(self) -> str:
        """'liquidation', 'redressement', 'sauvegarde', 'closure' (the end of a proceeding) or 'other'."""
        nature = (self.nature or "").lower()
        return next((kind for word, kind in KINDS if word in nature), "other")


class BodaccClient(RegistryClient):
    """Collective proceedings by SIREN, newest publication first. A company without any is cached for `miss_ttl` (by
    default the shorter of a quarter of `cache_ttl` and an hour); errors are never cached."""

    def __init__(self, base_url: str = PUBLIC_URL, timeout: float = 10.0, cache_ttl: float = 21_600.0,
                 miss_ttl: float | None = None, max_wait: float = 20.0, backoff: float = 0.5):
        self._http = RegistryHttp("the BODACC API", base_url, timeout=timeout, max_wait=max_wait, backoff=backoff,
                                  unavailable=BodaccUnavailable, refused=BodaccRefused,
                                  headers={"Accept": "application/json"})
        self._cache = TtlCache()
        self._cache_ttl = cache_ttl
        self._miss_ttl = min(cache_ttl / 4, 3600.0) if miss_ttl is None else miss_ttl
        self._log = get_logger().bind(registry="bodacc")

    def collective_proceedings(self, siren: str) -> list[Judgment]:
        siren = checked_siren(siren)
        judgments = self._cache.get_or_fetch(siren, lambda: self._collective_proceedings(siren),
                                             lambda found: self._cache_ttl if found else self._miss_ttl)
        return list(judgments)

    def _collective_proceedings(self, siren: str) -> tuple[Judgment, ...]:
        where = f'registre like "{siren}" and familleavis="collective"'
        records: list[dict] = []
        while True:
            params = {"where": where, "order_by": "dateparution desc", "limit": PAGE_SIZE, "offset": len(records)}
            response = self._http.get(RECORDS_PATH, params)
            if response.status_code == 404:
                raise BodaccRefused(f"the BODACC API has no annonces-commerciales dataset at {response.request.url}: "
                                    f"check its base URL")
            page = self._http.json(response)
            if not isinstance(page, dict) or not isinstance(page.get("results"), list):
                raise BodaccUnavailable(f"the BODACC API answered without 'results': {str(page)[:200]}")
            records += page["results"]
            total = page.get("total_count", 0)
            if not page["results"] or len(records) >= total or len(records) + PAGE_SIZE > MAX_WINDOW:
                break
        return tuple(self._judgment(record) for record in records)

    def _judgment(self, record: dict) -> Judgment:
        details = record.get("jugement")
        if isinstance(details, str):
            try:
                details = json.loads(details)
            except ValueError:
                pass
        if not isinstance(details, dict):
            # Kept with its text rather than dropped: a proceeding that cannot be read is still a proceeding.
            self._log.warning("bodacc_unreadable_judgment", announcement=record.get("id"), jugement=str(details)[:200])
            details = {"complementJugement": None if details is None else str(details)}
        return Judgment(nature=details.get("nature"), family=details.get("famille"), date=_date(details.get("date")),
                        tribunal=record.get("tribunal"), published_on=_date(record.get("dateparution")),
                        announcement_id=str(record.get("id")), complement=details.get("complementJugement"))


def _date(value: object) -> date | None:
    """An ISO date; None for anything else (some judgments give their date as free text)."""
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None
