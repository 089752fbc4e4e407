"""What the public registries say of a supplier: INSEE Sirene (exists, since when, ceased) and the BODACC
(collective proceedings). The clients cache answers and wait out throttling; a registry that still cannot answer
becomes `unavailable` in the status, so that a person checks by hand, rather than an error."""
from dataclasses import replace

from jefacture.bodacc import BodaccClient, Judgment
from jefacture.log import get_logger
from jefacture.registry_client import InvalidIdentifier, RegistryError, RegistryRefused, checked_siren
from jefacture.sirene import SireneClient

from ..domain.checks import Proceeding, SupplierStatus

log = get_logger()


class SupplierRegistry:
    def __init__(self, sirene: SireneClient, bodacc: BodaccClient):
        self._sirene = sirene
        self._bodacc = bodacc

    @classmethod
    def from_settings(cls, settings) -> "SupplierRegistry":
        """From SIRENE_URL, SIRENE_API_KEY and BODACC_URL (settings.sirene_url, sirene_api_key, bodacc_url)."""
        return cls(SireneClient(settings.sirene_url, settings.sirene_api_key), BodaccClient(settings.bodacc_url))

    def status(self, siren: str) -> SupplierStatus | None:
        """What Sirene and the BODACC say of the company `siren`; None when `siren` is not a valid SIREN (no
        registry can know it: the incomplete check reports it)."""
        try:
            siren = checked_siren(siren)
        except InvalidIdentifier:
            return None
        failures: list[str] = []
        found = self._sirene_status(siren, failures)
        proceedings = self._proceedings(siren, failures)
        return replace(found, proceedings=proceedings, unavailable="; ".join(failures) or None)

    def _sirene_status(self, siren: str, failures: list[str]) -> SupplierStatus:
        try:
            unit = self._sirene.legal_unit(siren)
        except RegistryError as error:
            failures.append(_failure("SIRENE", siren, error))
            return SupplierStatus(siren=siren, found_in_sirene=None)
        if unit is None:
            return SupplierStatus(siren=siren, found_in_sirene=False)
        return SupplierStatus(siren=siren, found_in_sirene=True, name=unit.name, created_on=unit.created_on,
                              ceased_on=unit.ceased_on)

    def _proceedings(self, siren: str, failures: list[str]) -> tuple[Proceeding, ...]:
        try:
            judgments = self._bodacc.collective_proceedings(siren)
        except RegistryError as error:
            failures.append(_failure("BODACC", siren, error))
            return ()
        return tuple(_proceeding(judgment) for judgment in judgments)

    def close(self) -> None:
        self._sirene.close()
        self._bodacc.close()

    def __enter__(self):
        return self

    def __exit__(self, *_) -> None:
        self.close()


def _proceeding(judgment: Judgment) -> Proceeding:
    """A judgment without a readable date is placed at its publication."""
    return Proceeding(nature=judgment.nature or "jugement à l'intitulé illisible",
                      kind=judgment.kind, judgment_date=judgment.date or judgment.published_on,
                      tribunal=judgment.tribunal)


def _failure(registry: str, siren: str, error: RegistryError) -> str:
    """The reason shown to people; the technical cause goes to the log, at error level when only a change of
    configuration (API key, URL) can fix it."""
    refused = isinstance(error, RegistryRefused)
    (log.error if refused else log.warning)("registry_lookup_failed", registry=registry, siren=siren,
                                            error=str(error))
    return f"{registry} {'a refusé la consultation' if refused else 'ne répond pas'}"
