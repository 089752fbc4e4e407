"""Client of the identity service: dossiers."""
import grpc

from jefacture.api.v1 import identity_pb2, identity_pb2_grpc

from ..domain.errors import AlreadyExists
from ..schemas import DossierView
from .grpc_errors import translate

# Set by identity on ALREADY_EXISTS: the dossier that already holds the SIREN.
EXISTING_DOSSIER_KEY = "existing-dossier-id"


def _view(reply: identity_pb2.Dossier) -> DossierView:
    return DossierView(dossier_id=reply.dossier_id, name=reply.name, siren=reply.siren)


class IdentityClient:
    def __init__(self, channel: grpc.Channel, timeout: float):
        self.stub = identity_pb2_grpc.IdentityStub(channel)
        self.timeout = timeout

    def create_dossier(self, name: str, siren: str) -> DossierView:
        try:
            reply = self.stub.CreateDossier(identity_pb2.CreateDossierRequest(name=name, siren=siren),
                                            timeout=self.timeout)
        except grpc.RpcError as error:
            if error.code() == grpc.StatusCode.ALREADY_EXISTS:
                existing = dict(error.trailing_metadata() or ()).get(EXISTING_DOSSIER_KEY, "")
                raise AlreadyExists(error.details(), {"dossier_id": existing}) from None
            raise translate("identity", error) from None
        return _view(reply)

    def get_dossier(self, dossier_id: str) -> DossierView:
        try:
            reply = self.stub.GetDossier(identity_pb2.GetDossierRequest(dossier_id=dossier_id), timeout=self.timeout)
        except grpc.RpcError as error:
            raise translate("identity", error) from None
        return _view(reply)
