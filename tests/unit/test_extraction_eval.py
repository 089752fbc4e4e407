"""The extraction evaluation: a deterministic corpus with valid identifiers, distinct layouts, decodable renderings,
and a runner that scores readings right."""
import hashlib
import io
import json
import random
import sys
import textwrap
from dataclasses import replace
from decimal import Decimal

import facturx
import pypdfium2 as pdfium
import pytest
from lxml import etree
from PIL import Image
from schwifty import BIC, IBAN
from stdnum.fr import siren, siret, tva

from jefacture.extraction_eval import imaging, runner
from jefacture.extraction_eval.corpus import (
    DEFAULT_COUNT,
    DEFAULT_SEED,
    build_invoice,
    ensure_corpus,
    layout_for,
    load_document,
    write_document,
)
from jefacture.extraction_eval.einvoice import UBL_INVOICE_NS
from jefacture.extraction_eval.generator import make_invoice
from jefacture.extraction_eval.layouts import LAYOUT_NAMES, UNSEEN_LAYOUTS, render_pdf
from jefacture.extraction_eval.model import TRUTH_FIELDS
from jefacture.extraction_eval.scoring import same_value, same_vat_breakdown
from jefacture_ocr.domain.reading import FIELD_NAMES, Found, Reading, VatLine

from .layout_checks import anchor_positions

CORPUS_SIZE = len(LAYOUT_NAMES)  # one invoice per layout


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("eval")
    return root, ensure_corpus(root, CORPUS_SIZE, DEFAULT_SEED, workers=2)


# -- generator ---------------------------------------------------------------------------------------------------------
def test_the_same_seed_gives_the_same_invoices_and_bytes():
    for index in (1, 2, 6, 10, 14):  # 2, 6, 10 and 14 are drawn in the held-out layouts
        first, second = build_invoice(DEFAULT_SEED, index), build_invoice(DEFAULT_SEED, index)
        assert first == second
        pdf = render_pdf(first)
        assert pdf == render_pdf(second)
        assert imaging.scan(pdf, random.Random(index), as_pdf=False).content == \
            imaging.scan(pdf, random.Random(index), as_pdf=False).content
        assert imaging.photo(pdf, random.Random(index)).content == imaging.photo(pdf, random.Random(index)).content
    assert build_invoice(DEFAULT_SEED, 1) != build_invoice(DEFAULT_SEED + 1, 1)


def test_an_invoices_facts_do_not_depend_on_the_layout_it_is_drawn_in():
    for index in range(1, 41):
        plain, forced = make_invoice(DEFAULT_SEED, index, "classic"), make_invoice(DEFAULT_SEED, index, "x", "Vera")
        assert plain.truth() == forced.truth() and plain.lines == forced.lines and forced.look.font == "Vera"
        assert replace(plain, layout="x", look=forced.look) == forced


def test_the_ground_truth_identifiers_pass_their_checksums_and_the_totals_add_up():
    for index in range(1, 121):
        invoice = build_invoice(DEFAULT_SEED, index)
        truth = invoice.truth()
        assert siren.is_valid(truth["supplier_siren"]) and siret.is_valid(truth["supplier_siret"])
        assert truth["supplier_siret"].startswith(truth["supplier_siren"])
        assert tva.is_valid(truth["supplier_vat"]) and truth["supplier_vat"].endswith(truth["supplier_siren"])
        if truth["customer_siren"]:
            assert siren.is_valid(truth["customer_siren"])
        if truth["customer_vat"]:
            assert tva.is_valid(truth["customer_vat"])
        if truth["iban"]:
            assert IBAN(truth["iban"]).compact == truth["iban"] and truth["iban"].startswith("FR")
            BIC(truth["bic"])  # raises when the BIC is malformed
        total = Decimal(truth["total_excl_tax"]) + Decimal(truth["total_tax"])
        assert total == Decimal(truth["total_incl_tax"])
        assert sum(Decimal(vat["tax"]) for vat in invoice.truth_vat_breakdown()) == Decimal(truth["total_tax"])
        assert 1 <= len(invoice.lines) <= 15
        if invoice.due_date:
            assert invoice.due_date >= invoice.issue_date


def test_the_corpus_has_the_variety_the_issue_asks_for():
    invoices = [build_invoice(DEFAULT_SEED, index) for index in range(1, 201)]
    assert len({invoice.layout for invoice in invoices}) >= 10
    assert {vat.rate for invoice in invoices for vat in invoice.vat_totals} == {Decimal(r) for r in
                                                                               ("20", "10", "5.5", "2.1")}
    assert any(len(invoice.vat_totals) > 1 for invoice in invoices)
    assert 10 <= sum(invoice.document_type == "credit_note" for invoice in invoices) <= 50
    assert {invoice.operation_nature for invoice in invoices} == {"goods", "services", "mixed"}
    for field in ("purchase_order", "delivery", "due_date", "iban", "payment_terms"):
        present = sum(getattr(invoice, field) is not None for invoice in invoices)
        assert 0 < present < len(invoices), field
    assert {invoice.look.font for invoice in invoices} == {"Helvetica", "Times", "Courier", "Vera"}


def test_the_four_blind_layouts_are_held_out_and_the_studied_ones_are_not():
    assert len(LAYOUT_NAMES) == len(set(LAYOUT_NAMES)) == 28
    assert UNSEEN_LAYOUTS == ("utility_bill", "bilingual", "online_billing", "erp_form")
    assert not {"receipt", "footer_band", "two_panel", "delivery_note", "caps_boxes", "accountant", "artisan",
                "fact_sheet", "web_shop", "mirrored", "running_text", "centered", "sidebar"} & set(UNSEEN_LAYOUTS)


def test_the_layouts_share_the_corpus_evenly_and_a_56_invoice_run_reads_each_held_out_one_twice():
    layouts = [layout_for(index) for index in range(1, DEFAULT_COUNT + 1)]
    assert DEFAULT_COUNT >= 200 and set(layouts) == set(LAYOUT_NAMES)
    assert {layouts.count(name) for name in LAYOUT_NAMES} == {10}
    first = [layout_for(index) for index in range(1, 57)]
    assert all(first.count(name) >= 2 for name in UNSEEN_LAYOUTS) and set(first) == set(LAYOUT_NAMES)


# Invoice i of the default seed, summed up: what it says does not change unless GENERATOR_VERSION changes with it,
# or cached corpora would silently hold other invoices than a fresh one.
TRUTH_FINGERPRINT = "5e44419ae71c61b0"


def test_the_invoices_of_the_default_seed_stay_what_they_were():
    truths = [(build_invoice(DEFAULT_SEED, index).layout, build_invoice(DEFAULT_SEED, index).truth())
              for index in range(1, 33)]
    fingerprint = hashlib.sha256(json.dumps(truths, sort_keys=True).encode()).hexdigest()[:16]
    assert fingerprint == TRUTH_FINGERPRINT, "the generator changed: bump GENERATOR_VERSION and this fingerprint"


def test_the_layouts_put_the_same_facts_in_visibly_different_places():
    base = make_invoice(DEFAULT_SEED, 3, "classic", "Helvetica")
    signatures = {}
    for name in LAYOUT_NAMES:
        invoice = replace(base, layout=name)
        anchors = [invoice.number, invoice.customer.name, invoice.customer.address.street,
                   invoice.supplier.address.street, invoice.lines[0].description]
        signatures[name] = anchor_positions(render_pdf(invoice), anchors)
    for first in LAYOUT_NAMES:
        for second in LAYOUT_NAMES:
            if first < second:
                moved = [abs(a[0] - b[0]) + abs(a[1] - b[1]) > 8
                         for a, b in zip(signatures[first], signatures[second], strict=True)]
                assert sum(moved) >= 2, f"{first} and {second} place the facts alike: {signatures[first]}"


# -- the corpus on disk ------------------------------------------------------------------------------------------------
def test_every_kind_is_written_and_decodes(corpus):
    _, documents = corpus
    assert [document.layout for document in documents] == [layout_for(i) for i in range(1, CORPUS_SIZE + 1)]
    assert {document.truth["files"]["scan"].rsplit(".", 1)[1] for document in documents} == {"png", "pdf"}
    for document in documents:
        assert set(document.truth["fields"]) == set(TRUTH_FIELDS) and set(FIELD_NAMES) < set(TRUTH_FIELDS)
        assert _pdf_pages(document.path("born_digital").read_bytes()) == document.page_count
        _check_scan(document)
        _check_photo(document)
        _check_structured(document)


def test_a_multi_page_invoice_is_scanned_and_photographed_page_by_page(tmp_path):
    index = next(i for i in range(1, DEFAULT_COUNT) if _pdf_pages(render_pdf(build_invoice(DEFAULT_SEED, i))) > 1)
    write_document(tmp_path, DEFAULT_SEED, index)
    document = load_document(tmp_path / f"inv-{index:04d}")
    assert document.page_count > 1 and document.path("photo").suffix == ".pdf"
    _check_scan(document)
    _check_photo(document)


def _pdf_pages(content: bytes, must_have_text: bool | None = None) -> int:
    document = pdfium.PdfDocument(content)
    try:
        if must_have_text is not None:
            has_text = any(document[i].get_textpage().count_chars() > 0 for i in range(len(document)))
            assert has_text == must_have_text
        return len(document)
    finally:
        document.close()


def _check_scan(document) -> None:
    content = document.path("scan").read_bytes()
    if document.path("scan").suffix == ".png":
        image = Image.open(io.BytesIO(content))
        image.load()
        assert image.mode == "L" and image.size == (1654, 2339)  # A4 at 200 dpi
    else:
        assert _pdf_pages(content, must_have_text=False) == document.page_count


def _check_photo(document) -> None:
    content = document.path("photo").read_bytes()
    corners = document.truth["photo_corners"]
    assert len(corners) == document.page_count
    if document.page_count == 1:
        image = Image.open(io.BytesIO(content))
        image.load()
        assert image.format == "JPEG" and image.mode == "RGB" and max(image.size) == 2000
    else:
        assert _pdf_pages(content, must_have_text=False) == document.page_count
    for quad in corners:
        assert all(0 <= x <= 1500 and 0 <= y <= 2000 for x, y in quad)


def _check_structured(document) -> None:
    cii = document.path("cii").read_bytes()
    assert facturx.xml_check_xsd(cii, flavor="factur-x", level="en16931")
    _, embedded = facturx.get_xml_from_pdf(document.path("facturx").read_bytes(), check_xsd=True)
    assert embedded == cii
    ubl = etree.fromstring(document.path("ubl").read_bytes())
    namespace = etree.QName(ubl).namespace
    assert namespace == UBL_INVOICE_NS or document.truth["document_type"] == "credit_note"
    ids = ubl.findall("{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}ID")
    assert [element.text for element in ids] == [document.truth["fields"]["invoice_number"]]


def test_the_corpus_is_cached_by_seed(corpus):
    root, documents = corpus
    truth_file = documents[0].directory / "truth.json"
    written = truth_file.stat().st_mtime_ns
    again = ensure_corpus(root, 2, DEFAULT_SEED)
    assert [d.truth for d in again] == [d.truth for d in documents[:2]] and truth_file.stat().st_mtime_ns == written


# -- scoring and running -----------------------------------------------------------------------------------------------
def test_values_compare_after_normalisation():
    assert same_value("total_incl_tax", "1234.50", "1234.5")
    assert not same_value("total_incl_tax", "1234.50", "1234.05")
    assert same_value("supplier_siret", "12345678900012", "123 456 789 00012")
    assert same_value("bic", "BNPAFRPP", "BNPAFRPPXXX") and not same_value("bic", "BNPAFRPP", "BNPAFRPPIFN")
    assert same_value("supplier_name", "Roux Boulangerie SARL", "ROUX  BOULANGERIE SARL")
    assert same_value("delivery_address", "8 rue de la Paix, 14000 Caen", "8 rue de la Paix 14000 Caen")
    assert not same_value("supplier_name", "Roux Boulangerie", "Roux Boulangeries")
    assert not same_value("issue_date", "2026-03-31", None)


def test_a_vat_breakdown_needs_every_rate_and_tax_and_any_base_given_right():
    truth = [{"rate": "20.00", "base": "100.00", "tax": "20.00"}, {"rate": "5.50", "base": "10.00", "tax": "0.55"}]
    assert same_vat_breakdown(truth, [VatLine("5.5", "", "0.55"), VatLine("20", "100", "20.0")])
    assert not same_vat_breakdown(truth, [VatLine("20.00", "100.00", "20.00")])
    assert not same_vat_breakdown(truth, [VatLine("20.00", "99.00", "20.00"), VatLine("5.50", "", "0.55")])
    assert not same_vat_breakdown(truth, [VatLine("20.00", "", "20.00"), VatLine("5.50", "", "0.56")])


def _truth_reading(truth: dict, kind: str) -> Reading:
    fields = {name: Found(value, 0.9) for name, value in truth["fields"].items()
              if value is not None and name in FIELD_NAMES}
    return Reading(kind=kind, document_type=truth["document_type"], fields=fields,
                   vat_breakdown=[VatLine(**vat) for vat in truth["vat_breakdown"]])


def test_the_runner_scores_a_hand_made_reader_field_by_field(corpus):
    _, documents = corpus
    by_content = {hashlib.sha256(d.path(kind).read_bytes()).hexdigest(): d.truth
                  for d in documents for kind in ("born_digital", "cii")}

    def stand_in(content: bytes, filename: str) -> Reading:
        truth = by_content[hashlib.sha256(content).hexdigest()]
        reading = _truth_reading(truth, "pdf_text" if filename.endswith(".pdf") else "cii")
        if filename.endswith(".pdf"):  # the text reader gets the tax wrong, misses the IBAN, invents an order
            reading.fields["total_tax"] = Found("0.01", 0.5)
            reading.fields.pop("iban", None)
            if truth["fields"]["purchase_order"] is None:
                reading.fields["purchase_order"] = Found("PO-1", 0.2)
        return reading

    outcomes = runner.evaluate(documents, ["born_digital", "cii"], stand_in, workers=1)
    summary = runner.summarise(outcomes)
    with_iban = sum(d.truth["fields"]["iban"] is not None for d in documents)
    without_order = sum(d.truth["fields"]["purchase_order"] is None for d in documents)
    assert summary["cii"]["accuracy"] == 1.0 and summary["cii"]["errors"] == 0
    born = summary["born_digital"]
    assert born["fields"]["total_tax"] == {"correct": 0, "total": CORPUS_SIZE, "spurious": 0}
    assert born["fields"]["iban"] == {"correct": 0, "total": with_iban, "spurious": 0}
    assert born["fields"]["purchase_order"]["spurious"] == without_order
    assert born["fields"]["supplier_siret"]["correct"] == CORPUS_SIZE
    first = next(o for o in outcomes if o.kind == "born_digital")
    assert first.wrong["total_tax"] == "0.01" and "supplier_name" not in first.wrong
    scored = sum(sum(1 for name in runner.SCORED if name == "vat_breakdown" or d.truth["fields"][name] is not None)
                 for d in documents)
    assert born["accuracy"] == pytest.approx((scored - CORPUS_SIZE - with_iban) / scored)
    assert born["seconds_per_page"]["p50"] is not None and born["read_as"] == {"pdf_text": CORPUS_SIZE}
    report = runner.format_report(summary)
    assert "total_tax" in report and "NOT MET" in report
    assert f"held out (never seen by the reader's authors): {', '.join(UNSEEN_LAYOUTS)}" in report


def test_ocr_speed_is_judged_on_the_machines_rate_and_the_others_on_one_documents_time():
    summary = {"scan": {"pages": 10, "accuracy": None, "seconds_per_page": {"p50": 2.4, "p95": 3.1}},
               "born_digital": {"pages": 10, "accuracy": None, "seconds_per_page": {"p50": 0.011, "p95": 0.02}}}
    checks = runner.verdicts(runner.with_wall_times(summary, {"scan": 12.0, "born_digital": 0.5}))
    assert [(c["kind"], c["what"], c["measured"], c["met"]) for c in checks] == [
        ("scan", "seconds per page (wall)", 1.2, True), ("born_digital", "seconds per page (p50)", 0.011, True)]


def test_a_reader_that_fails_scores_zero_and_the_run_goes_on(corpus):
    _, documents = corpus

    def broken(content: bytes, filename: str) -> Reading:
        raise ValueError("unreadable: truncated PDF")

    summary = runner.summarise(runner.evaluate(documents[:3], ["born_digital"], broken))
    assert summary["born_digital"]["accuracy"] == 0.0 and summary["born_digital"]["errors"] == 3
    assert summary["born_digital"]["error_examples"] == ["ValueError: unreadable: truncated PDF"]


STAND_IN_MODULE = '''
from jefacture_ocr.domain.reading import Found, Reading


def extract(content: bytes, filename: str) -> Reading:
    """Reads nothing but the currency, and says every document is an invoice."""
    return Reading(kind="ocr", fields={"currency": Found("EUR", 0.5)}, page_count=1)
'''


@pytest.fixture
def stand_in_module(tmp_path, monkeypatch):
    (tmp_path / "eval_stand_in.py").write_text(textwrap.dedent(STAND_IN_MODULE))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "eval_stand_in:extract"
    sys.modules.pop("eval_stand_in", None)


def test_ocr_kinds_run_in_worker_processes(corpus, stand_in_module):
    _, documents = corpus
    outcomes = runner.evaluate(documents, ["scan"], stand_in_module, workers=2)
    assert [o.document for o in outcomes] == [d.id for d in documents]
    for outcome, document in zip(outcomes, documents, strict=True):
        assert outcome.correct["currency"] == (document.truth["fields"]["currency"] == "EUR")
        assert outcome.correct["document_type"] == (document.truth["document_type"] == "invoice")
        assert outcome.correct["supplier_name"] is False and outcome.pages == document.page_count


def test_the_command_prints_the_table_and_writes_results(tmp_path, stand_in_module, capsys):
    code = runner.main(["--out", str(tmp_path), "--count", "2", "--kinds", "cii", "ubl", "--workers", "1",
                        "--extractor", stand_in_module])
    assert code == 0
    printed = capsys.readouterr().out
    assert "currency" in printed and "100.0%" in printed
    results = json.loads((tmp_path / "results.json").read_text())
    assert set(results["kinds"]) == {"cii", "ubl"} and len(results["documents"]) == 4
    assert {check["kind"] for check in results["targets"]} == {"cii", "ubl"}
    assert all(check["met"] is False for check in results["targets"])


def test_a_missing_extractor_stops_with_one_clear_line(tmp_path):
    with pytest.raises(SystemExit, match="cannot load the extractor 'no_such_module:extract'"):
        runner.main(["--out", str(tmp_path), "--count", "1", "--kinds", "cii", "--extractor",
                     "no_such_module:extract"])
