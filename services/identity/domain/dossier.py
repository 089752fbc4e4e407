"""A dossier: one client company of an accounting firm, known by its SIREN."""
from dataclasses import dataclass

from stdnum import exceptions as stdnum_errors
from stdnum.fr import siren as stdnum_siren

MAX_NAME_CHARS = 200


class InvalidDossier(ValueError):
    """The input cannot make a dossier; the message names the input and what is wrong with it."""


class DossierNotFound(LookupError):
    def __init__(self, dossier_id: str):
        super().__init__(f"no dossier has the id {dossier_id!r}")
        self.dossier_id = dossier_id


class DossierAlreadyExists(Exception):
    def __init__(self, siren: str, dossier_id: str):
        super().__init__(f"a dossier already exists for SIREN {siren}: {dossier_id}")
        self.siren = siren
        self.dossier_id = dossier_id


@dataclass(frozen=True)
class Dossier:
    dossier_id: str
    name: str
    siren: str


def clean_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise InvalidDossier("name is required: give the client company's name")
    if len(name) > MAX_NAME_CHARS:
        raise InvalidDossier(f"name is {len(name)} characters long, over the limit of {MAX_NAME_CHARS}")
    return name


_SIREN_PROBLEMS = {
    stdnum_errors.InvalidChecksum: "its check digit is wrong (Luhn)",
    stdnum_errors.InvalidLength: "a SIREN has 9 digits",
    stdnum_errors.InvalidFormat: "a SIREN has only digits",
}


def clean_siren(siren: str) -> str:
    """The SIREN's 9 digits, spaces and dots removed."""
    if not siren.strip():
        raise InvalidDossier("siren is required: give the company's 9-digit SIREN")
    try:
        return stdnum_siren.validate(siren)
    except stdnum_errors.ValidationError as error:
        problem = next((text for kind, text in _SIREN_PROBLEMS.items() if isinstance(error, kind)), error.message)
        raise InvalidDossier(f"siren {siren!r} is not a valid SIREN: {problem}") from None


def new_dossier(dossier_id: str, name: str, siren: str) -> Dossier:
    return Dossier(dossier_id=dossier_id, name=clean_name(name), siren=clean_siren(siren))
