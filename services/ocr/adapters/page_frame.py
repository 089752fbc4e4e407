"""The mobile app's "green frame": find the page on a phone photo, flatten it, straighten it, even out its lighting.

Images come in as RGB arrays (height × width × 3, uint8) or gray ones (height × width). `prepare_page` is what OCR
runs on every page: a photo whose page corners are found is warped flat to A4 proportions; an image where no page
edge shows (a flat scan, or a photo filling the frame) keeps its geometry. Both are then deskewed and get even
lighting. Even lighting divides by one brightness per pixel, so its result is gray: the page is made gray first and
every later step works on one channel instead of three.
"""
from dataclasses import dataclass

import cv2
import numpy as np

A4_RATIO = 297 / 210
A4_SHORT_SIDE = 1654  # pixels: A4 at 200 dpi, what OCR reads best
DETECTION_SIDE = 800  # corners are searched on a copy this large, then scaled back
MIN_PAGE_AREA = 0.2  # a frame must cover this share of the photo
MAX_PAGE_AREA = 0.97  # above this, the "frame" is the image border: a flat scan
MIN_PAGE_CONTRAST = 20  # gray levels between the page and what surrounds it
MIN_EDGE_STRENGTH = 20.0  # Sobel gradient along each side of a page's frame
MAX_SKEW_DEGREES = 5.0
SHADOW_FLOOR = 0.45  # a shadow leaves paper at least this bright; anything darker is ink


@dataclass(frozen=True)
class Quad:
    """The page's corners in image pixels, ordered top-left, top-right, bottom-right, bottom-left."""
    top_left: tuple[float, float]
    top_right: tuple[float, float]
    bottom_right: tuple[float, float]
    bottom_left: tuple[float, float]

    def corners(self) -> np.ndarray:
        return np.array([self.top_left, self.top_right, self.bottom_right, self.bottom_left], dtype=np.float32)

    @classmethod
    def from_points(cls, points: np.ndarray) -> "Quad":
        ordered = _clockwise_from_top_left(np.asarray(points, dtype=np.float32).reshape(4, 2))
        return cls(*(tuple(float(value) for value in point) for point in ordered))


def frame_as_json(quad: Quad | None, width: int, height: int) -> dict:
    """The frame the gateway draws over the photo: corners as fractions of the image (0..1, origin top-left)."""
    if quad is None:
        return {"found": False, "corners": [], "image_width": width, "image_height": height}
    corners = [[round(x / width, 4), round(y / height, 4)] for x, y in quad.corners().tolist()]
    return {"found": True, "corners": corners, "image_width": width, "image_height": height}


def detect_frame(image: np.ndarray) -> Quad | None:
    """The four corners of the page on a photo, or None when no page edge is visible."""
    height, width = image.shape[:2]
    scale = min(1.0, DETECTION_SIDE / max(height, width))
    small = cv2.resize(image, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
    gray = cv2.GaussianBlur(gray_of(small), (5, 5), 0)
    gradient = _gradient(gray)
    masks = (_bright_region(gray), _edges(gray, *_median_thresholds(gray)), _edges(gray, 10, 30))
    candidates = [_largest_quad(mask, gray.shape[0] * gray.shape[1]) for mask in masks]
    pages = [Quad.from_points(points) for points in candidates
             if points is not None and _stands_out(gray, points) and _has_edges_all_round(gradient, points)]
    if not pages:
        return None
    best = max(pages, key=lambda quad: cv2.contourArea(quad.corners()))
    return Quad.from_points(best.corners() / scale)


def straighten(image: np.ndarray, quad: Quad) -> np.ndarray:
    """The page inside `quad`, in gray, warped flat to A4 proportions (200 dpi), deskewed, with even lighting."""
    return even_lighting(deskew(warp_to_a4(gray_of(image), quad)))


def frame_of_photo(content: bytes, filename: str) -> dict:
    """The frame the gateway shows over an uploaded photo (first page): frame_as_json of what detect_frame finds.
    Raises UnreadableDocument like the OCR would."""
    from .images import page_image

    image = page_image(content, filename, 0)
    height, width = image.shape[:2]
    return frame_as_json(detect_frame(image), width, height)


def prepare_page(image: np.ndarray) -> tuple[np.ndarray, Quad | None]:
    """What OCR reads, in gray: the straightened page when a frame is found, else the image deskewed with even
    lighting."""
    gray = gray_of(image)
    quad = detect_frame(gray)
    if quad is None:
        return even_lighting(deskew(gray)), None
    return straighten(gray, quad), quad


def gray_of(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image


def warp_to_a4(image: np.ndarray, quad: Quad) -> np.ndarray:
    corners = quad.corners()
    top, bottom = np.linalg.norm(corners[1] - corners[0]), np.linalg.norm(corners[2] - corners[3])
    left, right = np.linalg.norm(corners[3] - corners[0]), np.linalg.norm(corners[2] - corners[1])
    if max(top, bottom) <= max(left, right):
        width, height = A4_SHORT_SIDE, round(A4_SHORT_SIDE * A4_RATIO)
    else:
        width, height = round(A4_SHORT_SIDE * A4_RATIO), A4_SHORT_SIDE
    target = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(corners, target)
    return cv2.warpPerspective(image, matrix, (width, height), flags=cv2.INTER_CUBIC,
                               borderMode=cv2.BORDER_REPLICATE)


def skew_degrees(image: np.ndarray) -> float:
    """The rotation (degrees, counter-clockwise positive) that levels the text lines: the one whose rows of ink
    give the sharpest profile, searched within ±MAX_SKEW_DEGREES."""
    gray = gray_of(image)
    scale = min(1.0, DETECTION_SIDE / max(gray.shape))
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ink = cv2.adaptiveThreshold(small, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 15, 15)
    best = 0.0
    for step, span in ((1.0, MAX_SKEW_DEGREES), (0.1, 1.0)):
        candidates = np.arange(best - span, best + span + step / 2, step)
        best = float(max(candidates, key=lambda angle: _row_sharpness(ink, angle)))
    return best


def deskew(image: np.ndarray, min_degrees: float = 0.2) -> np.ndarray:
    angle = skew_degrees(image)
    if abs(angle) < min_degrees:
        return image
    height, width = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    return cv2.warpAffine(image, matrix, (width, height), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)


def even_lighting(image: np.ndarray) -> np.ndarray:
    """The page in gray, divided by its own background (the page without its ink), which removes shadows and
    gradients.

    The background is never taken darker than SHADOW_FLOOR × the paper's brightness, so that a dark band printed
    on the page (a header with white letters) stays dark instead of being mistaken for a shadow and whitened."""
    gray = gray_of(image)
    kernel_side = max(15, (min(gray.shape) // 60) | 1)
    background = cv2.morphologyEx(gray, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT,
                                                                                   (kernel_side, kernel_side)))
    background = _smooth_keeping_edges(background)
    paper = float(np.percentile(background[::4, ::4], 90))
    background = np.maximum(background, np.uint8(min(255.0, SHADOW_FLOOR * paper)))
    return cv2.divide(gray, background, scale=255)


def _smooth_keeping_edges(background: np.ndarray) -> np.ndarray:
    """A 21-pixel median, taken on a copy half as large (the background varies slowly; a full-size median was a
    third of the page's preparation time)."""
    height, width = background.shape
    half = cv2.resize(background, (max(1, width // 2), max(1, height // 2)), interpolation=cv2.INTER_AREA)
    return cv2.resize(cv2.medianBlur(half, 11), (width, height), interpolation=cv2.INTER_LINEAR)


def _bright_region(gray: np.ndarray) -> np.ndarray:
    """The page is usually the largest bright area of the photo."""
    _, mask = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))


def _median_thresholds(gray: np.ndarray) -> tuple[int, int]:
    median = float(np.median(gray))
    return int(max(0, 0.66 * median)), int(min(255, 1.33 * median))


def _edges(gray: np.ndarray, low: int, high: int) -> np.ndarray:
    return cv2.dilate(cv2.Canny(gray, low, high), np.ones((3, 3), np.uint8))


def _gradient(gray: np.ndarray) -> np.ndarray:
    magnitude = cv2.magnitude(cv2.Sobel(gray, cv2.CV_32F, 1, 0), cv2.Sobel(gray, cv2.CV_32F, 0, 1))
    return cv2.dilate(magnitude, np.ones((3, 3), np.uint8))


def _has_edges_all_round(gradient: np.ndarray, points: np.ndarray) -> bool:
    """Each side of a page is an edge; a side along the photo's border or across a blank area is not."""
    height, width = gradient.shape
    corners = _clockwise_from_top_left(points)
    for start, end in zip(corners, np.roll(corners, -1, axis=0), strict=True):
        steps = np.linspace(0.05, 0.95, max(2, int(np.linalg.norm(end - start))))[:, None]
        samples = start + (end - start) * steps
        xs = np.clip(np.round(samples[:, 0]).astype(int), 0, width - 1)
        ys = np.clip(np.round(samples[:, 1]).astype(int), 0, height - 1)
        if float(np.median(gradient[ys, xs])) < MIN_EDGE_STRENGTH:
            return False
    return True


def _largest_quad(mask: np.ndarray, image_area: int) -> np.ndarray | None:
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:5]:
        hull = cv2.convexHull(contour)
        area = cv2.contourArea(hull)
        if not MIN_PAGE_AREA * image_area <= area <= MAX_PAGE_AREA * image_area:
            continue
        perimeter = cv2.arcLength(hull, True)
        for tolerance in (0.02, 0.03, 0.05):
            approx = cv2.approxPolyDP(hull, tolerance * perimeter, True)
            if len(approx) == 4 and cv2.isContourConvex(approx):
                return approx.reshape(4, 2).astype(np.float32)
    return None


def _stands_out(gray: np.ndarray, points: np.ndarray) -> bool:
    """A page is brighter than what surrounds it; a box drawn on a flat scan is not."""
    inside = np.zeros(gray.shape, np.uint8)
    cv2.fillConvexPoly(inside, points.astype(np.int32), 1)
    return float(np.median(gray[inside == 1])) - float(np.median(gray[inside == 0])) >= MIN_PAGE_CONTRAST


def _clockwise_from_top_left(points: np.ndarray) -> np.ndarray:
    center = points.mean(axis=0)
    angles = np.arctan2(points[:, 1] - center[1], points[:, 0] - center[0])
    clockwise = points[np.argsort(angles)]  # image y points down, so increasing angle turns clockwise
    start = int(np.argmin(clockwise.sum(axis=1)))
    return np.roll(clockwise, -start, axis=0)


def _row_sharpness(ink: np.ndarray, angle: float) -> float:
    height, width = ink.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    rotated = cv2.warpAffine(ink, matrix, (width, height), flags=cv2.INTER_NEAREST)
    rows = rotated.sum(axis=1, dtype=np.float64)
    return float(np.sum(np.diff(rows) ** 2))
