"""Invoices: uploads into a dossier, their state and history, the archived files and evidence, dossier stats.
Every endpoint asks identity first whether the caller holds the right permission on the invoice's dossier."""
from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from jefacture_ocr.adapters.page_frame import frame_of_photo
from jefacture_ocr.domain.reading import UnreadableDocument

from ..access import BackendsDep, SignedIn
from ..adapters.backends import Backends
from ..adapters.identity import Caller
from ..domain.errors import DocumentRefused, Forbidden, InvalidInput, NotFound
from ..schemas import DIRECTIONS, DossierFiles, DossierStats, Error, InvoiceView, PhotoFrame, UploadReceipt
from ..settings import GatewaySettings
from ..uploads import read_upload

router = APIRouter()
READ_PERMISSION = {"purchase": "purchases.read", "sale": "sales.read"}


def get_settings(request: Request) -> GatewaySettings:
    return request.app.state.settings


SettingsDep = Annotated[GatewaySettings, Depends(get_settings)]
UNAVAILABLE = {503: {"model": Error, "description": "A backend service is down"}}
AUTH_ERRORS = {401: {"model": Error, "description": "No valid access token"},
               403: {"model": Error, "description": "The dossier is visible but the right is missing"}}
LOOKUP_ERRORS = {**AUTH_ERRORS, 404: {"model": Error}, 422: {"model": Error}}

UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {
        "file": {"type": "string", "format": "binary",
                 "description": "The invoice: PDF, JPEG/PNG/HEIC photo or scan, or Factur-X/CII/UBL XML"},
        "direction": {"type": "string", "enum": list(DIRECTIONS), "default": "purchase",
                      "description": "purchase: an invoice the company received; sale: one it issued"},
        "customer_email": {"type": "string", "format": "email",
                           "description": "Sales invoices only: the customer gets the sealed invoice at this address "
                                          "once accepted, with a payment button if the dossier's settings say so"}}}}}}}


def readable_invoice(backends: Backends, caller: Caller, document_id: str) -> InvoiceView:
    """The invoice when the caller may read its direction in its dossier; 404 exactly as if it did not exist."""
    try:
        invoice = backends.reporting.get_invoice(document_id)
    except NotFound:
        raise NotFound(f"no invoice has the id {document_id!r}") from None
    try:
        backends.identity.authorize(caller, invoice.dossier_id, READ_PERMISSION.get(invoice.direction,
                                                                                     "purchases.read"))
    except NotFound:
        raise NotFound(f"no invoice has the id {document_id!r}") from None
    return invoice


@router.post("/dossiers/{dossier_id}/invoices", status_code=201, response_model=UploadReceipt, tags=["invoices"],
             openapi_extra=UPLOAD_BODY,
             responses={200: {"model": UploadReceipt, "description": "The same document was already received"},
                        400: {"model": Error}, **LOOKUP_ERRORS, 413: {"model": Error}, 415: {"model": Error},
                        **UNAVAILABLE})
async def upload_invoice(dossier_id: str, request: Request, response: Response, backends: BackendsDep,
                         settings: SettingsDep, caller: SignedIn) -> UploadReceipt:
    # Asked before reading the body, so that nothing is read or sent to ingest for a dossier the caller cannot use.
    await run_in_threadpool(backends.identity.authorize, caller, dossier_id, "invoices.upload")
    form = await read_upload(request.headers.get("content-type", ""), request.stream(), settings.max_upload_bytes)
    direction = form.fields.get("direction", "purchase").strip().lower() or "purchase"
    if direction not in DIRECTIONS:
        raise InvalidInput(f"form field 'direction' must be 'purchase' or 'sale', not {direction!r}")
    customer_email = clean_customer_email(form.fields.get("customer_email", ""), direction)
    if not form.content:
        raise DocumentRefused(f"{form.filename!r} is empty")
    receipt = await run_in_threadpool(backends.ingest.upload, dossier_id, direction, form.filename,
                                      form.media_type, form.content, customer_email)
    if receipt.duplicate:
        response.status_code = 200
    return receipt


def clean_customer_email(value: str, direction: str) -> str:
    """The customer's address normalised (domain lowercased), "" when not given; InvalidInput naming the fault."""
    given = value.strip()
    if not given:
        return ""
    if direction != "sale":
        raise InvalidInput("form field 'customer_email' goes only with a sales invoice (direction=sale): "
                           "a purchase invoice is not sent to a customer")
    try:
        return validate_email(given, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise InvalidInput(f"form field 'customer_email' {given!r} is not a valid e-mail address: {error}") from None


@router.post("/dossiers/{dossier_id}/photo-frame", response_model=PhotoFrame, tags=["invoices"],
             openapi_extra=UPLOAD_BODY, responses={**LOOKUP_ERRORS, 413: {"model": Error}, **UNAVAILABLE})
async def photo_frame(dossier_id: str, request: Request, backends: BackendsDep, settings: SettingsDep,
                      caller: SignedIn) -> PhotoFrame:
    """The page the app frames in green on a phone photo before it is sent: its four corners as fractions of the
    image, or found=false for a flat scan. Nothing is stored."""
    await run_in_threadpool(backends.identity.authorize, caller, dossier_id, "invoices.upload")
    form = await read_upload(request.headers.get("content-type", ""), request.stream(), settings.max_upload_bytes)
    try:
        return PhotoFrame(**await run_in_threadpool(frame_of_photo, bytes(form.content), form.filename))
    except UnreadableDocument as error:
        raise DocumentRefused(str(error)) from None


@router.get("/invoices/{document_id}", response_model=InvoiceView, tags=["invoices"],
            responses={**LOOKUP_ERRORS, **UNAVAILABLE})
def get_invoice(document_id: str, backends: BackendsDep, caller: SignedIn) -> InvoiceView:
    return readable_invoice(backends, caller, document_id)


def _download(stream, disposition: str) -> StreamingResponse:
    return StreamingResponse(stream.chunks, media_type=stream.media_type,
                             headers={"Content-Disposition": f'{disposition}; filename="{stream.filename}"'})


@router.get("/invoices/{document_id}/original", tags=["archive"], response_class=StreamingResponse,
            responses={**LOOKUP_ERRORS, **UNAVAILABLE})
def get_original(document_id: str, backends: BackendsDep, caller: SignedIn) -> StreamingResponse:
    """The bytes received, unchanged, from the vault."""
    readable_invoice(backends, caller, document_id)
    return _download(backends.vault.get_file(document_id, sealed=False), "inline")


@router.get("/invoices/{document_id}/sealed", tags=["archive"], response_class=StreamingResponse,
            responses={**LOOKUP_ERRORS, **UNAVAILABLE})
def get_sealed(document_id: str, backends: BackendsDep, caller: SignedIn) -> StreamingResponse:
    """The sealed PDF (PAdES), or the detached CAdES signature of a document that is not a sealable PDF."""
    readable_invoice(backends, caller, document_id)
    return _download(backends.vault.get_file(document_id, sealed=True), "inline")


@router.get("/invoices/{document_id}/evidence", tags=["archive"], response_class=StreamingResponse,
            responses={**LOOKUP_ERRORS, **UNAVAILABLE})
def get_evidence(document_id: str, backends: BackendsDep, caller: SignedIn) -> StreamingResponse:
    """A zip anyone can check offline with `jefacture verify`: files, timestamp, certificates, ledger proof."""
    readable_invoice(backends, caller, document_id)
    return _download(backends.vault.export_evidence(document_id), "attachment")


@router.get("/dossiers/{dossier_id}/files", response_model=DossierFiles, tags=["archive"],
            responses={**LOOKUP_ERRORS, **UNAVAILABLE})
def get_dossier_files(dossier_id: str, backends: BackendsDep, caller: SignedIn) -> DossierFiles:
    """The dossier's archived files (the firm's "fichiers" view): purchases and sales the caller may read."""
    readable = {direction for direction, permission in READ_PERMISSION.items()
                if _holds(backends, caller, dossier_id, permission)}
    if not readable:
        backends.identity.authorize(caller, dossier_id, "purchases.read")  # raises the caller's refusal
    files = backends.vault.files_of_dossier(dossier_id)
    return DossierFiles(dossier_id=files.dossier_id, files=[f for f in files.files if f.direction in readable])


def _holds(backends: Backends, caller: Caller, dossier_id: str, permission: str) -> bool:
    try:
        backends.identity.authorize(caller, dossier_id, permission)
    except (Forbidden, NotFound):
        return False
    return True


@router.get("/dossiers/{dossier_id}/stats", response_model=DossierStats, tags=["dossiers"],
            responses={**LOOKUP_ERRORS, **UNAVAILABLE})
def get_dossier_stats(dossier_id: str, backends: BackendsDep, caller: SignedIn) -> DossierStats:
    backends.identity.authorize(caller, dossier_id, "dossier.read")
    return backends.reporting.get_dossier_stats(dossier_id)
