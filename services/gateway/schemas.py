"""The JSON bodies of the public API, as they appear in its OpenAPI description."""
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

DIRECTIONS: tuple[str, ...] = ("purchase", "sale")


class _Unused(BaseModel):
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


class UserView(BaseModel):
    user_id: str
    email: str
    name: str
    kind: Literal["firm", "company"]
    language: str
    mobile: str


class CabinetView(BaseModel):
    siren: str
    name: str
    firm_id: str = Field(description="Empty until the terms of use are first accepted for the cabinet")
    terms_accepted: bool


class SessionView(BaseModel):
    user: UserView
    access_token: str = Field(description="Send as 'Authorization: Bearer …'; short-lived")
    access_expires_at: int = Field(description="Unix seconds")
    refresh_token: str = Field(description="Single use: POST /auth/refresh returns a new pair")
    cabinets: list[CabinetView] = Field(description="Firm staff: the cabinets the professional register links")


class FirmView(BaseModel):
    firm_id: str
    siren: str
    name: str
    own_dossier_id: str
    role: str


class ClientDossier(BaseModel):
    dossier_id: str
    name: str
    siren: str
    firm_id: str
    status: Literal["created", "invited", "active"]
    own: bool
    free_invoices: int
    legal_form: str
    auto_accept: bool
    details: dict[str, str]
    created_at: datetime | None = None
    activated_at: datetime | None = None
    permissions: list[str] = Field(default=[], description="The caller's permissions on it, where listed")


class MeView(BaseModel):
    user: UserView
    firms: list[FirmView]
    dossiers: list[ClientDossier] = Field(description="Every dossier the person can open, the last used first")


class ClientListEntry(BaseModel):
    dossier_id: str
    name: str
    closing_month: str
    siren_or_vat: str
    status: str
    to_send: int
    awaiting_integration: int
    action_required: int


class Credentials(BaseModel):
    email: str
    password: str


class RefreshBody(BaseModel):
    refresh_token: str


class EmailBody(BaseModel):
    email: str


class NewPassword(BaseModel):
    new_password: str


class TermsBody(BaseModel):
    version: str


class NewCollaborator(BaseModel):
    email: str
    name: str = ""
    admin: bool = Field(False, description="True delegates the firm's administration")


class AssignmentsBody(BaseModel):
    emails: list[str]


class InvitationCompletion(BaseModel):
    password: str
    name: str
    mobile: str
    language: Literal["fr", "en"] = "fr"
    accept_terms: bool
    accept_privacy_notice: bool
    photo_base64: str = Field("", description="Optional PNG or JPEG, base64, at most 2 MB")


class NewUser(BaseModel):
    email: str
    rights: list[str] = Field(description="Among upload, accept, pay, see_purchases, see_sales, manage_users")


class SwitchBody(BaseModel):
    dossier_id: str


class DossierSettingsBody(BaseModel):
    auto_accept: bool = Field(description="Clean invoices are accepted without a person")
    payment_button: bool = Field(description="Customer e-mails of sales invoices carry the payment button")
    payment_link_days: int = Field(description="How long a payment link works, 1 to 366 days", examples=[30])
    after_payment_url: str = Field(description="The page shown after payment (http or https); empty: the "
                                               "platform's thank-you page", examples=[""])


class DossierSettingsView(DossierSettingsBody):
    dossier_id: str


class PhotoFrame(BaseModel):
    found: bool
    corners: list[list[float]] = Field(description="Top-left, top-right, bottom-right, bottom-left as [x, y] fractions")
    image_width: int
    image_height: int


class Transition(BaseModel):
    state: str
    cdar_code: int | None = Field(None, description="The 2026 reform's lifecycle status (CDAR), when the state has one")
    cdar_label: str | None = None
    actor: str = Field(description="A user id, or 'system'")
    reason: str
    at: datetime


class Lifecycle(BaseModel):
    document_id: str
    dossier_id: str
    direction: str
    state: str
    fields: dict[str, str] = Field(description="The invoice's values, with people's corrections applied")
    transitions: list[Transition]


class Task(BaseModel):
    task_id: str
    document_id: str
    dossier_id: str
    check: str
    reason: str
    audience: str = Field(description="company: the users with the accept right; firm: the dossier's collaborators")
    assignees: list[str]
    status: str = Field(description="open, accepted, rejected, corrected or superseded")
    opened_at: datetime
    closed_at: datetime | None = None
    closed_by: str | None = None
    resolution: str | None = None


class TaskAction(BaseModel):
    action: Literal["accept", "reject", "correct"]
    reason: str = Field("", description="Required to reject")
    field: str = Field("", description="The field to correct, e.g. customer_siren")
    value: str = ""
