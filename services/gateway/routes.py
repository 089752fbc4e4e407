"""The public endpoints: dossiers, invoice uploads, invoice views and stats, health and metrics."""
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool

from .adapters.backends import Backends
from .domain.errors import DocumentRefused, InvalidInput
from .schemas import (
    DIRECTIONS,
    DossierConflict,
    DossierFiles,
    DossierStats,
    DossierView,
    Error,
    InvoiceView,
    NewDossier,
    NotReady,
    Readiness,
    UploadReceipt,
)
from .settings import GatewaySettings
from .uploads import read_upload

router = APIRouter()


def get_backends(request: Request) -> Backends:
    return request.app.state.backends


def get_settings(request: Request) -> GatewaySettings:
    return request.app.state.settings


BackendsDep = Annotated[Backends, Depends(get_backends)]
SettingsDep = Annotated[GatewaySettings, Depends(get_settings)]
UNAVAILABLE = {503: {"model": Error, "description": "A backend service is down"}}
LOOKUP_ERRORS = {404: {"model": Error}, 422: {"model": Error}}

UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {
        "file": {"type": "string", "format": "binary", "description": "The invoice document (PDF)"},
        "direction": {"type": "string", "enum": list(DIRECTIONS), "default": "purchase",
                      "description": "purchase: an invoice the company received; sale: one it issued"}}}}}}}


@router.post("/dossiers", status_code=201, response_model=DossierView, tags=["dossiers"],
             responses={409: {"model": DossierConflict}, 422: {"model": Error}, **UNAVAILABLE})
def create_dossier(body: NewDossier, backends: BackendsDep) -> DossierView:
    return backends.identity.create_dossier(body.name, body.siren)


@router.get("/dossiers/{dossier_id}", response_model=DossierView, tags=["dossiers"],
            responses={**LOOKUP_ERRORS, **UNAVAILABLE})
def get_dossier(dossier_id: str, backends: BackendsDep) -> DossierView:
    return backends.identity.get_dossier(dossier_id)


@router.post("/dossiers/{dossier_id}/invoices", status_code=201, response_model=UploadReceipt, tags=["invoices"],
             openapi_extra=UPLOAD_BODY,
             responses={200: {"model": UploadReceipt, "description": "The same document was already received"},
                        400: {"model": Error}, **LOOKUP_ERRORS, 413: {"model": Error}, 415: {"model": Error},
                        **UNAVAILABLE})
async def upload_invoice(dossier_id: str, request: Request, response: Response, backends: BackendsDep,
                         settings: SettingsDep) -> UploadReceipt:
    # Asked before reading the body, so that nothing is read or sent to ingest for an unknown dossier.
    await run_in_threadpool(backends.identity.get_dossier, dossier_id)
    form = await read_upload(request.headers.get("content-type", ""), request.stream(), settings.max_upload_bytes)
    direction = form.fields.get("direction", "purchase").strip().lower() or "purchase"
    if direction not in DIRECTIONS:
        raise InvalidInput(f"form field 'direction' must be 'purchase' or 'sale', not {direction!r}")
    if not form.content:
        raise DocumentRefused(f"{form.filename!r} is empty")
    receipt = await run_in_threadpool(backends.ingest.upload, dossier_id, direction, form.filename,
                                      form.media_type, form.content)
    if receipt.duplicate:
        response.status_code = 200
    return receipt


@router.get("/invoices/{document_id}", response_model=InvoiceView, tags=["invoices"],
            responses={**LOOKUP_ERRORS, **UNAVAILABLE})
def get_invoice(document_id: str, backends: BackendsDep) -> InvoiceView:
    return backends.reporting.get_invoice(document_id)


def _download(stream, disposition: str) -> StreamingResponse:
    return StreamingResponse(stream.chunks, media_type=stream.media_type,
                             headers={"Content-Disposition": f'{disposition}; filename="{stream.filename}"'})


@router.get("/invoices/{document_id}/original", tags=["archive"], response_class=StreamingResponse,
            responses={**LOOKUP_ERRORS, **UNAVAILABLE})
def get_original(document_id: str, backends: BackendsDep) -> StreamingResponse:
    """The bytes received, unchanged, from the vault."""
    return _download(backends.vault.get_file(document_id, sealed=False), "inline")


@router.get("/invoices/{document_id}/sealed", tags=["archive"], response_class=StreamingResponse,
            responses={**LOOKUP_ERRORS, **UNAVAILABLE})
def get_sealed(document_id: str, backends: BackendsDep) -> StreamingResponse:
    """The sealed PDF (PAdES), or the detached CAdES signature of a document that is not a sealable PDF."""
    return _download(backends.vault.get_file(document_id, sealed=True), "inline")


@router.get("/invoices/{document_id}/evidence", tags=["archive"], response_class=StreamingResponse,
            responses={**LOOKUP_ERRORS, **UNAVAILABLE})
def get_evidence(document_id: str, backends: BackendsDep) -> StreamingResponse:
    """A zip anyone can check offline with `jefacture verify`: files, timestamp, certificates, ledger proof."""
    return _download(backends.vault.export_evidence(document_id), "attachment")


@router.get("/dossiers/{dossier_id}/files", response_model=DossierFiles, tags=["archive"],
            responses={**LOOKUP_ERRORS, **UNAVAILABLE})
def get_dossier_files(dossier_id: str, backends: BackendsDep) -> DossierFiles:
    """The dossier's archived files (the firm's "fichiers" view)."""
    return backends.vault.files_of_dossier(dossier_id)


@router.get("/dossiers/{dossier_id}/stats", response_model=DossierStats, tags=["dossiers"],
            responses={**LOOKUP_ERRORS, **UNAVAILABLE})
def get_dossier_stats(dossier_id: str, backends: BackendsDep) -> DossierStats:
    return backends.reporting.get_dossier_stats(dossier_id)


@router.get("/healthz", tags=["operations"])
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", response_model=Readiness, tags=["operations"], responses={503: {"model": NotReady}})
def readyz(backends: BackendsDep):
    statuses = backends.health()
    down = [name for name, status in statuses.items() if status != "SERVING"]
    if down:
        return JSONResponse(status_code=503, content=NotReady(
            error=f"not ready: {', '.join(down)} {'is' if len(down) == 1 else 'are'} down", backends=statuses
        ).model_dump())
    return Readiness(status="ready", backends=statuses)


@router.get("/metrics", include_in_schema=False)
def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
