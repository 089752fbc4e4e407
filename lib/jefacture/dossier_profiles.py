"""What the services need to know of a dossier (its company, firm, settings, people), asked of identity's internal
GetDossierProfile and kept for a short while: settings changed in identity apply within `ttl` seconds."""
import threading
import time

import grpc

from jefacture import grpc_kit
from jefacture.api.v1 import identity_pb2, identity_pb2_grpc


class DossierUnknown(LookupError):
    """identity has no dossier with this id."""


class IdentityUnavailable(RuntimeError):
    """identity did not answer; the caller should try again later."""


class DossierProfiles:
    def __init__(self, address: str, ttl: float = 30.0, timeout: float = 10.0):
        self._stub = identity_pb2_grpc.IdentityStub(grpc_kit.channel(address))
        self._ttl = ttl
        self._timeout = timeout
        self._cache: dict[str, tuple[float, identity_pb2.DossierProfile]] = {}
        self._lock = threading.Lock()

    def profile(self, dossier_id: str) -> identity_pb2.DossierProfile:
        with self._lock:
            cached = self._cache.get(dossier_id)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        try:
            reply = self._stub.GetDossierProfile(identity_pb2.DossierRef(dossier_id=dossier_id),
                                                 timeout=self._timeout)
        except grpc.RpcError as error:
            if error.code() == grpc.StatusCode.NOT_FOUND:
                raise DossierUnknown(f"identity knows no dossier {dossier_id!r}") from None
            raise IdentityUnavailable(f"identity did not answer for dossier {dossier_id!r}: "
                                      f"{error.code().name} {error.details()}") from None
        with self._lock:
            self._cache[dossier_id] = (time.monotonic() + self._ttl, reply)
        return reply
