"""RFC 3161 timestamps: the client of the configured TSA, and the token a signature carries."""
from datetime import datetime

import httpx
from asn1crypto import cms, tsp
from pyhanko.sign.timestamps import TimeStamper, TimestampRequestError

from ..domain.seal import SealUnavailable

TSA_TIMEOUT_SECONDS = 10
TIMESTAMP_QUERY = "application/timestamp-query"
TIMESTAMP_REPLY = "application/timestamp-reply"


class TsaClient(TimeStamper):
    """Timestamp queries over one kept-alive HTTP connection. pyHanko's HTTPTimeStamper opens a new aiohttp session
    for every token, which here costs more than the token itself. Blocking: the seal waits for its token anyway.
    Created once per process: pyHanko also caches on it the TSA's certificates and the size of its tokens."""

    def __init__(self, url: str, timeout: float = TSA_TIMEOUT_SECONDS):
        super().__init__()
        self.url = url
        self._http = httpx.Client(timeout=timeout, headers={"Content-Type": TIMESTAMP_QUERY})

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        try:
            reply = self._http.post(self.url, content=req.dump())
            reply.raise_for_status()
        except httpx.HTTPError as error:
            raise TimestampRequestError(f"no timestamp from {self.url}: {type(error).__name__} {error}") from error
        if reply.headers.get("Content-Type") != TIMESTAMP_REPLY:
            raise TimestampRequestError(f"{self.url} answered {reply.headers.get('Content-Type')}, "
                                        f"not {TIMESTAMP_REPLY}")
        return tsp.TimeStampResp.load(reply.content)

    def close(self) -> None:
        self._http.close()


def unavailable(url: str, error: TimestampRequestError) -> SealUnavailable:
    return SealUnavailable(f"the timestamp authority {url} could not be used: {error}")


def signature_timestamp(signer_info: cms.SignerInfo) -> tuple[datetime, bytes]:
    """The time and the DER token of the signature timestamp in a CMS signer info (CAdES-T, PAdES B-T)."""
    for attribute in signer_info["unsigned_attrs"]:
        if attribute["type"].native == "signature_time_stamp_token":
            token: cms.ContentInfo = attribute["values"][0]
            tst_info = token["content"]["encap_content_info"]["content"].parsed
            return tst_info["gen_time"].native, token.dump()
    raise ValueError("the signature carries no signature timestamp")
