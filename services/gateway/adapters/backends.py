"""The gateway's gRPC channels to its backends, opened once per app, and their standard health check."""
from concurrent.futures import Future

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from jefacture import grpc_kit

from ..settings import GatewaySettings
from .identity import IdentityClient
from .ingest import IngestClient
from .reporting import ReportingClient
from .routing import RoutingClient
from .validation import ValidationClient
from .vault import VaultClient


class Backends:
    def __init__(self, settings: GatewaySettings):
        self.channels = {name: grpc_kit.channel(address) for name, address in (
            ("identity", settings.identity_grpc), ("ingest", settings.ingest_grpc),
            ("reporting", settings.reporting_grpc), ("seal-vault", settings.seal_vault_grpc),
            ("validation", settings.validation_grpc), ("routing", settings.routing_grpc))}
        self.identity = IdentityClient(self.channels["identity"], settings.backend_timeout_seconds)
        self.ingest = IngestClient(self.channels["ingest"], settings.upload_timeout_seconds)
        self.reporting = ReportingClient(self.channels["reporting"], settings.backend_timeout_seconds)
        self.vault = VaultClient(self.channels["seal-vault"], settings.upload_timeout_seconds)
        self.validation = ValidationClient(self.channels["validation"], settings.backend_timeout_seconds)
        self.routing = RoutingClient(self.channels["routing"], settings.backend_timeout_seconds)

    def health(self, timeout: float = 1.0) -> dict[str, str]:
        """Each backend's answer to the standard gRPC health check, asked of all of them at once."""
        pending: dict[str, Future] = {
            name: health_pb2_grpc.HealthStub(channel).Check.future(health_pb2.HealthCheckRequest(), timeout=timeout)
            for name, channel in self.channels.items()}
        statuses = {}
        for name, call in pending.items():
            try:
                statuses[name] = health_pb2.HealthCheckResponse.ServingStatus.Name(call.result().status)
            except grpc.RpcError as error:
                statuses[name] = error.code().name
        return statuses

    def close(self) -> None:
        for channel in self.channels.values():
            channel.close()
