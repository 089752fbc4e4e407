"""The public API through FastAPI's TestClient, against real identity and ingest processes on FerretDB; the dossier
is opened through the onboarding flow (OpenID login, form, activation e-mail) and used with its bearer token."""
from datetime import datetime

import pymongo
import pytest
from fastapi.testclient import TestClient

from jefacture import onboarding
from jefacture.onboarding import bearer
from jefacture.samples import invoice_pdf, sample_invoices
from jefacture.testing import wait_for
from jefacture_gateway.app import create_app

pytestmark = pytest.mark.service

PDF = invoice_pdf(sample_invoices(1)[0])
LIMIT = 20_000
SIREN, OTHER_SIREN = "732829320", "552100554"
REPRESENTATIVE, OTHER_REPRESENTATIVE = "gerant@boulangerie-martin.example", "gerant@fournitures-dupont.example"


@pytest.fixture
def backends(platform):
    platform.start(["smtp-sink", "oidc", "sirene", "identity-grpc", "ingest", "ingest-grpc"])
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
def mailbox(platform_env):
    return onboarding.Mailbox(platform_env["MAIL_HTTP_ADDRESS"])


@pytest.fixture
def firm(client):
    return onboarding.open_firm(client, *onboarding.DEMO_FIRM_ADMIN, onboarding.DEMO_CABINET_SIREN)


@pytest.fixture
def active(client, firm, mailbox):
    """(dossier, headers): an active dossier and its representative's bearer token."""
    dossier, session = onboarding.open_active_dossier(client, firm, mailbox, "732 829 320", REPRESENTATIVE)
    return dossier, bearer(session)


@pytest.fixture
def dossier(active):
    return active[0]


@pytest.fixture
def auth(active):
    return active[1]


@pytest.fixture
def received_documents(platform_env):
    client = pymongo.MongoClient(platform_env["MONGO_URI"])
    yield client[platform_env["MONGO_DB_PREFIX"] + "ingest"]["received_documents"]
    client.close()


def upload(client, dossier_id, content, auth, filename="facture.pdf", **fields):
    return client.post(f"/dossiers/{dossier_id}/invoices", files={"file": (filename, content, "application/pdf")},
                       data=fields, headers=auth)


def new_dossier(client, firm, siren="518762091"):
    return client.post(f"/firms/{firm.firm_id}/dossiers", headers=bearer(firm.admin),
                       json=onboarding.dossier_form(siren, "gerant@example.org"))


def assert_nothing_stored(received_documents, platform):
    assert received_documents.count_documents({}) == 0
    assert not (platform.var_dir / "blobs").exists()


def test_the_active_dossier_is_filled_from_sirene_and_read_back_by_its_representative(client, dossier, auth):
    assert (dossier["name"], dossier["siren"]) == ("BOULANGERIE MARTIN", SIREN)

    read = client.get(f"/dossiers/{dossier['dossier_id']}", headers=auth)

    assert read.status_code == 200 and read.headers["x-request-id"]
    assert {key: read.json()[key] for key in ("dossier_id", "name", "siren", "firm_id", "status")} == {
        **{key: dossier[key] for key in ("dossier_id", "name", "siren", "firm_id")}, "status": "active"}
    [mine] = client.get("/me", headers=auth).json()["dossiers"]
    assert mine["dossier_id"] == dossier["dossier_id"] and "invoices.upload" in mine["permissions"]


def test_a_bad_siren_is_a_422_naming_it(client, firm):
    response = new_dossier(client, firm, siren="732829321")

    assert response.status_code == 422
    assert {"field": "siren", "reason": "siren '732829321' is not a valid SIREN: its check digit is wrong (Luhn)"} in \
        response.json()["problems"]


def test_a_missing_field_is_a_422_naming_it(client, firm):
    form = onboarding.dossier_form("518762091", "gerant@example.org")
    del form["representative_email"]

    response = client.post(f"/firms/{firm.firm_id}/dossiers", headers=bearer(firm.admin), json=form)

    assert response.status_code == 422
    assert [p["field"] for p in response.json()["problems"]] == ["representative_email"]


def test_a_second_dossier_for_a_siren_is_a_409_giving_the_existing_one(client, firm, dossier):
    response = new_dossier(client, firm, siren=SIREN)

    assert response.status_code == 409
    assert response.json()["dossier_id"] == dossier["dossier_id"]
    assert SIREN in response.json()["error"]


def test_an_unknown_dossier_is_a_404(client, auth):
    response = client.get("/dossiers/no-such-dossier", headers=auth)

    assert response.status_code == 404
    assert response.json() == {"error": "no dossier has the id 'no-such-dossier'"}


def test_an_invoice_is_taken_in_once_and_the_same_bytes_again_are_a_duplicate(client, dossier, auth,
                                                                               received_documents):
    first = upload(client, dossier["dossier_id"], PDF, auth, direction="sale")
    again = upload(client, dossier["dossier_id"], PDF, auth, filename="copie.pdf")

    assert first.status_code == 201 and first.json()["duplicate"] is False
    assert again.status_code == 200 and again.json() == {**first.json(), "duplicate": True}
    stored = received_documents.find_one({"_id": first.json()["document_id"]})
    assert (stored["dossier_id"], stored["direction"], stored["filename"], stored["sha256"]) == (
        dossier["dossier_id"], "sale", "facture.pdf", first.json()["sha256"])
    assert received_documents.count_documents({}) == 1


def test_a_large_invoice_goes_to_ingest_in_several_chunks_intact(gateway, firm, mailbox, platform):
    client = gateway(MAX_UPLOAD_BYTES=str(3 * 1024 * 1024))
    dossier, session = onboarding.open_active_dossier(client, firm, mailbox, SIREN, REPRESENTATIVE)
    content = PDF + b"%" + bytes(range(256)) * (9 * 1024)  # ≈2.3 MiB: three chunks

    response = upload(client, dossier["dossier_id"], content, bearer(session))

    assert response.status_code == 201
    sha256 = response.json()["sha256"]
    assert (platform.var_dir / "blobs" / sha256[:2] / sha256[2:4] / sha256).read_bytes() == content


@pytest.mark.parametrize("content, status, message", [
    (b"GIF89a this is no invoice", 415, "'facture.pdf' is not a PDF, a JPEG, PNG or HEIC image, or an e-invoice"),
    (b"", 400, "'facture.pdf' is empty"),
    (b"%PDF-1.4\n" + b"0" * LIMIT, 413, f"'facture.pdf' is over the upload limit of {LIMIT} bytes"),
])
def test_a_refused_invoice_says_why_and_nothing_is_stored(client, dossier, auth, content, status, message,
                                                          received_documents, platform):
    response = upload(client, dossier["dossier_id"], content, auth)

    assert response.status_code == status
    assert response.json()["error"].startswith(message)
    assert_nothing_stored(received_documents, platform)


def test_an_invoice_for_an_unknown_dossier_is_a_404_and_nothing_is_stored(client, auth, received_documents,
                                                                          platform):
    response = upload(client, "no-such-dossier", PDF, auth)

    assert response.status_code == 404
    assert response.json() == {"error": "no dossier has the id 'no-such-dossier'"}
    assert_nothing_stored(received_documents, platform)


def test_an_upload_without_a_token_is_a_401_and_nothing_is_stored(client, dossier, received_documents, platform):
    response = upload(client, dossier["dossier_id"], PDF, {})

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "Authorization: Bearer" in response.json()["error"]
    assert_nothing_stored(received_documents, platform)


def test_the_user_of_another_dossier_gets_a_404_as_if_it_did_not_exist(client, firm, mailbox, dossier,
                                                                       received_documents):
    other, session = onboarding.open_active_dossier(client, firm, mailbox, OTHER_SIREN, OTHER_REPRESENTATIVE)
    assert upload(client, other["dossier_id"], PDF, bearer(session)).status_code == 201

    response = upload(client, dossier["dossier_id"], PDF, bearer(session), filename="intrus.pdf")

    assert response.status_code == 404
    assert response.json() == {"error": f"no dossier has the id {dossier['dossier_id']!r}"}
    assert received_documents.count_documents({"dossier_id": dossier["dossier_id"]}) == 0


def test_a_bad_direction_is_a_422_and_nothing_is_stored(client, dossier, auth, received_documents, platform):
    response = upload(client, dossier["dossier_id"], PDF, auth, direction="sideways")

    assert response.status_code == 422
    assert response.json() == {"error": "form field 'direction' must be 'purchase' or 'sale', not 'sideways'"}
    assert_nothing_stored(received_documents, platform)


def test_an_upload_without_a_file_is_a_422(client, dossier, auth):
    response = client.post(f"/dossiers/{dossier['dossier_id']}/invoices", files={"other": ("x.pdf", PDF)},
                           headers=auth)

    assert response.status_code == 422
    assert response.json() == {"error": "the form has a file part named 'other': attach the document as 'file'"}


def test_an_uploaded_invoice_shows_in_its_timeline_and_the_dossier_stats(client, dossier, auth, backends):
    backends.start(["reporting", "reporting-grpc", "seal-vault-grpc", "validation-grpc", "routing-grpc"])
    document_id = upload(client, dossier["dossier_id"], PDF, auth).json()["document_id"]

    invoice = wait_for(lambda: (r := client.get(f"/invoices/{document_id}", headers=auth)).status_code == 200
                       and r.json(), what="the invoice in reporting's timeline")

    assert {key: invoice[key] for key in ("document_id", "dossier_id", "direction", "state", "filename")} == {
        "document_id": document_id, "dossier_id": dossier["dossier_id"], "direction": "purchase",
        "state": "received", "filename": "facture.pdf"}
    [entry] = invoice["history"]
    assert (entry["event_type"], entry["producer"]) == ("InvoiceReceived", "ingest")
    assert datetime.fromisoformat(entry["occurred_at"]).tzinfo is not None
    stats = client.get(f"/dossiers/{dossier['dossier_id']}/stats", headers=auth)
    assert stats.status_code == 200
    assert stats.json() == {"dossier_id": dossier["dossier_id"], "invoices_by_state": {"received": 1}}
    assert client.get("/readyz").json() == {"status": "ready", "backends": {
        "identity": "SERVING", "ingest": "SERVING", "reporting": "SERVING", "seal-vault": "SERVING",
        "validation": "SERVING", "routing": "SERVING"}}


def test_an_unknown_invoice_is_a_404(client, auth, backends):
    backends.start(["reporting-grpc"])

    response = client.get("/invoices/no-such-document", headers=auth)

    assert response.status_code == 404
    assert response.json() == {"error": "no invoice has the id 'no-such-document'"}


def test_reporting_down_is_a_503_with_a_clear_message(client, dossier, auth):
    for path in ("/invoices/some-document", f"/dossiers/{dossier['dossier_id']}/stats"):
        response = client.get(path, headers=auth)
        assert response.status_code == 503
        assert response.json()["error"].startswith("the reporting service is unavailable right now")


def test_readiness_names_the_backend_that_is_down(client):
    assert client.get("/healthz").status_code == 200

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["backends"] == {"identity": "SERVING", "ingest": "SERVING", "reporting": "UNAVAILABLE",
                                           "seal-vault": "UNAVAILABLE", "validation": "UNAVAILABLE",
                                           "routing": "UNAVAILABLE"}
    assert response.json()["error"] == "not ready: reporting, seal-vault, validation, routing are down"


def test_identity_down_is_a_503_not_a_traceback_and_nothing_is_stored(client, dossier, auth, backends,
                                                                      received_documents):
    backends.stop(["identity-grpc"])

    response = upload(client, dossier["dossier_id"], PDF, auth)

    assert response.status_code == 503
    assert response.json() == {"error": "the identity service is unavailable right now (UNAVAILABLE); try again later"}
    assert received_documents.count_documents({}) == 0


def test_metrics_count_requests_by_route_and_status(client, auth):
    client.get("/dossiers/no-such-dossier", headers=auth)
    client.get("/dossiers/no-such-dossier")

    metrics = client.get("/metrics").text

    assert 'jefacture_http_requests_total{method="GET",route="/dossiers/{dossier_id}",status="404"}' in metrics
    assert 'jefacture_http_request_seconds_count{method="GET",route="/dossiers/{dossier_id}",status="404"}' in metrics
    assert 'jefacture_http_requests_total{method="GET",route="/dossiers/{dossier_id}",status="401"}' in metrics


def test_the_openapi_description_lists_every_endpoint_with_its_models(client):
    spec = client.get("/openapi.json").json()

    assert "/dossiers" not in spec["paths"]
    assert {"/firms/{firm_id}/dossiers", "/dossiers/{dossier_id}", "/dossiers/{dossier_id}/activate",
            "/dossiers/{dossier_id}/invoices", "/invoices/{document_id}", "/dossiers/{dossier_id}/stats",
            "/auth/login", "/auth/firm/login", "/healthz", "/readyz"} <= set(spec["paths"])
    upload_op = spec["paths"]["/dossiers/{dossier_id}/invoices"]["post"]
    assert "multipart/form-data" in upload_op["requestBody"]["content"]
    assert upload_op["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith("UploadReceipt")
    assert {"401", "404"} <= set(upload_op["responses"])


def test_the_photo_frame_of_a_phone_photo_is_found_and_nothing_is_stored(gateway, dossier, auth, received_documents,
                                                                          platform):
    import cv2
    import numpy as np

    from jefacture_ocr.tests.test_images import render_page
    from jefacture_ocr.tests.test_page_frame import CORNERS, PHOTO_SIZE, phone_photo

    client = gateway(MAX_UPLOAD_BYTES=str(20_000_000))
    photo = phone_photo(render_page(PDF), CORNERS)
    _, jpeg = cv2.imencode(".jpg", photo, [cv2.IMWRITE_JPEG_QUALITY, 85])
    reply = client.post(f"/dossiers/{dossier['dossier_id']}/photo-frame", headers=auth,
                        files={"file": ("photo.jpg", jpeg.tobytes(), "image/jpeg")})
    assert reply.status_code == 200, reply.text
    frame = reply.json()
    assert frame["found"] and (frame["image_width"], frame["image_height"]) == PHOTO_SIZE
    expected = [[x / PHOTO_SIZE[0], y / PHOTO_SIZE[1]] for x, y in CORNERS]
    found = np.array(frame["corners"])
    assert found.shape == (4, 2) and np.abs(found - np.array(expected)).max() < 0.02

    refused = client.post(f"/dossiers/{dossier['dossier_id']}/photo-frame", headers=auth,
                          files={"file": ("notes.txt", b"just words", "text/plain")})
    assert refused.status_code == 400 and "notes.txt" in refused.json()["error"]
    assert client.post(f"/dossiers/{dossier['dossier_id']}/photo-frame",
                       files={"file": ("photo.jpg", jpeg.tobytes(), "image/jpeg")}).status_code == 401
    assert_nothing_stored(received_documents, platform)


def test_the_dossier_settings_are_read_by_its_users_and_changed_by_the_firm(client, firm, dossier, auth):
    path = f"/dossiers/{dossier['dossier_id']}/settings"
    defaults = {"dossier_id": dossier["dossier_id"], "auto_accept": True, "payment_button": True,
                "payment_link_days": 30, "after_payment_url": ""}
    assert client.get(path, headers=auth).json() == defaults
    chosen = {"auto_accept": False, "payment_button": False, "payment_link_days": 60,
              "after_payment_url": "https://boulangerie-martin.example/merci"}

    refused = client.put(path, headers=auth, json=chosen)
    changed = client.put(path, headers=bearer(firm.admin), json=chosen)

    assert refused.status_code == 403 and "dossier.manage" in refused.json()["error"]
    assert changed.status_code == 200 and changed.json() == {"dossier_id": dossier["dossier_id"], **chosen}
    assert client.get(path, headers=auth).json() == changed.json()
    assert client.get("/dossiers/no-such-dossier/settings", headers=auth).status_code == 404


def test_wrong_dossier_settings_are_a_422_field_by_field_and_change_nothing(client, firm, dossier, auth):
    path = f"/dossiers/{dossier['dossier_id']}/settings"

    wrong = client.put(path, headers=bearer(firm.admin), json={
        "auto_accept": False, "payment_button": True, "payment_link_days": 0, "after_payment_url": "merci.html"})
    incomplete = client.put(path, headers=bearer(firm.admin), json={"auto_accept": False})

    assert wrong.status_code == 422
    assert [problem["field"] for problem in wrong.json()["problems"]] == ["payment_link_days", "after_payment_url"]
    assert "between 1 and 366 days, not 0" in wrong.json()["error"]
    assert incomplete.status_code == 422 and "body field 'payment_button' is required" in incomplete.json()["error"]
    assert client.get(path, headers=auth).json()["auto_accept"] is True


def test_a_sales_invoice_carries_its_customer_e_mail_into_invoice_received(client, dossier, auth, capture,
                                                                            received_documents):
    received = capture(("ingest", "InvoiceReceived"))

    response = upload(client, dossier["dossier_id"], PDF, auth, direction="sale",
                      customer_email=" Compta@Client-Dupont.EXAMPLE ")

    assert response.status_code == 201
    document_id = response.json()["document_id"]
    [event] = received.wait_for(lambda e: e["correlation_id"] == document_id)
    assert event["invoice_received"]["customer_email"] == "Compta@client-dupont.example"
    assert received_documents.find_one({"_id": document_id})["customer_email"] == "Compta@client-dupont.example"


@pytest.mark.parametrize("direction, customer_email, message", [
    ("sale", "compta-at-client.example",
     "form field 'customer_email' 'compta-at-client.example' is not a valid e-mail address: "
     "An email address must have an @-sign."),
    ("purchase", "compta@client.example", "form field 'customer_email' goes only with a sales invoice"),
])
def test_a_wrong_customer_e_mail_is_a_422_and_nothing_is_stored(client, dossier, auth, direction, customer_email,
                                                                message, received_documents, platform):
    response = upload(client, dossier["dossier_id"], PDF, auth, direction=direction, customer_email=customer_email)

    assert response.status_code == 422
    assert response.json()["error"].startswith(message)
    assert_nothing_stored(received_documents, platform)
