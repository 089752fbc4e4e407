from dataclasses import replace

from jefacture.envelope import from_wire, new_envelope, payload_of, to_wire
from jefacture.events.v1 import invoice_pb2 as ev
from jefacture_validation.domain.invoice import Facts
from jefacture_validation.handlers import on_invoice_extracted, on_invoice_sealed

REF = ev.InvoiceRef(document_id="doc-1", dossier_id="d1", direction=ev.SALE)


class FakeInvoices:
    def __init__(self):
        self.facts_by_id: dict[str, Facts] = {}
        self.decisions: dict[str, tuple[str, dict]] = {}

    def record_extraction(self, document_id, dossier_id, direction, failure):
        current = self.facts_by_id.get(document_id, Facts())
        self.facts_by_id[document_id] = replace(current, extracted=True, extraction_failure=failure)

    def record_seal(self, document_id, dossier_id, direction, failure):
        current = self.facts_by_id.get(document_id, Facts())
        self.facts_by_id[document_id] = replace(current, sealed=True, seal_failure=failure)

    def facts(self, document_id):
        return None if document_id in self.decisions else self.facts_by_id.get(document_id)

    def decide_once(self, document_id, outcome, event):
        if document_id in self.decisions:
            return False
        self.decisions[document_id] = (outcome, event)
        return True


def extracted(failure=""):
    return from_wire(to_wire(new_envelope(ev.InvoiceExtracted(invoice=REF, kind="pdf_text", failure_reason=failure),
                                          correlation_id="doc-1", producer="ocr")))


def sealed(failure=""):
    return from_wire(to_wire(new_envelope(ev.InvoiceSealed(invoice=REF, failure_reason=failure),
                                          correlation_id="doc-1", producer="seal-vault")))


def test_nothing_is_decided_until_both_extraction_and_seal_reported():
    invoices = FakeInvoices()
    on_invoice_sealed(sealed(), invoices=invoices)
    assert invoices.decisions == {}


def test_a_readable_sealed_invoice_is_validated_whatever_the_order():
    for first, second in ((extracted, sealed), (sealed, extracted)):
        invoices = FakeInvoices()
        handler = {extracted: on_invoice_extracted, sealed: on_invoice_sealed}
        handler[first](first(), invoices=invoices)
        handler[second](second(), invoices=invoices)
        outcome, event = invoices.decisions["doc-1"]
        validated = payload_of(from_wire(event))
        assert outcome == "validated" and list(validated.checks_passed) == ["readable", "sealed"]
        assert validated.invoice.direction == ev.SALE


def test_an_unreadable_invoice_is_rejected_with_the_reason():
    invoices = FakeInvoices()
    on_invoice_extracted(extracted("the PDF could not be opened: Data format error"), invoices=invoices)
    on_invoice_sealed(sealed(), invoices=invoices)
    outcome, event = invoices.decisions["doc-1"]
    assert outcome == "rejected"
    assert list(payload_of(from_wire(event)).reasons) == ["unreadable: the PDF could not be opened: Data format error"]


def test_a_late_repeated_report_does_not_decide_twice():
    invoices = FakeInvoices()
    on_invoice_extracted(extracted(), invoices=invoices)
    on_invoice_sealed(sealed(), invoices=invoices)
    first = invoices.decisions["doc-1"]
    on_invoice_sealed(sealed(), invoices=invoices)
    assert invoices.decisions["doc-1"] is first
