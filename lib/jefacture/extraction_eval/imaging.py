"""Paper copies of a born-digital PDF: a 200-dpi office scan, and a phone photo taken on a desk.

Both start from the PDF rendered with pypdfium2, so the words are where the PDF put them; the randomness comes from
the caller's seeded `random.Random`, so the same invoice gives the same bytes.
"""
import io
import math
import random
import time
from dataclasses import dataclass

import cv2
import numpy as np
import pypdfium2 as pdfium
from PIL import Image

SCAN_DPI = 200
PHOTO_LONG_SIDE = 2000
PHOTO_SHORT_SIDE = 1500
FIXED_DATE = time.gmtime(1_767_225_600)  # 2026-01-01, written in image-only PDFs instead of "now"


@dataclass(frozen=True)
class Capture:
    """An image file of the invoice: its bytes, its extension, and for photos the page corners in each image."""
    content: bytes
    extension: str  # "png", "jpg" or "pdf"
    corners: list[list[list[float]]] | None = None  # per page: top-left, top-right, bottom-right, bottom-left


def render_pages(pdf: bytes, dpi: int = SCAN_DPI, grayscale: bool = False) -> list[np.ndarray]:
    """Each page of the PDF as pixels (H×W gray or H×W×3 RGB)."""
    document = pdfium.PdfDocument(pdf)
    try:
        pages = []
        for index in range(len(document)):
            bitmap = document[index].render(scale=dpi / 72, grayscale=grayscale)
            image = bitmap.to_pil().convert("L" if grayscale else "RGB")
            pages.append(np.asarray(image).copy())
        return pages
    finally:
        document.close()


def scan(pdf: bytes, rng: random.Random, as_pdf: bool) -> Capture:
    """A 200-dpi grayscale scan: the page a little askew (±1°), paper tone and sensor noise; PNG or image-only PDF."""
    noise = np.random.default_rng(rng.getrandbits(64))
    pages = [_scanned(page, rng, noise) for page in render_pages(pdf, SCAN_DPI, grayscale=True)]
    if len(pages) == 1 and not as_pdf:
        return Capture(_png(pages[0]), "png")
    return Capture(_image_pdf(pages, SCAN_DPI, quality=85), "pdf")


def photo(pdf: bytes, rng: random.Random) -> Capture:
    """A phone photo of each page lying on a desk: perspective, shadow, uneven light, blur, JPEG at quality 55–70.

    One page gives a JPEG; several pages give a PDF of one photo per page, as a phone's scanning app makes.
    """
    noise = np.random.default_rng(rng.getrandbits(64))
    quality = rng.randint(55, 70)
    shots, corners = [], []
    for page in render_pages(pdf, SCAN_DPI):
        shot, quad = _photographed(page, rng, noise)
        shots.append(shot)
        corners.append(quad.round(1).tolist())
    if len(shots) == 1:
        return Capture(_jpeg(shots[0], quality), "jpg", corners)
    return Capture(_image_pdf(shots, 200, quality), "pdf", corners)


def _scanned(page: np.ndarray, rng: random.Random, noise: np.random.Generator) -> np.ndarray:
    height, width = page.shape
    turn = cv2.getRotationMatrix2D((width / 2, height / 2), rng.uniform(-1, 1), 1.0)
    image = cv2.warpAffine(page, turn, (width, height), flags=cv2.INTER_LINEAR, borderValue=255).astype(np.float32)
    paper = rng.uniform(232, 248)
    image = image * np.float32(paper / 255) + _gaussian(noise, rng.uniform(3, 7), image.shape)
    return np.clip(image, 0, 255).astype(np.uint8)


def _photographed(page: np.ndarray, rng: random.Random, noise: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    width, height = PHOTO_SHORT_SIDE, PHOTO_LONG_SIDE
    quad = _page_quad(page.shape[1] / page.shape[0], width, height, rng)
    source = np.float32([[0, 0], [page.shape[1], 0], [page.shape[1], page.shape[0]], [0, page.shape[0]]])
    warp = cv2.getPerspectiveTransform(source, quad.astype(np.float32))
    sheet = cv2.warpPerspective(page, warp, (width, height), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.full(page.shape[:2], 255, np.uint8), warp, (width, height))
    mask = mask.astype(np.float32)[..., None] / np.float32(255)
    image = sheet.astype(np.float32) * mask + _desk(width, height, rng, noise) * (1 - mask)
    image *= _lighting(width, height, rng)[..., None] * np.float32(_colour_cast(rng))
    image = cv2.GaussianBlur(image, (0, 0), rng.uniform(0.7, 1.3))
    image += _gaussian(noise, rng.uniform(2, 5), image.shape)
    return np.clip(image, 0, 255).astype(np.uint8), quad


def _page_quad(aspect: float, width: int, height: int, rng: random.Random) -> np.ndarray:
    """Where the page's corners land in the photo: a tilted, foreshortened, off-centre quadrilateral."""
    page_height = height * rng.uniform(0.76, 0.88)
    page_width = page_height * aspect
    centre = np.array([width / 2 + rng.uniform(-0.04, 0.04) * width, height / 2 + rng.uniform(-0.03, 0.03) * height])
    corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], dtype=np.float64) * [page_width / 2, page_height / 2]
    squeeze = rng.uniform(0, 0.06)  # the top edge further from the camera than the bottom one, or the reverse
    corners[:2, 0] *= 1 - squeeze if rng.random() < 0.7 else 1 + squeeze / 2
    angle = math.radians(rng.uniform(-4, 4))
    rotation = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    corners = corners @ rotation.T + centre
    corners += np.array([[rng.uniform(-0.012, 0.012) * width, rng.uniform(-0.012, 0.012) * height]
                         for _ in range(4)])
    return corners


def _desk(width: int, height: int, rng: random.Random, noise: np.random.Generator) -> np.ndarray:
    """A darker textured background: wood grain, or a mottled desk top."""
    base = np.float32(rng.choice(((92, 64, 42), (70, 70, 74), (48, 60, 52), (120, 100, 80), (40, 40, 44))))
    mottle = cv2.resize(noise.normal(0, 1, (12, 9)).astype(np.float32), (width, height),
                        interpolation=cv2.INTER_CUBIC)
    rows = np.arange(height, dtype=np.float32)[:, None]
    grain = np.sin(rows / np.float32(rng.uniform(6, 14)) + mottle * 3) * np.float32(
        rng.uniform(4, 12) if rng.random() < 0.6 else 0)
    texture = mottle * 10 + grain + _gaussian(noise, 6, (height, width))
    return (base[None, None, :] + texture[..., None]).astype(np.float32)


def _lighting(width: int, height: int, rng: random.Random) -> np.ndarray:
    """A light gradient across the frame times a soft shadow (the phone's or the hand's), computed at 1/8 scale."""
    small_width, small_height = width // 8, height // 8
    ys, xs = np.mgrid[0:small_height, 0:small_width].astype(np.float32)
    angle = rng.uniform(0, 2 * math.pi)
    along = xs * math.cos(angle) + ys * math.sin(angle)
    along = (along - along.min()) / (along.max() - along.min())
    low, high = rng.uniform(0.62, 0.82), rng.uniform(0.95, 1.05)
    light = low + (high - low) * along
    shadow = np.zeros((small_height, small_width), np.float32)
    centre = (int(rng.uniform(0.1, 0.9) * small_width), int(rng.uniform(0.1, 0.9) * small_height))
    axes = (int(rng.uniform(0.15, 0.35) * small_width), int(rng.uniform(0.1, 0.25) * small_height))
    cv2.ellipse(shadow, centre, axes, rng.uniform(0, 180), 0, 360, 1.0, -1)
    shadow = cv2.GaussianBlur(shadow, (0, 0), rng.uniform(5, 11))
    small = (light * (1 - rng.uniform(0.2, 0.4) * shadow)).astype(np.float32)
    return cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR)


def _gaussian(noise: np.random.Generator, sigma: float, shape: tuple[int, ...]) -> np.ndarray:
    return noise.standard_normal(shape, dtype=np.float32) * np.float32(sigma)


def _colour_cast(rng: random.Random) -> tuple[float, float, float]:
    return rng.choice(((1.0, 0.97, 0.9), (0.95, 0.98, 1.0), (1.0, 1.0, 0.97), (1.0, 0.95, 0.88)))


def _png(image: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "PNG", optimize=False, dpi=(SCAN_DPI, SCAN_DPI))
    return buffer.getvalue()


def _jpeg(image: np.ndarray, quality: int) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def _image_pdf(images: list[np.ndarray], dpi: int, quality: int) -> bytes:
    """An image-only PDF, one JPEG-compressed image per page and no text layer."""
    buffer = io.BytesIO()
    first, *rest = [Image.fromarray(image) for image in images]
    first.save(buffer, "PDF", save_all=True, append_images=rest, resolution=dpi, quality=quality,
               creationDate=FIXED_DATE, modDate=FIXED_DATE)  # the same bytes on every run
    return buffer.getvalue()
