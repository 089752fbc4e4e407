"""reporting's use cases: fold events into the invoice timeline; answer questions about it."""
from collections import Counter

from jefacture.envelope import payload_of
from jefacture.events.v1 import invoice_pb2 as ev
from jefacture.events.v1.envelope_pb2 import Envelope

from .domain.timeline import state_of


def detail_of(payload) -> str:
    match payload:
        case ev.InvoiceReceived():
            return f"{payload.filename} ({payload.size_bytes} bytes)"
        case ev.InvoiceExtracted():
            return payload.failure_reason or f"{payload.kind}, {payload.page_count} page(s)"
        case ev.InvoiceSealed():
            return payload.failure_reason or payload.seal_format
        case ev.InvoiceRejected():
            return "; ".join(payload.reasons)
        case ev.InvoiceRouted():
            return f"{payload.destination} ({payload.detail})" if payload.detail else payload.destination
        case ev.TaskOpened():
            return f"{payload.check}: {payload.reason}"
        case ev.InvoicePaid():
            return f"{payload.amount} ({payload.reference})" if payload.reference else payload.amount
    return ""


def record_event(envelope: Envelope, *, views) -> None:
    payload = payload_of(envelope)
    reference = payload.invoice
    entry = {"event_type": envelope.type, "event_id": envelope.event_id, "producer": envelope.producer,
             "occurred_at": envelope.occurred_at.ToDatetime(), "detail": detail_of(payload)}
    filename = payload.filename if isinstance(payload, ev.InvoiceReceived) else None
    views.apply(reference.document_id, reference.dossier_id, ev.Direction.Name(reference.direction).lower(),
                entry, filename)


def invoice_timeline(document_id: str, *, views) -> dict | None:
    entries = views.entries(document_id)
    if not entries:
        return None
    return {"document_id": document_id, "dossier_id": entries[0].dossier_id, "direction": entries[0].direction,
            "filename": next((e.filename for e in entries if e.filename), ""),
            "state": state_of({e.event_type for e in entries}),
            "history": [{"event_type": e.event_type, "event_id": e.id, "occurred_at": e.occurred_at,
                         "producer": e.producer, "detail": e.detail} for e in entries]}


def dossier_stats(dossier_id: str, *, views) -> dict[str, int]:
    return dict(Counter(state_of(types) for types in views.event_types_of_dossier(dossier_id)))
