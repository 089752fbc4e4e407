"""identity's gRPC process: opens and answers for the firms' client dossiers."""
import grpc

from jefacture import grpc_kit, mongo
from jefacture.api.v1 import identity_pb2, identity_pb2_grpc
from jefacture.log import get_logger
from jefacture.settings import load

from . import handlers
from .adapters.dossiers import MongoDossiers
from .domain.dossier import Dossier, DossierAlreadyExists, DossierNotFound, InvalidDossier
from .settings import IdentitySettings

# Trailing metadata key carrying the id of the dossier that already holds a SIREN.
EXISTING_DOSSIER_KEY = "existing-dossier-id"


def _reply(dossier: Dossier) -> identity_pb2.Dossier:
    return identity_pb2.Dossier(dossier_id=dossier.dossier_id, name=dossier.name, siren=dossier.siren)


class IdentityServicer(identity_pb2_grpc.IdentityServicer):
    def __init__(self, dossiers: MongoDossiers):
        self.dossiers = dossiers

    def CreateDossier(self, request, context):
        try:
            dossier = handlers.create_dossier(request.name, request.siren, self.dossiers)
        except InvalidDossier as error:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(error))
        except DossierAlreadyExists as error:
            context.set_trailing_metadata(((EXISTING_DOSSIER_KEY, error.dossier_id),))
            context.abort(grpc.StatusCode.ALREADY_EXISTS, str(error))
        get_logger().info("dossier_created", dossier_id=dossier.dossier_id, correlation_id=dossier.dossier_id)
        return _reply(dossier)

    def GetDossier(self, request, context):
        try:
            return _reply(handlers.get_dossier(request.dossier_id, self.dossiers))
        except DossierNotFound as error:
            context.abort(grpc.StatusCode.NOT_FOUND, str(error))


def main() -> None:
    settings = load(IdentitySettings)
    mongo.connect(settings, "identity")
    dossiers = MongoDossiers()
    dossiers.ensure_indexes()
    servicer = IdentityServicer(dossiers)
    grpc_kit.serve("identity-grpc", settings.identity_grpc, settings.identity_metrics_address,
                   lambda server: identity_pb2_grpc.add_IdentityServicer_to_server(servicer, server),
                   settings.log_level,
                   settings.grpc_listen_host)


if __name__ == "__main__":
    main()
