"""identity's use cases: one function per command or query, dependencies passed in."""
import uuid

from .domain.dossier import Dossier, DossierNotFound, new_dossier


def create_dossier(name: str, siren: str, dossiers) -> Dossier:
    """Open a dossier; a SIREN that already has one raises DossierAlreadyExists with the existing id."""
    dossier = new_dossier(str(uuid.uuid4()), name, siren)
    dossiers.add(dossier)
    return dossier


def get_dossier(dossier_id: str, dossiers) -> Dossier:
    dossier = dossiers.get(dossier_id)
    if dossier is None:
        raise DossierNotFound(dossier_id)
    return dossier
