"""The JSON bodies of the public API, as they appear in its OpenAPI description."""
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

DIRECTIONS: tuple[str, ...] = ("purchase", "sale")


class NewDossier(BaseModel):
    name: str = Field(description="The client company's name, at most 200 characters")
    siren: str = Field(description="The company's 9-digit SIREN; spaces are allowed", examples=["732829320"])


class DossierView(BaseModel):
    dossier_id: str
    name: str
    siren: str


class UploadReceipt(BaseModel):
    document_id: str
    sha256: str
    duplicate: bool = Field(description="True when the same bytes were already received for this dossier")


class HistoryEntry(BaseModel):
    event_type: str
    event_id: str
    occurred_at: datetime
    producer: str
    detail: str


class InvoiceView(BaseModel):
    document_id: str
    dossier_id: str
    direction: str
    state: str
    filename: str
    history: list[HistoryEntry]


class DossierStats(BaseModel):
    dossier_id: str
    invoices_by_state: dict[str, int]


class Error(BaseModel):
    error: str = Field(description="What was wrong, naming the input")


class DossierConflict(Error):
    dossier_id: str = Field(description="The dossier that already holds this SIREN")


class Readiness(BaseModel):
    status: Literal["ready"]
    backends: dict[str, str]


class NotReady(Error):
    backends: dict[str, str] = Field(description="Each backend's health status")


class ArchivedFile(BaseModel):
    document_id: str
    direction: str
    media_type: str
    seal_format: str = Field(description="PAdES-B-T for PDFs, CAdES-T-detached for anything else")
    original_sha256: str
    sealed_sha256: str | None
    archived_at: datetime | None
    timestamp_time: datetime | None = Field(description="The trusted time of the seal's RFC 3161 timestamp")
    retention_end: datetime | None
    legal_hold: bool
    deleted: bool


class DossierFiles(BaseModel):
    dossier_id: str
    files: list[ArchivedFile]
