"""The public API through FastAPI's TestClient, against real identity and ingest processes on FerretDB."""
from datetime import datetime

import pymongo
import pytest
from fastapi.testclient import TestClient

from jefacture.samples import invoice_pdf, sample_invoices
from jefacture.testing import wait_for
from jefacture_gateway.app import create_app

pytestmark = pytest.mark.service

PDF = invoice_pdf(sample_invoices(1)[0])
LIMIT = 20_000


@pytest.fixture
def backends(platform):
    platform.start(["identity-grpc", "ingest", "ingest-grpc"])
    return platform


@pytest.fixture
def gateway(backends, platform_env, monkeypatch):
    def make(**env) -> TestClient:
        for key, value in {**platform_env, "MAX_UPLOAD_BYTES": str(LIMIT), **env}.items():
            monkeypatch.setenv(key, value)
        return TestClient(create_app())

    return make


@pytest.fixture
def client(gateway):
    return gateway()


@pytest.fixture
def received_documents(platform_env):
    client = pymongo.MongoClient(platform_env["MONGO_URI"])
    yield client[platform_env["MONGO_DB_PREFIX"] + "ingest"]["received_documents"]
    client.close()


@pytest.fixture
def dossier(client):
    return client.post("/dossiers", json={"name": "Boulangerie Martin SARL", "siren": "732829320"}).json()


def upload(client, dossier_id, content, filename="facture.pdf", **fields):
    return client.post(f"/dossiers/{dossier_id}/invoices", files={"file": (filename, content, "application/pdf")},
                       data=fields)


def assert_nothing_stored(received_documents, platform):
    assert received_documents.count_documents({}) == 0
    assert not (platform.var_dir / "blobs").exists()


def test_a_dossier_is_created_and_read_back(client):
    created = client.post("/dossiers", json={"name": " Boulangerie Martin SARL ", "siren": "732 829 320"})

    assert created.status_code == 201
    body = created.json()
    assert (body["name"], body["siren"]) == ("Boulangerie Martin SARL", "732829320")
    read = client.get(f"/dossiers/{body['dossier_id']}")
    assert read.status_code == 200 and read.json() == body
    assert read.headers["x-request-id"]


def test_a_bad_siren_is_a_422_naming_it(client):
    response = client.post("/dossiers", json={"name": "Martin", "siren": "732829321"})

    assert response.status_code == 422
    assert response.json() == {"error": "siren '732829321' is not a valid SIREN: its check digit is wrong (Luhn)"}


def test_a_missing_field_is_a_422_naming_it(client):
    response = client.post("/dossiers", json={"name": "Martin"})

    assert response.status_code == 422
    assert response.json() == {"error": "body field 'siren' is required"}


def test_a_second_dossier_for_a_siren_is_a_409_giving_the_existing_one(client, dossier):
    response = client.post("/dossiers", json={"name": "Martin bis", "siren": "732829320"})

    assert response.status_code == 409
    assert response.json() == {"error": f"a dossier already exists for SIREN 732829320: {dossier['dossier_id']}",
                               "dossier_id": dossier["dossier_id"]}


def test_an_unknown_dossier_is_a_404(client):
    response = client.get("/dossiers/no-such-dossier")

    assert response.status_code == 404
    assert response.json() == {"error": "no dossier has the id 'no-such-dossier'"}


def test_an_invoice_is_taken_in_once_and_the_same_bytes_again_are_a_duplicate(client, dossier, received_documents):
    first = upload(client, dossier["dossier_id"], PDF, direction="sale")
    again = upload(client, dossier["dossier_id"], PDF, filename="copie.pdf")

    assert first.status_code == 201 and first.json()["duplicate"] is False
    assert again.status_code == 200 and again.json() == {**first.json(), "duplicate": True}
    stored = received_documents.find_one({"_id": first.json()["document_id"]})
    assert (stored["dossier_id"], stored["direction"], stored["filename"], stored["sha256"]) == (
        dossier["dossier_id"], "sale", "facture.pdf", first.json()["sha256"])
    assert received_documents.count_documents({}) == 1


def test_a_large_invoice_goes_to_ingest_in_several_chunks_intact(gateway, received_documents, platform):
    client = gateway(MAX_UPLOAD_BYTES=str(3 * 1024 * 1024))
    dossier_id = client.post("/dossiers", json={"name": "Martin", "siren": "732829320"}).json()["dossier_id"]
    content = PDF + b"%" + bytes(range(256)) * (9 * 1024)  # ≈2.3 MiB: three chunks

    response = upload(client, dossier_id, content)

    assert response.status_code == 201
    sha256 = response.json()["sha256"]
    assert (platform.var_dir / "blobs" / sha256[:2] / sha256[2:4] / sha256).read_bytes() == content


@pytest.mark.parametrize("content, status, message", [
    (b"GIF89a this is no invoice", 415, "'facture.pdf' is not a PDF"),
    (b"", 400, "'facture.pdf' is empty"),
    (b"%PDF-1.4\n" + b"0" * LIMIT, 413, f"'facture.pdf' is over the upload limit of {LIMIT} bytes"),
])
def test_a_refused_invoice_says_why_and_nothing_is_stored(client, dossier, content, status, message,
                                                          received_documents, platform):
    response = upload(client, dossier["dossier_id"], content)

    assert response.status_code == status
    assert response.json()["error"].startswith(message)
    assert_nothing_stored(received_documents, platform)


def test_an_invoice_for_an_unknown_dossier_is_a_404_and_nothing_is_stored(client, received_documents, platform):
    response = upload(client, "no-such-dossier", PDF)

    assert response.status_code == 404
    assert response.json() == {"error": "no dossier has the id 'no-such-dossier'"}
    assert_nothing_stored(received_documents, platform)


def test_a_bad_direction_is_a_422_and_nothing_is_stored(client, dossier, received_documents, platform):
    response = upload(client, dossier["dossier_id"], PDF, direction="sideways")

    assert response.status_code == 422
    assert response.json() == {"error": "form field 'direction' must be 'purchase' or 'sale', not 'sideways'"}
    assert_nothing_stored(received_documents, platform)


def test_an_upload_without_a_file_is_a_422(client, dossier):
    response = client.post(f"/dossiers/{dossier['dossier_id']}/invoices", files={"other": ("x.pdf", PDF)})

    assert response.status_code == 422
    assert response.json() == {"error": "the form has a file part named 'other': attach the document as 'file'"}


def test_an_uploaded_invoice_shows_in_its_timeline_and_the_dossier_stats(client, dossier, backends):
    backends.start(["reporting", "reporting-grpc", "seal-vault-grpc"])
    document_id = upload(client, dossier["dossier_id"], PDF).json()["document_id"]

    invoice = wait_for(lambda: (r := client.get(f"/invoices/{document_id}")).status_code == 200 and r.json(),
                       what="the invoice in reporting's timeline")

    assert {key: invoice[key] for key in ("document_id", "dossier_id", "direction", "state", "filename")} == {
        "document_id": document_id, "dossier_id": dossier["dossier_id"], "direction": "purchase",
        "state": "received", "filename": "facture.pdf"}
    [entry] = invoice["history"]
    assert (entry["event_type"], entry["producer"]) == ("InvoiceReceived", "ingest")
    assert datetime.fromisoformat(entry["occurred_at"]).tzinfo is not None
    stats = client.get(f"/dossiers/{dossier['dossier_id']}/stats")
    assert stats.status_code == 200
    assert stats.json() == {"dossier_id": dossier["dossier_id"], "invoices_by_state": {"received": 1}}
    assert client.get("/readyz").json() == {"status": "ready", "backends": {
        "identity": "SERVING", "ingest": "SERVING", "reporting": "SERVING", "seal-vault": "SERVING"}}


def test_an_unknown_invoice_is_a_404(client, backends):
    backends.start(["reporting-grpc"])

    response = client.get("/invoices/no-such-document")

    assert response.status_code == 404
    assert response.json() == {"error": "no invoice 'no-such-document'"}


def test_reporting_down_is_a_503_with_a_clear_message(client):
    for path in ("/invoices/some-document", "/dossiers/some-dossier/stats"):
        response = client.get(path)
        assert response.status_code == 503
        assert response.json()["error"].startswith("the reporting service is unavailable right now")


def test_readiness_names_the_backend_that_is_down(client):
    assert client.get("/healthz").status_code == 200

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["backends"] == {"identity": "SERVING", "ingest": "SERVING", "reporting": "UNAVAILABLE",
                                           "seal-vault": "UNAVAILABLE"}
    assert response.json()["error"] == "not ready: reporting, seal-vault are down"


def test_identity_down_is_a_503_not_a_traceback(client, backends):
    backends.stop(["identity-grpc"])

    response = client.post("/dossiers", json={"name": "Martin", "siren": "732829320"})

    assert response.status_code == 503
    assert response.json() == {"error": "the identity service is unavailable right now (UNAVAILABLE); try again later"}


def test_metrics_count_requests_by_route_and_status(client):
    client.get("/dossiers/no-such-dossier")

    metrics = client.get("/metrics").text

    assert 'jefacture_http_requests_total{method="GET",route="/dossiers/{dossier_id}",status="404"}' in metrics
    assert 'jefacture_http_request_seconds_count{method="GET",route="/dossiers/{dossier_id}",status="404"}' in metrics


def test_the_openapi_description_lists_every_endpoint_with_its_models(client):
    spec = client.get("/openapi.json").json()

    assert {"/dossiers", "/dossiers/{dossier_id}", "/dossiers/{dossier_id}/invoices", "/invoices/{document_id}",
            "/dossiers/{dossier_id}/stats", "/healthz", "/readyz"} <= set(spec["paths"])
    upload_op = spec["paths"]["/dossiers/{dossier_id}/invoices"]["post"]
    assert "multipart/form-data" in upload_op["requestBody"]["content"]
    assert upload_op["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith("UploadReceipt")
