"""Running a gRPC server process: standard health service, metrics endpoint, logging, clean shutdown."""
import signal
import threading
import time
from collections.abc import Callable
from concurrent import futures

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from prometheus_client import start_http_server

from jefacture import log, metrics

MAX_MESSAGE_BYTES = 8 * 1024 * 1024
MAX_FILE_BYTES = 64 * 1024 * 1024  # a whole archived file in one answer (the vault's ReadFile)


class _Timing(grpc.ServerInterceptor):
    """Times every unary and client-streaming call (the upload) by method and status code."""

    def intercept_service(self, continuation, handler_call_details):
        handler = continuation(handler_call_details)
        if handler is None:
            return handler
        method = handler_call_details.method

        def timed(behaviour):
            def call(request, context):
                started = time.perf_counter()
                try:
                    return behaviour(request, context)
                finally:
                    code = context.code() or grpc.StatusCode.OK
                    metrics.GRPC_SECONDS.labels(method, code.name).observe(time.perf_counter() - started)
            return call

        if handler.unary_unary:
            return grpc.unary_unary_rpc_method_handler(
                timed(handler.unary_unary), handler.request_deserializer, handler.response_serializer)
        if handler.stream_unary:
            return grpc.stream_unary_rpc_method_handler(
                timed(handler.stream_unary), handler.request_deserializer, handler.response_serializer)
        return handler


def listen_address(address: str, listen_host: str | None) -> str:
    """The server binds `listen_host` (0.0.0.0 in a pod) on the port of the address clients dial."""
    return f"{listen_host}:{address.rsplit(':', 1)[1]}" if listen_host else address

# Trailing metadata identity sets on refusals: the dossier that already holds a SIREN (ALREADY_EXISTS), and the
# problems of a refused form as JSON [{"field", "reason"}] (INVALID_ARGUMENT).
EXISTING_DOSSIER_KEY = "existing-dossier-id"
PROBLEMS_KEY = "field-problems"


def serve(name: str, address: str, metrics_address: str, register: Callable[[grpc.Server], None],
          level: str = "INFO", listen_host: str | None = None) -> None:
    log.configure(name, level)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8), interceptors=[_Timing()],
                         options=[("grpc.max_receive_message_length", MAX_MESSAGE_BYTES)])
    register(server)
    health_servicer = health.HealthServicer()
    health_servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    address = listen_address(address, listen_host)
    if server.add_insecure_port(address) == 0:
        raise SystemExit(f"{name}: cannot listen on {address}")
    metrics_host, metrics_port = metrics_address.rsplit(":", 1)
    start_http_server(int(metrics_port), addr=metrics_host)
    server.start()
    log.get_logger().info("grpc_server_started", address=address, metrics_address=metrics_address)
    stopped = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopped.set())
    stopped.wait()
    health_servicer.enter_graceful_shutdown()
    server.stop(grace=5).wait()


def channel(address: str) -> grpc.Channel:
    return grpc.insecure_channel(address, options=[("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
                                                   ("grpc.max_receive_message_length", MAX_FILE_BYTES)])
