"""validation's use cases on a real FerretDB: the lifecycle, the tasks anomalies open and the actions closing them.
The dossier profile and the supplier registry are given as plain values (their clients are tested elsewhere)."""
import os
from datetime import UTC, date, datetime, timedelta

import mongoengine
import pymongo
import pytest

from jefacture.api.v1 import identity_pb2
from jefacture.envelope import from_wire, new_envelope, to_wire
from jefacture.events.v1 import invoice_pb2 as ev
from jefacture.mongo import connect
from jefacture.settings import PlatformSettings
from jefacture.testing import unique_name
from jefacture_validation import handlers
from jefacture_validation.adapters.invoices import MongoInvoices, TaskRecord, TransitionRecord
from jefacture_validation.domain.checks import SupplierStatus

pytestmark = pytest.mark.service
MONGO_URI = os.environ.get("MONGO_URI", "mongodb://127.0.0.1:27017/")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
DOSSIER_SIREN, SUPPLIER_SIREN = "732829320", "552100554"
ACCEPTER, COLLABORATOR = "user-company", "user-firm"
CLEAN_FIELDS = {
    "supplier_name": "Papeterie Martin SARL", "supplier_siren": SUPPLIER_SIREN, "supplier_vat": "FR96552100554",
    "customer_name": "Boulangerie Durand", "customer_siren": DOSSIER_SIREN, "customer_vat": "FR44732829320",
    "invoice_number": "F-2026-0042", "issue_date": "2026-11-02", "due_date": "2026-12-02", "currency": "EUR",
    "total_excl_tax": "100.00", "total_tax": "20.00", "total_incl_tax": "120.00", "operation_nature": "goods",
    "iban": "FR7630006000011234567890189", "bic": "AGRIFRPP"}


class Profiles:
    def __init__(self, auto_accept=True):
        self.auto_accept = auto_accept

    def profile(self, dossier_id):
        return identity_pb2.DossierProfile(
            dossier_id=dossier_id, siren=DOSSIER_SIREN, name="Boulangerie Durand", status="active",
            settings=identity_pb2.DossierSettings(auto_accept=self.auto_accept), accepters=[ACCEPTER],
            collaborators=[COLLABORATOR])


class Registry:
    def __init__(self, **status):
        self.answer = {"found_in_sirene": True, "name": "PAPETERIE MARTIN", "created_on": date(2004, 5, 1),
                       "ceased_on": None, "proceedings": (), "unavailable": None, **status}

    def status(self, siren):
        return SupplierStatus(siren=siren, **self.answer)


@pytest.fixture
def invoices():
    settings = PlatformSettings(mongo_uri=MONGO_URI, mongo_db_prefix=unique_name("t") + "_")
    connect(settings, "validation")
    yield MongoInvoices()
    mongoengine.disconnect()
    pymongo.MongoClient(MONGO_URI).drop_database(settings.database_name("validation"))


def context(invoices, profiles=None, registry=None, now=NOW):
    return handlers.Context(invoices=invoices, profiles=profiles or Profiles(), registry=registry or Registry(),
                            now=now)


def envelope(payload, producer):
    return from_wire(to_wire(new_envelope(payload, correlation_id=payload.invoice.document_id, producer=producer)))


def bring_in(ctx, document_id, fields=CLEAN_FIELDS, sha256=None, extraction_failure="", direction=ev.PURCHASE):
    reference = ev.InvoiceRef(document_id=document_id, dossier_id="dossier-1", direction=direction)
    extracted = ev.InvoiceExtracted(invoice=reference, kind="pdf_text", document_type="invoice",
                                    failure_reason=extraction_failure,
                                    fields=[ev.ExtractedField(name=k, value=v, confidence=0.99)
                                            for k, v in fields.items()],
                                    vat_breakdown=[ev.VatLine(rate="20.00", base="100.00", tax="20.00")])
    handlers.on_invoice_extracted(envelope(extracted, "ocr"), ctx=ctx)
    received = ev.InvoiceReceived(invoice=reference, filename=f"{document_id}.pdf", media_type="application/pdf",
                                  sha256=sha256 or f"sha-{document_id}", customer_email="compta@client.example")
    handlers.on_invoice_received(envelope(received, "ingest"), ctx=ctx)
    handlers.on_invoice_sealed(envelope(ev.InvoiceSealed(invoice=reference), "seal-vault"), ctx=ctx)
    return reference


def know_supplier(ctx):
    """The dossier accepted an earlier invoice of the supplier: it is no longer unknown."""
    bring_in(ctx, "doc-earlier", fields={**CLEAN_FIELDS, "invoice_number": "F-2026-0001"})
    task = open_tasks("doc-earlier")["unknown_supplier"]
    handlers.resolve_task(ctx, task.id, "dossier-1", ACCEPTER, "accept")
    assert states("doc-earlier")[-1] == ("accepted", 205, ACCEPTER)


def states(document_id):
    return [(t.state, t.cdar_code, t.actor) for t in MongoInvoices().transitions(document_id)]


def events_of(document_id, event_type):
    return [event for record in [*TransitionRecord.objects(document_id=document_id),
                                 *TaskRecord.objects(document_id=document_id)]
            for event in record.outbox if event["type"] == event_type]


def open_tasks(document_id):
    return {task.check: task for task in MongoInvoices().open_tasks_of(document_id)}


def test_a_clean_purchase_invoice_is_accepted_by_itself_with_its_values_for_the_destinations(invoices):
    know_supplier(context(invoices))
    bring_in(context(invoices), "doc-clean")
    assert states("doc-clean") == [("received", 202, "system"), ("ready", 203, "system"),
                                   ("accepted", 205, "system")]
    [validated] = events_of("doc-clean", "InvoiceValidated")
    summary = validated["invoice_validated"]["summary"]
    assert summary["invoice_number"] == "F-2026-0042" and summary["total_incl_tax"] == "120.00"
    assert summary["customer_email"] == "compta@client.example"
    assert summary["vat_breakdown"] == [{"rate": "20.00", "base": "100.00", "tax": "20.00"}]
    assert [e["invoice_status_changed"]["cdar_label"] for e in events_of("doc-clean", "InvoiceStatusChanged")] \
        == ["Reçue", "Mise à disposition", "Approuvée"]


def test_events_delivered_twice_change_nothing(invoices):
    ctx = context(invoices)
    know_supplier(ctx)
    bring_in(ctx, "doc-twice")
    bring_in(ctx, "doc-twice")
    assert [s for s, _, _ in states("doc-twice")] == ["received", "ready", "accepted"]
    assert len(events_of("doc-twice", "InvoiceValidated")) == 1


def test_a_document_the_platform_cannot_read_is_rejected_213(invoices):
    bring_in(context(invoices), "doc-bad", extraction_failure="the PDF is encrypted")
    assert states("doc-bad")[-1] == ("rejected", 213, "system")
    [rejected] = events_of("doc-bad", "InvoiceRejected")
    assert rejected["invoice_rejected"]["reasons"] == ["unreadable: the PDF is encrypted"]


def test_without_automatic_acceptance_a_clean_invoice_waits_for_a_person(invoices):
    ctx = context(invoices, profiles=Profiles(auto_accept=False))
    know_supplier(context(invoices))
    bring_in(ctx, "doc-wait")
    assert states("doc-wait")[-1] == ("needs_review", 204, "system")
    task = open_tasks("doc-wait")["awaiting_acceptance"]
    assert task.assignees == [ACCEPTER] and task.audience == "company"
    handlers.resolve_task(ctx, task.id, "dossier-1", ACCEPTER, "accept")
    assert states("doc-wait")[-1] == ("accepted", 205, ACCEPTER)
    assert events_of("doc-wait", "InvoiceValidated")[0]["invoice_validated"]["accepted_by"] == ACCEPTER


def test_an_invoice_for_another_company_waits_until_a_person_corrects_it(invoices):
    ctx = context(invoices)
    know_supplier(ctx)
    bring_in(ctx, "doc-sci", fields={**CLEAN_FIELDS, "customer_siren": "443061841"})
    task = open_tasks("doc-sci")["wrong_dossier"]
    assert "443061841" in task.reason and DOSSIER_SIREN in task.reason
    assert states("doc-sci")[-1][0] == "needs_review" and not events_of("doc-sci", "InvoiceValidated")
    handlers.resolve_task(ctx, task.id, "dossier-1", ACCEPTER, "correct", field="customer_siren",
                          value=DOSSIER_SIREN)
    assert states("doc-sci")[-1] == ("accepted", 205, ACCEPTER)
    [validated] = events_of("doc-sci", "InvoiceValidated")
    assert validated["invoice_validated"]["summary"]["customer_siren"] == DOSSIER_SIREN
    assert MongoInvoices().task(task.id).status == "corrected"


def test_each_round_of_corrections_is_one_more_review_in_the_history(invoices):
    ctx = context(invoices)
    know_supplier(ctx)
    bring_in(ctx, "doc-rounds", fields={**CLEAN_FIELDS, "customer_siren": "443061841", "total_incl_tax": "999.00"})
    for check, field, value in (("wrong_dossier", "customer_siren", DOSSIER_SIREN),
                                ("totals_mismatch", "total_incl_tax", "120.00")):
        task = open_tasks("doc-rounds")[check]
        handlers.resolve_task(ctx, task.id, "dossier-1", ACCEPTER, "correct", field=field, value=value)
    assert [state for state, _, _ in states("doc-rounds")] == ["received", "ready", "needs_review", "needs_review",
                                                               "accepted"]


def test_rejecting_refuses_the_invoice_210_closes_its_other_tasks_and_a_second_action_is_refused(invoices):
    ctx = context(invoices, registry=Registry(found_in_sirene=False, name=None, created_on=None))
    bring_in(ctx, "doc-ghost")
    tasks = open_tasks("doc-ghost")
    assert tasks["supplier_not_in_sirene"].audience == "firm"
    assert tasks["supplier_not_in_sirene"].assignees == [COLLABORATOR]
    task = tasks["supplier_not_in_sirene"]
    with pytest.raises(handlers.TaskRefused, match="reason"):
        handlers.resolve_task(ctx, task.id, "dossier-1", COLLABORATOR, "reject")
    handlers.resolve_task(ctx, task.id, "dossier-1", COLLABORATOR, "reject", reason="fournisseur inconnu")
    assert states("doc-ghost")[-1] == ("rejected", 210, COLLABORATOR)
    assert not open_tasks("doc-ghost")
    with pytest.raises(handlers.TaskRefused, match="already closed"):
        handlers.resolve_task(ctx, task.id, "dossier-1", COLLABORATOR, "accept")


def test_a_task_is_found_only_in_its_own_dossier(invoices):
    ctx = context(invoices, profiles=Profiles(auto_accept=False))
    know_supplier(context(invoices))
    bring_in(ctx, "doc-own")
    task = open_tasks("doc-own")["awaiting_acceptance"]
    with pytest.raises(handlers.TaskNotFound):
        handlers.resolve_task(ctx, task.id, "dossier-2", ACCEPTER, "accept")
    assert MongoInvoices().task(task.id).status == "open"


def test_the_same_content_twice_is_flagged_as_a_duplicate_of_the_first(invoices):
    ctx = context(invoices)
    know_supplier(ctx)
    bring_in(ctx, "doc-first", sha256="same")
    bring_in(context(invoices, now=NOW + timedelta(minutes=5)), "doc-again", sha256="same")
    assert states("doc-first")[-1][0] == "accepted"
    assert "duplicate" in open_tasks("doc-again")


def test_routing_and_payment_move_the_lifecycle_and_a_refused_delivery_opens_a_task(invoices):
    ctx = context(invoices)
    reference = bring_in(ctx, "doc-sale", fields={**CLEAN_FIELDS, "supplier_siren": DOSSIER_SIREN,
                                                  "customer_siren": "552100554"}, direction=ev.SALE)
    assert states("doc-sale")[0] == ("received", 200, "system")
    routed = ev.InvoiceRouted(invoice=reference, destination="chorus-pro", delivery_id="doc-sale:accepted:chorus")
    handlers.on_invoice_routed(envelope(routed, "routing"), ctx=ctx)
    failed = ev.DeliveryFailed(invoice=reference, destination="chorus-pro", delivery_id="d-1",
                               reason="REJET: engagement juridique absent", attempts=1)
    handlers.on_delivery_failed(envelope(failed, "routing"), ctx=ctx)
    handlers.on_invoice_paid(envelope(ev.InvoicePaid(invoice=reference, amount="120.00", reference="VIR 1"),
                                      "payments"), ctx=ctx)
    assert [s for s, _, _ in states("doc-sale")][-2:] == ["routed", "paid"]
    assert states("doc-sale")[-2][1] == 203 and states("doc-sale")[-1][1] == 212
    assert "engagement juridique" in open_tasks("doc-sale")["delivery_failed"].reason
