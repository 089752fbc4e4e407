"""reporting on real RabbitMQ and FerretDB, queried over gRPC."""
import grpc
import pytest

from jefacture.api.v1 import reporting_pb2, reporting_pb2_grpc
from jefacture.envelope import new_envelope, to_wire
from jefacture.events.v1 import invoice_pb2 as ev
from jefacture.messaging import Publisher
from jefacture.testing import wait_for

pytestmark = pytest.mark.service
REF = ev.InvoiceRef(document_id="doc-1", dossier_id="dossier-7", direction=ev.PURCHASE)


def wire(payload, producer):
    return to_wire(new_envelope(payload, correlation_id=REF.document_id, producer=producer))


def test_the_timeline_lists_every_event_once_and_gives_the_state(platform, platform_env):
    platform.start(["reporting", "reporting-grpc"])
    publisher = Publisher(platform_env["AMQP_URI"])
    received = wire(ev.InvoiceReceived(invoice=REF, filename="facture.pdf", size_bytes=1234), "ingest")
    for event in (wire(ev.InvoiceSealed(invoice=REF, seal_format="PAdES-B-B"), "seal-vault"), received, received,
                  wire(ev.InvoiceExtracted(invoice=REF, kind="pdf_text", page_count=1), "ocr"),
                  wire(ev.InvoiceValidated(invoice=REF), "validation")):
        publisher.publish_event(event)

    with grpc.insecure_channel(platform_env["REPORTING_GRPC"]) as channel:
        stub = reporting_pb2_grpc.ReportingStub(channel)

        def timeline():
            view = stub.GetInvoice(reporting_pb2.GetInvoiceRequest(document_id="doc-1"))
            return view if len(view.history) == 4 and view.state == "validated" else None

        view = wait_for(lambda: _ignore_not_found(timeline), what="four events in the timeline")
        assert view.filename == "facture.pdf" and view.dossier_id == "dossier-7" and view.direction == "purchase"
        assert sorted(e.event_type for e in view.history) == [
            "InvoiceExtracted", "InvoiceReceived", "InvoiceSealed", "InvoiceValidated"]
        stats = stub.GetDossierStats(reporting_pb2.GetDossierStatsRequest(dossier_id="dossier-7"))
        assert dict(stats.invoices_by_state) == {"validated": 1}
        with pytest.raises(grpc.RpcError) as missing:
            stub.GetInvoice(reporting_pb2.GetInvoiceRequest(document_id="nope"))
        assert missing.value.code() == grpc.StatusCode.NOT_FOUND


def _ignore_not_found(query):
    try:
        return query()
    except grpc.RpcError as error:
        if error.code() == grpc.StatusCode.NOT_FOUND:
            return None
        raise
