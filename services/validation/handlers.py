"""validation's use cases: gather what the pipeline learned, check the invoice once it is read and sealed, open
tasks for the anomalies, and move the invoice along its lifecycle as people and the other services act on it."""
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from google.protobuf.json_format import MessageToDict, ParseDict
from google.protobuf.timestamp_pb2 import Timestamp

from jefacture import metrics
from jefacture.envelope import new_envelope, occurred_at, payload_of, to_wire
from jefacture.events.v1 import invoice_pb2 as ev
from jefacture.events.v1.envelope_pb2 import Envelope
from jefacture.log import get_logger

from .adapters.invoices import (
    DECISION,
    CorrectionRecord,
    InvoiceRecord,
    MongoInvoices,
    TaskRecord,
    TransitionRecord,
    review_key,
)
from .domain import lifecycle
from .domain.checks import CHECK_NAMES, InvoiceUnderCheck, SupplierStatus, check_invoice
from .domain.lifecycle import ACCEPTED, NEEDS_REVIEW, PAID, READY, RECEIVED, REJECTED, ROUTED, SYSTEM

PRODUCER = "validation"
log = get_logger()
DIRECTIONS = {ev.PURCHASE: "purchase", ev.SALE: "sale"}
SUMMARY_FIELDS = frozenset(ev.InvoiceSummary.DESCRIPTOR.fields_by_name) - {"vat_breakdown"}
AWAITING_ACCEPTANCE = "awaiting_acceptance"
DELIVERY_FAILED = "delivery_failed"
ACTIONS = ("accept", "reject", "correct")
# MongoDB keeps milliseconds: a transition is stamped at least this much after the one before it.
STORED_PRECISION = timedelta(milliseconds=1)


class TaskRefused(ValueError):
    """The action cannot be taken on this task; the message says why."""


class TaskNotFound(LookupError):
    pass


class Profiles(Protocol):
    def profile(self, dossier_id: str): ...


class Registry(Protocol):
    def status(self, siren: str) -> SupplierStatus | None: ...


@dataclass
class Context:
    invoices: MongoInvoices
    profiles: Profiles
    registry: Registry
    now: datetime


def _event(payload, document_id: str) -> dict:
    return to_wire(new_envelope(payload, correlation_id=document_id, producer=PRODUCER))


def _reference(facts: dict) -> ev.InvoiceRef:
    return ParseDict(facts["received"]["invoice"], ev.InvoiceRef())


def _direction(reference: ev.InvoiceRef) -> str:
    return DIRECTIONS.get(reference.direction, "purchase")


def _move(ctx: Context, reference: ev.InvoiceRef, key: str, state: str, actor: str, reason: str,
          extra_events: tuple = (), by_person: bool = False) -> bool:
    """Records the transition (once per key) with its InvoiceStatusChanged and any further events; False when
    that decision was already taken or the state machine does not allow it."""
    history = ctx.invoices.transitions(reference.document_id)
    current = history[-1].state if history else ""
    try:
        lifecycle.check_transition(current, state)
    except lifecycle.TransitionRefused as refusal:
        log.warning("transition_refused", document_id=reference.document_id, reason=str(refusal))
        return False
    when = max(ctx.now, history[-1].at + STORED_PRECISION) if history else ctx.now
    status = lifecycle.cdar_status(state, _direction(reference), by_person=by_person)
    at = Timestamp()
    at.FromDatetime(when)
    changed = ev.InvoiceStatusChanged(invoice=reference, state=state, cdar_code=status.code,
                                      cdar_label=status.label, actor=actor, reason=reason, at=at)
    record = TransitionRecord(document_id=reference.document_id, dossier_id=reference.dossier_id,
                              direction=_direction(reference), state=state, cdar_code=status.code,
                              cdar_label=status.label, actor=actor, reason=reason, at=when,
                              outbox=[_event(changed, reference.document_id),
                                      *(_event(e, reference.document_id) for e in extra_events)])
    return ctx.invoices.transition(key, record)


def current_fields(invoices: MongoInvoices, document_id: str, facts: dict) -> dict[str, str]:
    """The extracted values, with the corrections people made on top."""
    extracted = facts.get("extracted", {})
    values = {field["name"]: field.get("value", "") for field in extracted.get("fields", [])}
    return {**values, **invoices.corrections(document_id)}


def _fields(ctx: Context, document_id: str, facts: dict) -> dict[str, str]:
    return current_fields(ctx.invoices, document_id, facts)


def summary_of(ctx: Context, document_id: str, facts: dict) -> ev.InvoiceSummary:
    received, extracted = facts.get("received", {}), facts.get("extracted", {})
    values = {name: value for name, value in _fields(ctx, document_id, facts).items() if name in SUMMARY_FIELDS}
    summary = ev.InvoiceSummary(**values, kind=extracted.get("kind", ""),
                                document_type=extracted.get("document_type", ""),
                                customer_email=received.get("customer_email", ""),
                                filename=received.get("filename", ""), media_type=received.get("media_type", ""),
                                sha256=received.get("sha256", ""))
    for line in extracted.get("vat_breakdown", []):
        summary.vat_breakdown.append(ParseDict(line, ev.VatLine()))
    return summary


def on_invoice_received(envelope: Envelope, *, ctx: Context) -> None:
    received: ev.InvoiceReceived = payload_of(envelope)
    _move(ctx, received.invoice, RECEIVED, RECEIVED, SYSTEM, f"{received.filename} received")
    ctx.invoices.record_fact(received.invoice.document_id, "received", MessageToDict(
        received, preserving_proto_field_name=True))
    _advance(ctx, received.invoice.document_id)


def on_invoice_extracted(envelope: Envelope, *, ctx: Context) -> None:
    extracted: ev.InvoiceExtracted = payload_of(envelope)
    ctx.invoices.record_fact(extracted.invoice.document_id, "extracted", MessageToDict(
        extracted, preserving_proto_field_name=True))
    _advance(ctx, extracted.invoice.document_id)


def on_invoice_sealed(envelope: Envelope, *, ctx: Context) -> None:
    sealed: ev.InvoiceSealed = payload_of(envelope)
    ctx.invoices.record_fact(sealed.invoice.document_id, "sealed", MessageToDict(
        sealed, preserving_proto_field_name=True))
    _advance(ctx, sealed.invoice.document_id)


def _advance(ctx: Context, document_id: str) -> None:
    """Once every step reported: reject what the platform cannot take, otherwise check the invoice."""
    facts = ctx.invoices.facts(document_id)
    if set(facts) != {"received", "extracted", "sealed"} or ctx.invoices.has_transition(document_id, READY):
        return
    reference = _reference(facts)
    failures = [f"unreadable: {reason}" for reason in [facts["extracted"].get("failure_reason")] if reason]
    failures += [f"not sealed: {reason}" for reason in [facts["sealed"].get("failure_reason")] if reason]
    if failures:
        rejected = ev.InvoiceRejected(invoice=reference, reasons=failures, summary=summary_of(ctx, document_id, facts),
                                      rejected_by=SYSTEM, cdar_code=lifecycle.cdar_status(REJECTED, "").code)
        if _move(ctx, reference, DECISION, REJECTED, SYSTEM, "; ".join(failures), (rejected,)):
            metrics.INVOICE_DECISIONS.labels(REJECTED, SYSTEM).inc()
        return
    if _move(ctx, reference, READY, READY, SYSTEM, "read and sealed"):
        received = facts["received"]
        fields = _fields(ctx, document_id, facts)
        ctx.invoices.remember(InvoiceRecord(
            id=document_id, dossier_id=reference.dossier_id, direction=_direction(reference),
            supplier_siren=fields.get("supplier_siren", ""), invoice_number=fields.get("invoice_number", ""),
            sha256=received.get("sha256", ""), received_at=occurred_or_now(received, ctx.now)))
        _check(ctx, reference, facts, round_=0, actor=SYSTEM)


def occurred_or_now(received: dict, now: datetime) -> datetime:
    stamp = received.get("received_at")
    if not stamp:
        return now
    value = Timestamp()
    value.FromJsonString(stamp)
    return value.ToDatetime(tzinfo=now.tzinfo)


def _under_check(ctx: Context, reference: ev.InvoiceRef, facts: dict, profile) -> InvoiceUnderCheck:
    extracted = facts["extracted"]
    fields = _fields(ctx, reference.document_id, facts)
    direction = _direction(reference)
    supplier_siren = fields.get("supplier_siren", "")
    supplier = None
    if direction == "purchase" and supplier_siren:
        supplier = ctx.registry.status(supplier_siren)
    invoice = InvoiceRecord.objects(id=reference.document_id).first()
    return InvoiceUnderCheck(
        direction=direction, document_type=extracted.get("document_type", ""), kind=extracted.get("kind", ""),
        fields=fields,
        vat_breakdown=tuple((v.get("rate", ""), v.get("base", ""), v.get("tax", ""))
                            for v in extracted.get("vat_breakdown", [])),
        findings=tuple(extracted.get("findings", [])), dossier_siren=profile.siren,
        known_supplier=bool(supplier_siren) and ctx.invoices.supplier_known(reference.dossier_id, supplier_siren,
                                                                            reference.document_id),
        duplicates=tuple(ctx.invoices.earlier_duplicates(invoice)) if invoice else (), supplier=supplier)


def _check(ctx: Context, reference: ev.InvoiceRef, facts: dict, round_: int, actor: str) -> None:
    """Runs every check; anomalies open tasks, a clean invoice is accepted when the dossier says so."""
    profile = ctx.profiles.profile(reference.dossier_id)
    anomalies = check_invoice(_under_check(ctx, reference, facts, profile), ctx.now.date())
    if not anomalies and profile.settings.auto_accept:
        _accept(ctx, reference, facts, actor, "every check passed")
        return
    if not anomalies:
        anomalies = [_awaiting_acceptance()]
    for anomaly in anomalies:
        _open_task(ctx, reference, round_, anomaly.check, anomaly.reason, anomaly.audience, profile)
    reasons = "; ".join(anomaly.reason for anomaly in anomalies)
    _move(ctx, reference, review_key(round_), NEEDS_REVIEW, actor, reasons)


@dataclass(frozen=True)
class _Notice:
    check: str
    reason: str
    audience: str


def _awaiting_acceptance() -> _Notice:
    return _Notice(AWAITING_ACCEPTANCE, "Tous les contrôles sont passés, mais ce dossier demande qu'une personne "
                                        "accepte chaque facture : acceptez-la ou refusez-la.", "company")


def _open_task(ctx: Context, reference: ev.InvoiceRef, round_: int, check: str, reason: str, audience: str,
               profile, task_id: str = "") -> None:
    assignees = list(profile.collaborators if audience == "firm" else profile.accepters)
    task_id = task_id or f"{reference.document_id}:{round_}:{check}"
    opened = ev.TaskOpened(invoice=reference, task_id=task_id, check=check, reason=reason, audience=audience,
                           assignees=assignees)
    opened_now = ctx.invoices.open_task(TaskRecord(id=task_id, document_id=reference.document_id,
                                      dossier_id=reference.dossier_id, round=round_, check=check, reason=reason,
                                      audience=audience, assignees=assignees, opened_at=ctx.now,
                                      outbox=[_event(opened, reference.document_id)]))
    if opened_now:
        metrics.TASKS_OPENED.labels(check).inc()


def _accept(ctx: Context, reference: ev.InvoiceRef, facts: dict, actor: str, reason: str) -> None:
    raised = {task.check for task in TaskRecord.objects(document_id=reference.document_id)}
    passed = [name for name in CHECK_NAMES if name not in raised]
    validated = ev.InvoiceValidated(invoice=reference, checks_passed=passed,
                                    summary=summary_of(ctx, reference.document_id, facts), accepted_by=actor)
    if _move(ctx, reference, DECISION, ACCEPTED, actor, reason, (validated,)):
        metrics.INVOICE_DECISIONS.labels(ACCEPTED, "system" if actor == SYSTEM else "person").inc()
        if _direction(reference) == "purchase" and validated.summary.supplier_siren:
            ctx.invoices.remember_supplier(reference.dossier_id, validated.summary.supplier_siren,
                                           reference.document_id)


def _reject(ctx: Context, reference: ev.InvoiceRef, facts: dict, actor: str, reason: str) -> None:
    status = lifecycle.cdar_status(REJECTED, _direction(reference), by_person=True)
    rejected = ev.InvoiceRejected(invoice=reference, reasons=[reason], summary=summary_of(
        ctx, reference.document_id, facts), rejected_by=actor, cdar_code=status.code)
    if _move(ctx, reference, DECISION, REJECTED, actor, reason, (rejected,), by_person=True):
        metrics.INVOICE_DECISIONS.labels(REJECTED, "person").inc()


def resolve_task(ctx: Context, task_id: str, dossier_id: str, user_id: str, action: str, reason: str = "",
                 field: str = "", value: str = "") -> TaskRecord:
    """A person acts on a task: accept the anomaly, reject the invoice with a reason, or correct a field."""
    task = ctx.invoices.task(task_id)
    if task is None or task.dossier_id != dossier_id:
        raise TaskNotFound(f"no task has the id {task_id!r} in this dossier")
    if action not in ACTIONS:
        raise TaskRefused(f"the action must be one of {', '.join(ACTIONS)}, not {action!r}")
    if task.status != "open":
        raise TaskRefused(f"this task is already closed ({task.status} by {task.closed_by})")
    if action == "reject" and not reason.strip():
        raise TaskRefused("a rejection needs a reason: it is shown to the supplier and the firm")
    if action == "correct":
        _check_correction(field, value)
    if not ctx.invoices.claim_resolution(task_id, action, user_id, ctx.now):
        raise TaskRefused("this task was just closed by someone else")
    facts = ctx.invoices.facts(task.document_id)
    reference = _reference(facts)
    if action == "accept":
        _close(ctx, task, "accepted", user_id, reason or "accepted")
        _release_if_clear(ctx, reference, facts, task, user_id)
    elif action == "reject":
        _close(ctx, task, "rejected", user_id, reason)
        for other in ctx.invoices.open_tasks_of(task.document_id):
            _close(ctx, other, "superseded", user_id, f"invoice rejected: {reason}")
        if task.check != DELIVERY_FAILED:
            _reject(ctx, reference, facts, user_id, reason)
    else:
        ctx.invoices.record_correction(CorrectionRecord(id=task_id, document_id=task.document_id, field=field,
                                                        value=value.strip(), by=user_id, at=ctx.now))
        _close(ctx, task, "corrected", user_id, f"{field} = {value.strip()}")
        for other in ctx.invoices.open_tasks_of(task.document_id):
            _close(ctx, other, "superseded", user_id, f"checks run again after {field} was corrected")
        _check(ctx, reference, ctx.invoices.facts(task.document_id), round_=task.round + 1, actor=user_id)
    return ctx.invoices.task(task_id)


def _check_correction(field: str, value: str) -> None:
    if field not in SUMMARY_FIELDS - {"kind", "document_type", "customer_email", "filename", "media_type", "sha256"} \
            and field not in ("payment_terms", "delivery_address", "operation_nature"):
        raise TaskRefused(f"{field!r} is not a field of the invoice that can be corrected")
    if not value.strip():
        raise TaskRefused(f"the corrected value of {field!r} is empty")


def _close(ctx: Context, task: TaskRecord, status: str, user_id: str, resolution: str) -> None:
    ctx.invoices.close_task(task.id, status, user_id, resolution, ctx.now)


def _release_if_clear(ctx: Context, reference: ev.InvoiceRef, facts: dict, task: TaskRecord, user_id: str) -> None:
    """Accepting the last open task of an invoice under review accepts the invoice."""
    if task.check == DELIVERY_FAILED or ctx.invoices.open_tasks_of(task.document_id):
        return
    if ctx.invoices.current_state(task.document_id) == NEEDS_REVIEW:
        _accept(ctx, reference, facts, user_id, "accepted by a person after review")


def on_delivery_failed(envelope: Envelope, *, ctx: Context) -> None:
    """A destination refused the invoice (Chorus Pro rejected it) or routing gave up: the company must act."""
    failed: ev.DeliveryFailed = payload_of(envelope)
    profile = ctx.profiles.profile(failed.invoice.dossier_id)
    reason = f"L'envoi à {failed.destination} a échoué après {failed.attempts} tentative(s) : {failed.reason}"
    _open_task(ctx, failed.invoice, 0, DELIVERY_FAILED, reason, "company", profile,
               task_id=f"{failed.delivery_id}:{DELIVERY_FAILED}")


def on_invoice_routed(envelope: Envelope, *, ctx: Context) -> None:
    routed: ev.InvoiceRouted = payload_of(envelope)
    if ctx.invoices.current_state(routed.invoice.document_id) == ACCEPTED:
        _move(ctx, routed.invoice, ROUTED, ROUTED, SYSTEM, f"delivered to {routed.destination}")


def on_invoice_paid(envelope: Envelope, *, ctx: Context) -> None:
    paid: ev.InvoicePaid = payload_of(envelope)
    if ctx.invoices.current_state(paid.invoice.document_id) in (ACCEPTED, ROUTED):
        at = occurred_at(envelope)
        _move(ctx, paid.invoice, PAID, PAID, SYSTEM, f"{paid.amount} paid on {at.date().isoformat()} "
                                                     f"({paid.reference})")
