"""The evaluation corpus on disk: one folder per invoice with every input kind and the ground truth.

    <root>/seed-<seed>-v<version>/inv-0001/truth.json   (written last: its presence means the folder is complete)
                                          born-digital.pdf, scan.png|scan.pdf, photo.jpg|photo.pdf,
                                          facturx.pdf, cii.xml, ubl.xml

Invoice i is built from (seed, i) alone, so the corpus is cached by seed and can grow without changing what exists.
"""
import json
import multiprocessing
import os
import random
import time
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium

from . import einvoice, imaging
from .generator import make_invoice
from .layouts import LAYOUT_NAMES, UNSEEN_LAYOUTS, layout_font, render_pdf
from .model import Invoice

# 5: twenty-eight layouts, 280 invoices; held out: utility_bill, bilingual, online_billing, erp_form
GENERATOR_VERSION = 5
DEFAULT_SEED = 2026
DEFAULT_COUNT = 280  # ten invoices per layout
KINDS = ("born_digital", "scan", "photo", "facturx", "cii", "ubl")
OCR_KINDS = ("scan", "photo")
STRUCTURED_KINDS = ("facturx", "cii", "ubl")


@dataclass(frozen=True)
class Document:
    """One invoice of the corpus: where its files are and what a reader should find in them."""
    id: str
    directory: Path
    truth: dict

    @property
    def layout(self) -> str:
        return self.truth["layout"]

    @property
    def unseen(self) -> bool:
        return self.truth["unseen"]

    @property
    def page_count(self) -> int:
        return self.truth["page_count"]

    def path(self, kind: str) -> Path:
        return self.directory / self.truth["files"][kind]

    def pages(self, kind: str) -> int:
        """Pages the reader has to go through; a structured invoice counts as one (its XML is read once)."""
        return 1 if kind in STRUCTURED_KINDS else self.page_count


def corpus_directory(root: Path, seed: int) -> Path:
    return Path(root) / f"seed-{seed}-v{GENERATOR_VERSION}"


def layout_for(index: int) -> str:
    return LAYOUT_NAMES[index % len(LAYOUT_NAMES)]


def build_invoice(seed: int, index: int) -> Invoice:
    layout = layout_for(index)
    return make_invoice(seed, index, layout, layout_font(layout))


def ensure_corpus(root: Path, count: int = DEFAULT_COUNT, seed: int = DEFAULT_SEED, workers: int = 1,
                  progress=None) -> list[Document]:
    """The first `count` invoices of corpus `seed` under `root`, generating only those not already there."""
    directory = corpus_directory(root, seed)
    directory.mkdir(parents=True, exist_ok=True)
    missing = [index for index in range(1, count + 1) if not (_folder(directory, index) / "truth.json").exists()]
    if missing:
        jobs = [(str(directory), seed, index) for index in missing]
        if workers > 1:
            with multiprocessing.get_context("spawn").Pool(workers) as pool:
                for done, _ in enumerate(pool.imap_unordered(_write_job, jobs), start=1):
                    _tell(progress, done, len(jobs))
        else:
            for done, job in enumerate(jobs, start=1):
                _write_job(job)
                _tell(progress, done, len(jobs))
    return [load_document(_folder(directory, index)) for index in range(1, count + 1)]


def load_document(folder: Path) -> Document:
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    return Document(id=truth["id"], directory=folder, truth=truth)


def write_document(directory: Path, seed: int, index: int) -> dict:
    """Writes every kind of invoice `index` into its folder and returns its ground truth (also saved as JSON)."""
    started = time.perf_counter()
    invoice = build_invoice(seed, index)
    folder = _folder(directory, index)
    folder.mkdir(parents=True, exist_ok=True)
    pdf = render_pdf(invoice)
    scan = imaging.scan(pdf, random.Random(f"{seed}-{index}-scan"), as_pdf=index % 3 != 0)
    photo = imaging.photo(pdf, random.Random(f"{seed}-{index}-photo"))
    cii = einvoice.cii_xml(invoice)
    files = {"born_digital": ("born-digital.pdf", pdf), "scan": (f"scan.{scan.extension}", scan.content),
             "photo": (f"photo.{photo.extension}", photo.content),
             "facturx": ("facturx.pdf", einvoice.facturx_pdf(pdf, cii)), "cii": ("cii.xml", cii),
             "ubl": ("ubl.xml", einvoice.ubl_xml(invoice))}
    for name, content in files.values():
        (folder / name).write_bytes(content)
    truth = truth_record(invoice, seed, page_count=_page_count(pdf))
    truth["files"] = {kind: name for kind, (name, _) in files.items()}
    truth["photo_corners"] = photo.corners
    truth["generation_seconds"] = round(time.perf_counter() - started, 3)
    _write_json_atomically(folder / "truth.json", truth)
    return truth


def truth_record(invoice: Invoice, seed: int, page_count: int) -> dict:
    return {"id": invoice.id, "index": invoice.index, "seed": seed, "generator_version": GENERATOR_VERSION,
            "layout": invoice.layout, "unseen": invoice.layout in UNSEEN_LAYOUTS, "page_count": page_count,
            "document_type": invoice.document_type, "fields": invoice.truth(),
            "vat_breakdown": invoice.truth_vat_breakdown(), "lines": invoice.truth_lines()}


def _page_count(pdf: bytes) -> int:
    document = pdfium.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()


def _write_job(job: tuple[str, int, int]) -> str:
    directory, seed, index = job
    return write_document(Path(directory), seed, index)["id"]


def _folder(directory: Path, index: int) -> Path:
    return directory / f"inv-{index:04d}"


def _write_json_atomically(path: Path, value: dict) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(value, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(temporary, path)


def _tell(progress, done: int, total: int) -> None:
    if progress:
        progress(done, total)
