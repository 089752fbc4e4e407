"""validation's use cases: gather the facts of both pipeline branches, then decide once."""
from jefacture.envelope import new_envelope, payload_of, to_wire
from jefacture.events.v1 import invoice_pb2 as ev
from jefacture.events.v1.envelope_pb2 import Envelope

from .domain.invoice import decide

PRODUCER = "validation"


def decision_event(reference: ev.InvoiceRef, decision) -> dict:
    if decision.accepted:
        payload = ev.InvoiceValidated(invoice=reference, checks_passed=list(decision.checks_passed))
    else:
        payload = ev.InvoiceRejected(invoice=reference, reasons=list(decision.reasons))
    return to_wire(new_envelope(payload, correlation_id=reference.document_id, producer=PRODUCER))


def _decide_if_complete(reference: ev.InvoiceRef, invoices) -> None:
    facts = invoices.facts(reference.document_id)
    if facts is None or not facts.complete:
        return
    decision = decide(facts)
    invoices.decide_once(reference.document_id, "validated" if decision.accepted else "rejected",
                         decision_event(reference, decision))


def on_invoice_extracted(envelope: Envelope, *, invoices) -> None:
    extracted: ev.InvoiceExtracted = payload_of(envelope)
    reference = extracted.invoice
    invoices.record_extraction(reference.document_id, reference.dossier_id, reference.direction,
                               extracted.failure_reason)
    _decide_if_complete(reference, invoices)


def on_invoice_sealed(envelope: Envelope, *, invoices) -> None:
    sealed: ev.InvoiceSealed = payload_of(envelope)
    reference = sealed.invoice
    invoices.record_seal(reference.document_id, reference.dossier_id, reference.direction, sealed.failure_reason)
    _decide_if_complete(reference, invoices)
