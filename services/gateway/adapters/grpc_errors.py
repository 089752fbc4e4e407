"""The one place where a backend's gRPC status becomes one of the gateway's errors."""
import grpc

from jefacture.log import get_logger

from ..domain.errors import (
    AlreadyExists,
    BackendFailed,
    BackendUnavailable,
    Conflict,
    Forbidden,
    GatewayError,
    InvalidInput,
    LinkInvalid,
    NotFound,
    TooManyAttempts,
    Unauthenticated,
)

SIMPLE = {grpc.StatusCode.NOT_FOUND: NotFound, grpc.StatusCode.INVALID_ARGUMENT: InvalidInput,
          grpc.StatusCode.ALREADY_EXISTS: AlreadyExists, grpc.StatusCode.UNAUTHENTICATED: Unauthenticated,
          grpc.StatusCode.PERMISSION_DENIED: Forbidden, grpc.StatusCode.FAILED_PRECONDITION: LinkInvalid,
          grpc.StatusCode.RESOURCE_EXHAUSTED: TooManyAttempts}


def translate(backend: str, error: grpc.RpcError) -> GatewayError:
    code, details = error.code(), error.details() or ""
    if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
        get_logger().warning("backend_unavailable", backend=backend, code=code.name, details=details)
        return BackendUnavailable(f"the {backend} service is unavailable right now ({code.name}); try again later")
    if code in SIMPLE:
        return SIMPLE[code](details)
    get_logger().error("backend_failed", backend=backend, code=code.name, details=details)
    return BackendFailed(f"the {backend} service failed to answer ({code.name}): {details}")


def call_refusing_conflicts(backend: str, rpc, request, timeout: float):
    """A unary call to a backend whose FAILED_PRECONDITION means "not in this state" (409), not an expired link."""
    try:
        return rpc(request, timeout=timeout)
    except grpc.RpcError as error:
        if error.code() == grpc.StatusCode.FAILED_PRECONDITION:
            raise Conflict(error.details()) from None
        raise translate(backend, error) from None
