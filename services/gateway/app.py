"""The gateway's FastAPI application, built by create_app (run with `uvicorn --factory`)."""
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect

from jefacture import log
from jefacture.settings import load

from . import routes
from .adapters.backends import Backends
from .domain.errors import (
    AlreadyExists,
    BackendFailed,
    BackendUnavailable,
    Conflict,
    DocumentRefused,
    Forbidden,
    GatewayError,
    InvalidInput,
    LinkInvalid,
    NotFound,
    TooLarge,
    TooManyAttempts,
    Unauthenticated,
    UnsupportedMediaType,
)
from .observability import RequestObservation
from .settings import GatewaySettings

STATUS_OF = {InvalidInput: 422, DocumentRefused: 400, UnsupportedMediaType: 415, TooLarge: 413, NotFound: 404,
             AlreadyExists: 409, Conflict: 409, Unauthenticated: 401, Forbidden: 403, LinkInvalid: 410,
             TooManyAttempts: 429, BackendUnavailable: 503, BackendFailed: 502}


def _error(status: int, message: str, **extra) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": message, **extra})


async def _gateway_error(request: Request, error: GatewayError) -> JSONResponse:
    status = next((code for kind, code in STATUS_OF.items() if isinstance(error, kind)), 500)
    details = error.details if isinstance(error, AlreadyExists) else {}
    if isinstance(error, InvalidInput) and error.problems:
        details = {"problems": error.problems}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    response = _error(status, str(error), **details)
    response.headers.update(headers or {})
    return response


def _problem(issue: dict) -> str:
    where, *path = issue["loc"]
    if issue["type"] == "json_invalid":
        return f"the request {where} is not valid JSON"
    if not path:
        return f"the request {where} is invalid: {issue['msg']}"
    field = ".".join(str(part) for part in path)
    if issue["type"] == "missing":
        return f"{where} field {field!r} is required"
    return f"{where} field {field!r} is invalid: {issue['msg']}"


async def _validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
    return _error(422, "; ".join(_problem(issue) for issue in error.errors()))


async def _http_error(request: Request, error: HTTPException) -> JSONResponse:
    messages = {404: f"there is no endpoint at {request.url.path}",
                405: f"{request.url.path} does not accept {request.method}"}
    return _error(error.status_code, messages.get(error.status_code, str(error.detail)))


async def _client_gone(request: Request, error: ClientDisconnect) -> JSONResponse:
    log.get_logger().warning("client_disconnected", path=request.url.path)
    return _error(400, "the client went away before the request body was complete")


async def _unexpected(request: Request, error: Exception) -> JSONResponse:
    log.get_logger().error("request_failed", path=request.url.path, exc_info=error)
    return _error(500, f"the gateway failed on {request.method} {request.url.path}; the error is logged")


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or load(GatewaySettings)
    log.configure("gateway", settings.log_level)
    backends = Backends(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        backends.close()

    app = FastAPI(title="jefacture", version="1.0.0", lifespan=lifespan,
                  description="Electronic invoicing for accounting firms and their client companies.")
    app.state.settings = settings
    app.state.backends = backends
    for router in routes.ROUTERS:
        app.include_router(router)
    app.add_middleware(RequestObservation)
    app.add_exception_handler(GatewayError, _gateway_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(ClientDisconnect, _client_gone)
    app.add_exception_handler(Exception, _unexpected)
    return app
