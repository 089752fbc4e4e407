"""The seal of a received original: PAdES B-T for a PDF that can carry one, a detached CAdES-T signature otherwise.
Either way the original bytes are never changed, and whatever was unusual about them is a finding."""
from typing import Protocol

from ..domain.seal import (
    CADES_T_DETACHED,
    ENCRYPTED_PDF,
    PADES_B_T,
    PdfEncrypted,
    SealOutcome,
    SealRefused,
    detached_finding,
    is_pdf,
)
from ..settings import MIB, SealVaultSettings
from .cades import CadesSealer, timestamp_of_detached
from .keys import Pkcs11Key, file_signer, load_certificates, pkcs11_signer
from .pades import DAMAGED_PDF_ERRORS, PadesSealer, active_content, open_pdf, timestamp_of_seal
from .timestamps import TsaClient


class Closeable(Protocol):
    def close(self) -> None: ...


class Sealing:
    """Not safe to share between threads: callers seal one document at a time."""

    def __init__(self, pades: PadesSealer, cades: CadesSealer, pades_max_bytes: int,
                 resources: tuple[Closeable, ...] = ()):
        self.pades, self.cades, self._pades_max_bytes = pades, cades, pades_max_bytes
        self._resources = resources

    @classmethod
    def from_settings(cls, settings: SealVaultSettings) -> "Sealing":
        """The key is loaded (or the token session opened) and the TSA client created once, here."""
        key = settings.seal_key()
        signer = pkcs11_signer(key) if isinstance(key, Pkcs11Key) else file_signer(key)
        timestamper = TsaClient(settings.tsa_url)
        trust_roots = load_certificates(settings.trust_anchor_files())
        token_session = (signer.pkcs11_session,) if isinstance(key, Pkcs11Key) else ()
        return cls(PadesSealer(signer, timestamper, settings.tsa_url, trust_roots),
                   CadesSealer(signer, timestamper, settings.tsa_url), settings.seal_pades_max_bytes,
                   resources=(timestamper, *token_session))

    def close(self) -> None:
        """Close the TSA connection and the token session (which logs out of the token)."""
        for resource in self._resources:
            resource.close()

    def seal(self, original: bytes, media_type: str) -> SealOutcome:
        """Raises SealUnavailable when the TSA or the key cannot be used now: the caller retries later."""
        if not is_pdf(media_type, original):
            return self._detached(original, detached_finding(f"not a PDF ({media_type or 'no media type'})"))
        if len(original) > self._pades_max_bytes:
            return self._detached(original, detached_finding(
                f"PDF of {len(original) / MIB:.1f} MiB, above the {self._pades_max_bytes // MIB} MiB "
                "that a PAdES seal is added to"))
        findings: tuple[str, ...] = ()
        try:
            writer = open_pdf(original)
            findings = active_content(writer.prev)
            sealed = self.pades.seal_opened(writer)
        except PdfEncrypted:
            return self._detached(original, ENCRYPTED_PDF)
        except SealRefused as refusal:
            return self._detached(original, *findings, detached_finding(str(refusal)))
        except DAMAGED_PDF_ERRORS as error:  # an object that cannot be read while looking for active content
            return self._detached(original, detached_finding(f"the PDF could not be read: {type(error).__name__} "
                                                             f"{error}".strip()))
        timestamped_at, token = timestamp_of_seal(sealed)
        return SealOutcome(sealed, PADES_B_T, timestamped_at, token, findings)

    def archive_copy(self, sealed_pdf: bytes) -> bytes:
        """A PAdES B-T sealed PDF extended to B-LTA (see PadesSealer.archive_copy)."""
        return self.pades.archive_copy(sealed_pdf)

    def _detached(self, original: bytes, *findings: str) -> SealOutcome:
        signature = self.cades.seal_detached(original)
        timestamped_at, token = timestamp_of_detached(signature)
        return SealOutcome(signature, CADES_T_DETACHED, timestamped_at, token, findings)
