import cv2
import numpy as np
import pytest

from jefacture_ocr.adapters.ocr_engine import ocr_words
from jefacture_ocr.adapters.page_frame import (
    Quad,
    deskew,
    detect_frame,
    even_lighting,
    frame_as_json,
    frame_of_photo,
    prepare_page,
    skew_degrees,
    straighten,
)
from jefacture_ocr.bench_ocr import invoice_pdf, page_text, render_page, scanned

PHOTO_SIZE = (3000, 4000)  # width, height: a 12 MP phone photo
CORNERS = [[420, 380], [2550, 520], [2700, 3650], [300, 3500]]


@pytest.fixture(scope="module")
def page() -> np.ndarray:
    return render_page(invoice_pdf("FA-2026-00417"))


@pytest.fixture(scope="module")
def photo(page) -> np.ndarray:
    return phone_photo(page, CORNERS)


def phone_photo(page: np.ndarray, corners, background=(70, 60, 50), shadow: bool = False,
                size: tuple[int, int] = PHOTO_SIZE, seed: int = 1) -> np.ndarray:
    """The page lying on a table, photographed from an angle: perspective, a darker side, blur, JPEG artefacts."""
    rng = np.random.default_rng(seed)
    width, height = size
    table = cv2.add(np.full((height, width, 3), background, np.uint8),
                    rng.integers(0, 25, (height, width, 3), dtype=np.uint8))
    page_height, page_width = page.shape[:2]
    source = np.float32([[0, 0], [page_width - 1, 0], [page_width - 1, page_height - 1], [0, page_height - 1]])
    matrix = cv2.getPerspectiveTransform(source, np.float32(corners))
    warped = cv2.warpPerspective(page, matrix, (width, height), flags=cv2.INTER_LINEAR)
    covered = cv2.warpPerspective(np.full((page_height, page_width), 255, np.uint8), matrix, (width, height))
    photo = np.where(covered[..., None] > 0, warped, table).astype(np.float32)
    photo *= np.linspace(0.55, 1.0, width)[None, :, None]  # light comes from the right
    if shadow:
        rows, columns = np.mgrid[0:height, 0:width]
        photo *= np.where(rows + columns < 3500, 0.55, 1.0)[..., None]  # a hand's hard shadow
    photo = cv2.GaussianBlur(np.clip(photo, 0, 255).astype(np.uint8), (5, 5), 1.2)
    _, jpeg = cv2.imencode(".jpg", photo, [cv2.IMWRITE_JPEG_QUALITY, 60])
    return cv2.imdecode(jpeg, cv2.IMREAD_COLOR)


def corner_error(quad: Quad, corners) -> float:
    return float(np.abs(quad.corners() - np.float32(corners)).max())


def test_the_page_corners_are_found_on_a_phone_photo(photo):
    quad = detect_frame(photo)
    assert quad is not None
    assert corner_error(quad, CORNERS) < 25  # pixels, on a 3000×4000 photo


@pytest.mark.parametrize("background, shadow", [((150, 120, 90), False), ((200, 200, 195), False),
                                                ((70, 60, 50), True)], ids=["wood", "pale table", "hard shadow"])
def test_the_corners_are_found_on_other_tables_and_under_a_shadow(page, background, shadow):
    quad = detect_frame(phone_photo(page, CORNERS, background=background, shadow=shadow))
    assert quad is not None and corner_error(quad, CORNERS) < 25


def test_the_frame_is_given_to_the_gateway_as_fractions_of_the_photo(photo):
    quad = detect_frame(photo)
    frame = frame_as_json(quad, *PHOTO_SIZE)
    assert frame["found"] is True and (frame["image_width"], frame["image_height"]) == PHOTO_SIZE
    expected = [[x / PHOTO_SIZE[0], y / PHOTO_SIZE[1]] for x, y in CORNERS]
    assert np.abs(np.array(frame["corners"]) - np.array(expected)).max() < 0.01
    assert frame_as_json(None, 100, 50) == {"found": False, "corners": [], "image_width": 100, "image_height": 50}


def test_a_flat_scan_has_no_frame_even_with_boxes_drawn_on_it(page):
    boxed = page.copy()
    cv2.rectangle(boxed, (120, 600), (1530, 1900), (0, 0, 0), 4)  # a big table frame on the invoice
    assert detect_frame(scanned(page)) is None
    assert detect_frame(boxed) is None


def test_the_straightened_photo_is_an_a4_page_that_ocr_reads(photo):
    flat = straighten(photo, detect_frame(photo))
    assert flat.shape == (2339, 1654)  # gray: even lighting leaves one brightness per pixel
    text = page_text(ocr_words(flat, page=1))
    assert "FA-2026-00417" in text
    assert "6 744,00" in text


def test_a_landscape_page_stays_landscape(page):
    landscape = np.ascontiguousarray(np.rot90(page))
    corners = [[300, 700], [3700, 600], [3800, 2700], [200, 2600]]
    photo = phone_photo(landscape, corners, size=(4000, 3000))
    quad = detect_frame(photo)
    assert quad is not None and corner_error(quad, corners) < 25
    assert straighten(photo, quad).shape == (1654, 2339)


def test_skew_is_measured_and_corrected(page):
    height, width = page.shape[:2]
    tilted = cv2.warpAffine(page, cv2.getRotationMatrix2D((width / 2, height / 2), 2.0, 1.0), (width, height),
                            borderValue=(255, 255, 255))
    assert skew_degrees(tilted) == pytest.approx(-2.0, abs=0.15)
    assert abs(skew_degrees(deskew(tilted))) <= 0.15
    assert deskew(page) is page  # a straight page is left alone


def test_even_lighting_removes_a_shadow(page):
    shaded = (page.astype(np.float32) * np.linspace(0.45, 1.0, page.shape[1])[None, :, None]).astype(np.uint8)
    left_margin, right_margin = (slice(1000, 1400), slice(20, 80)), (slice(1000, 1400), slice(1580, 1640))
    assert shaded[right_margin].mean() - shaded[left_margin].mean() > 100
    even = even_lighting(shaded)
    assert abs(float(even[right_margin].mean()) - float(even[left_margin].mean())) < 10
    assert even[left_margin].mean() > 240


def test_prepare_page_straightens_photos_and_keeps_scans(page, photo):
    flat, quad = prepare_page(photo)
    assert quad is not None and flat.shape == (2339, 1654)
    scan, no_quad = prepare_page(scanned(page))
    assert no_quad is None and scan.shape == page.shape[:2]


def test_even_lighting_keeps_a_dark_header_band_and_its_white_letters(page):
    banded = page.copy()
    banded[40:240, :] = (40, 40, 60)
    cv2.putText(banded, "FACTURE", (100, 190), cv2.FONT_HERSHEY_SIMPLEX, 5, (255, 255, 255), 12)
    even = even_lighting(banded)[40:240]
    letters = cv2.cvtColor(banded[40:240], cv2.COLOR_RGB2GRAY) > 200
    assert np.median(even[~letters]) < 140 and np.median(even[letters]) > 230


def test_the_gateway_gets_the_frame_of_an_uploaded_photo(photo):
    _, jpeg = cv2.imencode(".jpg", photo)
    frame = frame_of_photo(jpeg.tobytes(), "IMG_0001.jpg")
    assert frame["found"] and (frame["image_width"], frame["image_height"]) == PHOTO_SIZE
    assert abs(frame["corners"][0][0] - CORNERS[0][0] / PHOTO_SIZE[0]) < 0.01
