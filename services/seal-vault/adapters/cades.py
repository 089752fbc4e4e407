"""Detached CAdES-T seals with pyHanko: a CMS SignedData over bytes kept as they are, with a signature timestamp."""
import asyncio
from datetime import datetime
from pathlib import Path

from asn1crypto import cms
from pyhanko.sign import signers
from pyhanko.sign.timestamps import TimeStamper, TimestampRequestError
from pyhanko.sign.validation import async_validate_detached_cms
from pyhanko.sign.validation.status import StandardCMSSignatureStatus
from pyhanko_certvalidator import ValidationContext

from .keys import load_certificates
from .timestamps import signature_timestamp, unavailable

DIGEST = "sha256"


class CadesSealer:
    """Not safe to share between threads: callers seal one document at a time."""

    def __init__(self, signer: signers.Signer, timestamper: TimeStamper, tsa_url: str = ""):
        self._signer, self._timestamper, self._tsa_url = signer, timestamper, tsa_url

    def seal_detached(self, data: bytes) -> bytes:
        """The DER CMS SignedData over `data` (not included), CAdES attributes, signature timestamp from the TSA."""
        try:
            signed = asyncio.run(self._signer.async_sign_general_data(
                data, DIGEST, detached=True, use_cades=True, timestamper=self._timestamper))
        except TimestampRequestError as error:
            raise unavailable(self._tsa_url, error) from error
        return signed.dump()


def timestamp_of_detached(cms_der: bytes) -> tuple[datetime, bytes]:
    """The time and DER token of a detached signature's timestamp."""
    return signature_timestamp(cms.ContentInfo.load(cms_der)["content"]["signer_infos"][0])


def verify_detached(data: bytes, cms_der: bytes, *trusted_ca_files: Path) -> StandardCMSSignatureStatus:
    """pyHanko's verdict on a detached signature over `data`, trusting only the given CAs, with no network access."""
    context = ValidationContext(trust_roots=load_certificates(trusted_ca_files))

    async def verify() -> StandardCMSSignatureStatus:
        try:
            return await async_validate_detached_cms(data, cms.ContentInfo.load(cms_der)["content"],
                                                     signer_validation_context=context)
        finally:
            await context.aclose()

    return asyncio.run(verify())
