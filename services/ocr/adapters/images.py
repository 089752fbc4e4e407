"""Pages to OCR, as pixels: photos and scans (JPEG, PNG, HEIC, TIFF, WebP) and image-only PDF pages.

Every page comes out as an RGB array (height × width × 3, uint8), never larger than the limits below, so that a
hostile file cannot make us allocate gigabytes:
- images whose header announces more pixels than Pillow's decompression-bomb limit (≈179 MP, e.g. 20000×20000)
  are refused before any pixel is decoded; JPEGs are decoded already reduced (DCT scaling) to about
  `max_side` pixels, and any image that would still decode to more than `max_pixels` is refused;
- PDF pages are rendered at 200 dpi, lower when that would exceed `max_pixels` (a 5 m wide page gets fewer dpi);
- a PDF with more than `max_pages` pages is refused after reading its page count only.
Every refusal is an UnreadableDocument with a one-line reason that names the file.
"""
import io
import os
import warnings
from dataclasses import dataclass

import numpy as np
import pypdfium2
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from ..domain.reading import UnreadableDocument

try:  # HEIC/HEIF photos (iPhones); optional, the other formats work without it
    import pillow_heif

    pillow_heif.register_heif_opener()
    HEIF_FORMATS = ("HEIF",)
except ImportError:  # pragma: no cover - pillow-heif is a declared dependency
    HEIF_FORMATS = ()

IMAGE_FORMATS = ("JPEG", "PNG", "TIFF", "WEBP", "BMP", *HEIF_FORMATS)  # JPEG includes MPO (some phones)
MULTI_PAGE_FORMATS = ("TIFF",)  # other formats' extra frames are previews or depth maps, not pages
OCR_DPI = 200


@dataclass(frozen=True)
class PageLimits:
    max_pages: int = 50
    max_pixels: int = 60_000_000  # per decoded page; a 200-dpi A4 page is 3.9 MP
    max_side: int = 4000  # larger photos are scaled down; OCR reads A4 at 200 dpi (2339 px)

    @classmethod
    def from_env(cls) -> "PageLimits":
        return cls(max_pages=int(os.environ.get("OCR_MAX_PAGES", cls.max_pages)),
                   max_pixels=int(os.environ.get("OCR_MAX_PIXELS", cls.max_pixels)),
                   max_side=int(os.environ.get("OCR_MAX_SIDE", cls.max_side)))


def is_pdf(content: bytes) -> bool:
    return b"%PDF-" in content[:1024]


def page_count_of(content: bytes, filename: str, limits: PageLimits | None = None) -> int:
    """How many pages the document has; refuses empty, encrypted, unreadable and too long documents (fast:
    nothing is rendered or decoded)."""
    limits = limits or PageLimits.from_env()
    _refuse_empty(content, filename)
    if is_pdf(content):
        pdf = open_pdf(content, filename)
        try:
            count = len(pdf)
        finally:
            pdf.close()
    else:
        with _open_image(content, filename) as image:
            count = getattr(image, "n_frames", 1) if image.format in MULTI_PAGE_FORMATS else 1
    if count == 0:
        raise UnreadableDocument(f"{filename} has no page")
    if count > limits.max_pages:
        raise UnreadableDocument(f"{filename} has {count} pages, more than the {limits.max_pages} pages OCR reads")
    return count


def page_image(content: bytes, filename: str, index: int, limits: PageLimits | None = None) -> np.ndarray:
    """Page `index` (0-based) as an RGB array."""
    limits = limits or PageLimits.from_env()
    _refuse_empty(content, filename)
    if is_pdf(content):
        return _pdf_page(content, filename, index, limits)
    return _image_frame(content, filename, index, limits)


def pages_of(content: bytes, filename: str, limits: PageLimits | None = None) -> list[np.ndarray]:
    """Every page as an RGB array. Holds all pages in memory: the OCR pool renders one page per task instead."""
    limits = limits or PageLimits.from_env()
    count = page_count_of(content, filename, limits)
    return [page_image(content, filename, index, limits) for index in range(count)]


def _refuse_empty(content: bytes, filename: str) -> None:
    if not content:
        raise UnreadableDocument(f"{filename} is empty (0 bytes)")


def open_pdf(content: bytes, filename: str) -> pypdfium2.PdfDocument:
    if not content:
        raise UnreadableDocument(f"{filename} is empty (0 bytes)")
    try:
        return pypdfium2.PdfDocument(content)
    except pypdfium2.PdfiumError as error:
        if "password" in str(error).lower():
            raise UnreadableDocument(f"{filename} is a PDF protected by a password; send it without one") from None
        raise UnreadableDocument(f"{filename} is not a readable PDF (damaged or truncated): {error}") from None


def _pdf_page(content: bytes, filename: str, index: int, limits: PageLimits) -> np.ndarray:
    pdf = open_pdf(content, filename)
    try:
        page = pdf[index]
        try:
            width, height = page.get_size()
            scale = _render_scale(width, height, limits)
            bitmap = page.render(scale=scale, rev_byteorder=True, fill_color=(255, 255, 255, 255))
            pixels = bitmap.to_numpy()[:, :, :3].copy()
            bitmap.close()
            return pixels
        finally:
            page.close()
    except pypdfium2.PdfiumError as error:
        raise UnreadableDocument(f"{filename}: page {index + 1} could not be rendered: {error}") from None
    finally:
        pdf.close()


def _render_scale(width_points: float, height_points: float, limits: PageLimits) -> float:
    """200 dpi, or less so that the page stays within max_pixels and max_side."""
    scale = OCR_DPI / 72
    area = max(width_points * height_points, 1.0)
    scale = min(scale, (limits.max_pixels / area) ** 0.5)
    return min(scale, limits.max_side / max(width_points, height_points, 1.0))


def _open_image(content: bytes, filename: str) -> Image.Image:
    """Opens the image (header only). Pillow refuses headers announcing more than about 179 MP."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(content), formats=IMAGE_FORMATS)
    except Image.DecompressionBombError:
        raise UnreadableDocument(f"{filename} announces a far too large image (decompression bomb guard)") from None
    except UnidentifiedImageError:
        known = ", ".join(IMAGE_FORMATS)
        raise UnreadableDocument(f"{filename} is neither a PDF nor an image in a supported format ({known})") from None
    except (OSError, ValueError, SyntaxError) as error:
        raise UnreadableDocument(f"{filename} is not a readable image: {error}") from None


def _image_frame(content: bytes, filename: str, index: int, limits: PageLimits) -> np.ndarray:
    with _open_image(content, filename) as image:
        try:
            frame = _frame(image, index)
            if image.format in ("JPEG", "MPO"):
                frame.draft(None, _fitting(frame.size, limits.max_side))  # decodes at 1/2, 1/4 or 1/8 when large
            width, height = frame.size
            if width * height > limits.max_pixels:
                raise UnreadableDocument(f"{filename} is {width}×{height} pixels, more than the "
                                         f"{limits.max_pixels // 1_000_000} MP an image may have")
            frame.load()
            return np.asarray(_upright_rgb(frame, limits.max_side))
        except UnreadableDocument:
            raise
        except (OSError, ValueError, SyntaxError, EOFError) as error:
            raise UnreadableDocument(f"{filename} is a damaged or truncated image: {error}") from None


def _frame(image: Image.Image, index: int) -> Image.Image:
    if image.format in MULTI_PAGE_FORMATS:
        return ImageSequence.Iterator(image)[index]
    if index != 0:
        raise IndexError(f"an image has one page, there is no page {index + 1}")
    return image


def _fitting(size: tuple[int, int], max_side: int) -> tuple[int, int]:
    width, height = size
    ratio = min(1.0, max_side / max(width, height))
    return max(1, round(width * ratio)), max(1, round(height * ratio))


def _upright_rgb(image: Image.Image, max_side: int) -> Image.Image:
    image = ImageOps.exif_transpose(image)  # phone photos are stored sideways with an orientation tag
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        background = Image.new("RGB", image.size, "white")
        background.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
        image = background
    image = image.convert("RGB")
    if max(image.size) > max_side:
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return image
