"""ingest on real RabbitMQ and FerretDB: uploads over gRPC, InvoiceReceived on the broker."""
from datetime import datetime, timezone

import grpc
import pymongo
import pytest

from jefacture.api.v1 import ingest_pb2, ingest_pb2_grpc
from jefacture.events.v1 import invoice_pb2 as ev
from jefacture.samples import invoice_pdf, sample_invoices
from jefacture.testing import wait_for
from jefacture_ingest.domain.intake import ReceivedDocument
from jefacture_ingest.handlers import invoice_received

pytestmark = pytest.mark.service


def upload(address, content, dossier="dossier-1", chunk=64 * 1024, direction=ev.PURCHASE, customer_email=""):
    def chunks():
        yield ingest_pb2.UploadChunk(metadata=ingest_pb2.UploadMetadata(
            dossier_id=dossier, direction=direction, source=ev.UPLOAD, filename="facture.pdf",
            customer_email=customer_email))
        for start in range(0, len(content), chunk):
            yield ingest_pb2.UploadChunk(content=content[start:start + chunk])

    with grpc.insecure_channel(address) as channel:
        return ingest_pb2_grpc.IngestStub(channel).Upload(chunks(), timeout=10)


def test_an_upload_is_stored_once_and_announced_once(platform, platform_env, capture):
    received = capture(("ingest", "InvoiceReceived"))
    platform.start(["ingest", "ingest-grpc"])
    pdf = invoice_pdf(sample_invoices(1)[0])

    first = upload(platform_env["INGEST_GRPC"], pdf)
    again = upload(platform_env["INGEST_GRPC"], pdf)

    assert not first.duplicate and again.duplicate and again.document_id == first.document_id
    events = received.wait_for(lambda e: e["correlation_id"] == first.document_id)
    assert events[0]["invoice_received"]["sha256"] == first.sha256
    assert events[0]["invoice_received"]["invoice"]["dossier_id"] == "dossier-1"
    assert len(received.drain()) == 1
    blob = platform.var_dir / "blobs" / first.sha256[:2] / first.sha256[2:4] / first.sha256
    assert blob.read_bytes() == pdf


def test_a_refused_upload_leaves_nothing_behind(platform, platform_env):
    platform.start(["ingest-grpc"])
    with pytest.raises(grpc.RpcError) as refused:
        upload(platform_env["INGEST_GRPC"], b"this is plain text")
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "is not a PDF, a JPEG, PNG or HEIC image" in refused.value.details()
    database = pymongo.MongoClient(platform_env["MONGO_URI"])[platform_env["MONGO_DB_PREFIX"] + "ingest"]
    assert database["received_documents"].count_documents({}) == 0
    assert not (platform.var_dir / "blobs").exists()


def test_an_event_committed_but_never_published_is_sent_by_the_relay(platform, platform_env, capture):
    received = capture(("ingest", "InvoiceReceived"))
    document = ReceivedDocument(
        document_id="doc-crashed", dossier_id="dossier-1", direction="sale", source="upload",
        filename="f.pdf", media_type="application/pdf", sha256="0" * 64, size_bytes=10,
        received_at=datetime.now(timezone.utc))
    database = pymongo.MongoClient(platform_env["MONGO_URI"])[platform_env["MONGO_DB_PREFIX"] + "ingest"]
    database["received_documents"].insert_one({"_id": "doc-crashed", "outbox": [invoice_received(document)]})

    platform.start(["ingest"])

    received.wait_for(lambda e: e["correlation_id"] == "doc-crashed")
    wait_for(lambda: database["received_documents"].find_one({"_id": "doc-crashed"})["outbox"] == [],
             what="the outbox to be emptied")
    assert len(received.drain()) == 1


def test_a_sales_invoice_announces_its_customer_e_mail(platform, platform_env, capture):
    received = capture(("ingest", "InvoiceReceived"))
    platform.start(["ingest-grpc"])

    reply = upload(platform_env["INGEST_GRPC"], invoice_pdf(sample_invoices(2)[1]), direction=ev.SALE,
                   customer_email="compta@client.example")

    event = received.wait_for(lambda e: e["correlation_id"] == reply.document_id)[0]["invoice_received"]
    assert (event["invoice"]["direction"], event["customer_email"]) == ("SALE", "compta@client.example")
    database = pymongo.MongoClient(platform_env["MONGO_URI"])[platform_env["MONGO_DB_PREFIX"] + "ingest"]
    assert database["received_documents"].find_one({"_id": reply.document_id})["customer_email"] == \
        "compta@client.example"
