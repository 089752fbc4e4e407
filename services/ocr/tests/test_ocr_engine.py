import ipaddress
import socket

import cv2
import numpy as np
import pytest

from jefacture_ocr.adapters import ocr_engine
from jefacture_ocr.adapters.ocr_engine import (
    ModelMissing,
    _placed_words,
    _proportional_words,
    model_paths,
    ocr_words,
    text_bands,
)
from jefacture_ocr.bench_ocr import invoice_pdf, page_text, render_page, scanned


@pytest.fixture(scope="module")
def scan() -> np.ndarray:
    return scanned(render_page(invoice_pdf("FA-2026-00417")), seed=7)


@pytest.fixture
def no_network(monkeypatch):
    """Any connection or name lookup outside this machine fails the test."""
    attempts = []

    def local_only(host) -> None:
        try:
            if ipaddress.ip_address(host).is_loopback:
                return
        except ValueError:
            if host == "localhost":
                return
        attempts.append(host)
        raise OSError(f"test forbids network access to {host}")

    original_connect, original_getaddrinfo = socket.socket.connect, socket.getaddrinfo

    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            local_only(address[0])
        return original_connect(self, address)

    def getaddrinfo(host, *args, **kwargs):
        local_only(host)
        return original_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return attempts


def test_a_scanned_invoice_is_read_word_by_word_with_positions(scan, no_network, monkeypatch):
    monkeypatch.setattr(ocr_engine, "_engines", {})  # a fresh engine: models are loaded under no_network
    words = ocr_words(scan, page=1)
    text = page_text(words)
    for expected in ("FA-2026-00417", "31/03/2026", "6 744,00", "1 124,00", "FR40542065479", "AGRIFRPP"):
        assert expected in text
    assert no_network == []
    total, = [word for word in words if word.text == "744,00" and word.box.y0 > 0.4]
    assert 0.85 < total.box.x1 <= 1 and total.box.y0 < total.box.y1 < 0.6  # right column, below the table
    number, = [word for word in words if "FA-2026-00417" in word.text]
    assert number.box.x0 > 0.55 and number.box.y1 < 0.25  # top right, where the invoice has it
    assert all(word.page == 1 and 0.5 <= word.confidence <= 1 for word in words)
    assert all(0 <= word.box.x0 < word.box.x1 <= 1 and 0 <= word.box.y0 < word.box.y1 <= 1 for word in words)


def test_an_upside_down_page_is_turned_over_and_read(scan):
    """Lines are not classified one by one (that turned upright ones over); the page's widest lines vote once."""
    gray = cv2.cvtColor(scan, cv2.COLOR_RGB2GRAY)  # what page_frame.prepare_page gives
    words = ocr_words(cv2.rotate(gray, cv2.ROTATE_180), page=1)
    text = page_text(words)
    for expected in ("FA-2026-00417", "6 744,00", "FR40542065479"):
        assert expected in text
    number, = [word for word in words if "FA-2026-00417" in word.text]
    assert number.box.x0 > 0.55 and number.box.y1 < 0.25  # boxes are on the page turned upright


class CountingEngine:
    """The real engine, counting how many times a page is read."""

    def __init__(self, engine):
        self.engine, self.reads = engine, 0

    def __call__(self, image, **options):
        self.reads += 1
        return self.engine(image, **options)

    def __getattr__(self, name):
        return getattr(self.engine, name)


def test_an_upright_page_is_read_once(scan, monkeypatch):
    counting = CountingEngine(ocr_engine.engine())
    monkeypatch.setattr(ocr_engine, "engine", lambda threads=None: counting)
    assert "FA-2026-00417" in page_text(ocr_words(cv2.cvtColor(scan, cv2.COLOR_RGB2GRAY), page=1))
    assert counting.reads == 1


def test_blank_stretches_are_left_out_of_detection_and_words_keep_their_place(scan):
    gray = cv2.cvtColor(scan, cv2.COLOR_RGB2GRAY)
    bands = text_bands(gray)
    assert len(bands) >= 2 and sum(band.bottom - band.top for band in bands) < 0.8 * gray.shape[0]
    assert [band.at for band in bands] == [sum(b.bottom - b.top for b in bands[:n]) for n in range(len(bands))]
    words = ocr_words(gray, page=1)
    iban = [word for word in words if word.text.startswith("FR76")]
    assert iban and 0.85 < iban[0].box.y0 < iban[0].box.y1 < 0.9  # below the skipped blank, where it is printed
    footer = [word for word in words if word.text == "RCS"]
    assert footer and footer[0].box.y0 > 0.93


def test_a_blank_page_has_no_words():
    assert ocr_words(np.full((2339, 1654, 3), 255, np.uint8), page=3) == []
    noise = np.random.default_rng(3).normal(0, 8, (2339, 1654))
    blank_scan = np.clip(245 + noise, 0, 255).astype(np.uint8)  # a scanner's noise on white paper
    assert text_bands(blank_scan) == [] and ocr_words(blank_scan, page=3) == []


def test_the_models_are_the_files_the_wheel_ships():
    names = {task: path.name for task, path in model_paths().items()}
    assert names == {"Det": "PP-OCRv6_det_small.onnx", "Rec": "PP-OCRv6_rec_small.onnx",
                     "Cls": "ch_ppocr_mobile_v2.0_cls_mobile.onnx"}
    assert all(path.stat().st_size > 100_000 for path in model_paths().values())


def test_a_missing_model_is_an_error_not_a_download(tmp_path, no_network):
    """rapidocr's own path to a model it does not have ends in a download: here it ends in ModelMissing."""
    from rapidocr import RapidOCR

    ocr_engine._forbid_downloads()
    engine = RapidOCR(params={"Global.model_root_dir": str(tmp_path), "Global.log_level": "critical"})
    with pytest.raises(ModelMissing, match="rapidocr wanted to download .*OCR models must be local files"):
        engine(np.full((64, 64, 3), 255, np.uint8))
    assert list(tmp_path.iterdir()) == []


def test_a_line_without_word_boxes_is_split_in_proportion():
    line = np.array([[100, 10], [300, 10], [300, 30], [100, 30]], dtype=np.float32)
    words = _proportional_words("Total 1 234,56", 0.9, line)
    assert [text for text, _, _ in words] == ["Total", "1", "234,56"]
    first, _, last = (points for _, _, points in words)
    assert first[0].tolist() == [100, 10] and last[1].tolist() == [300, 10]
    assert first[1][0] == pytest.approx(100 + 200 * 5 / 14)


def square(x0: float, x1: float) -> np.ndarray:
    return np.array([[x0, 10], [x1, 10], [x1, 40], [x0, 40]], dtype=np.float32)


def test_rapidocr_word_boxes_are_kept_where_they_find_a_space_recognition_missed():
    pieces = [("CLINIQUE", 0.9, square(0, 80)), ("BONNET", 0.8, square(95, 160)), ("SARL", 0.9, square(175, 220))]
    words = _placed_words("CLINIQUEBONNET SARL", pieces)
    assert [text for text, _, _ in words] == ["CLINIQUE", "BONNET", "SARL"]
    assert words[1][2][:, 0].min() == 95


def test_word_boxes_that_do_not_spell_the_line_are_not_used():
    assert _placed_words("Total 12", [("Total", 0.9, square(0, 50)), ("13", 0.9, square(60, 80))]) == []
    assert _placed_words("Total 12", [("Total", 0.9, square(0, 50))]) == []
