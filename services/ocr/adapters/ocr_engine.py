"""OCR of one page image with the PP-OCR models that the rapidocr wheel ships, on onnxruntime, offline.

The three model files are passed by path, so rapidocr never looks for them elsewhere; its downloader is also
switched off, so a missing file is an error instead of a download. Recognition gives text lines; with
`return_word_box` rapidocr also places each word of a line, and a line whose words it cannot place is split
into words with boxes proportional to their length.

Speed (measured on the evaluation corpus, one thread): recognition takes three quarters of a page's OCR time, in
proportion to the width of the lines it reads (batching lines does not make it faster). Pages reach OCR upright
(page_frame straightens them), so the angle classifier is not run on every line — on upright lines it turned some
upside down and lost words; it only votes once per page on whether the whole page is upside down
(ORIENTATION_LINES). Lines are padded to MIN_LINE_WIDTH instead of rapidocr's 320 pixels. Detection runs on a copy
of at most DETECTION_SIDE pixels (less loses words on phone photos), and only on the page's bands of text: blank
stretches (margins, the empty half of a short invoice) are left out of the image it reads, which halves detection
on most invoices.
"""
import copy
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from ..domain.reading import Box, Word

MIN_CONFIDENCE = 0.5  # lines rapidocr is less sure of are dropped
DETECTION_SIDE = 1280  # text is detected on a copy of the page at most this large; recognition uses full pixels
LINE_HEIGHT = 48  # pixels: the recognition model's input height
MIN_LINE_WIDTH = 160  # pixels at LINE_HEIGHT: shorter lines are padded to this width ("20 %" unpadded reads "2 0 号")
ORIENTATION_LINES = 15  # the widest lines of a page vote on whether it is upside down
INK_LEVEL = 220  # a row with a pixel darker than this holds something (paper is 255 after even lighting)
BLANK_ROWS = 48  # pixels: a blank stretch at least this high is left out of detection
BAND_MARGIN = 16  # pixels of blank kept above and below each band of text
_engines: dict[int, object] = {}
_engines_lock = threading.Lock()
_reading_lock = threading.Lock()  # a read sets the engine's detection size for the image it gives


@dataclass(frozen=True)
class Band:
    """Rows top..bottom of the page, placed at row `at` of the image that detection reads."""
    top: int
    bottom: int
    at: int


@dataclass(frozen=True)
class Line:
    """A line read, with its box and its words' boxes in page pixels."""
    text: str
    score: float
    quad: np.ndarray
    placed: tuple  # rapidocr's (word, score, points) for each word; may be empty


class ModelMissing(RuntimeError):
    """A model file the rapidocr wheel should ship is not there (a broken install); nothing is downloaded."""


def model_paths() -> dict[str, Path]:
    import rapidocr

    models = Path(rapidocr.__file__).parent / "models"
    paths = {"Det": models / "PP-OCRv6_det_small.onnx", "Rec": models / "PP-OCRv6_rec_small.onnx",
             "Cls": models / "ch_ppocr_mobile_v2.0_cls_mobile.onnx"}
    for path in paths.values():
        if not path.is_file():
            raise ModelMissing(f"OCR model {path} is missing: reinstall rapidocr==3.10.0 (models are never downloaded)")
    return paths


def default_threads() -> int:
    """onnxruntime threads per OCR process: the cores shared by the OCR workers (OCR_THREADS overrides)."""
    workers = max(1, int(os.environ.get("OCR_WORKERS", "1")))
    return int(os.environ.get("OCR_THREADS", max(1, (os.cpu_count() or 1) // workers)))


def engine(threads: int | None = None):
    """The process's OCR engine (created once per thread count; rapidocr loads each model on first use)."""
    threads = threads or default_threads()
    with _engines_lock:
        if threads not in _engines:
            _engines[threads] = _new_engine(threads)
        return _engines[threads]


def _new_engine(threads: int):
    _forbid_downloads()
    from rapidocr import RapidOCR

    params = {f"{task}.model_path": str(path) for task, path in model_paths().items()}
    params.update({
        "Global.log_level": "warning", "Global.max_side_len": 4000, "Global.use_cls": False,
        "Global.text_score": 0.0,  # every line is kept for the orientation vote; ocr_words drops the unsure ones
        "Det.limit_type": "max", "Det.limit_side_len": DETECTION_SIDE,
        "Rec.rec_batch_num": 1,  # one line at a time: no padding to the widest line of a batch, faster on CPU
        "Rec.rec_img_shape": [3, LINE_HEIGHT, MIN_LINE_WIDTH],
        "EngineConfig.onnxruntime.intra_op_num_threads": threads,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
    })
    return RapidOCR(params=params)


def _forbid_downloads() -> None:
    """rapidocr downloads a model or a character list when one is not given; here that must fail loudly."""
    from rapidocr.utils import download_file

    def refuse(cls, input_params):
        raise ModelMissing(f"rapidocr wanted to download {input_params.file_url}: OCR models must be local files")

    download_file.DownloadFile.run = classmethod(refuse)


def warm_up(threads: int | None = None) -> None:
    """Loads the three models by reading a tiny rendered word, so that the first page is not slower."""
    image = np.full((64, 320, 3), 255, np.uint8)
    cv2.putText(image, "Facture 2026", (8, 44), cv2.FONT_HERSHEY_SIMPLEX, 1.1, (0, 0, 0), 2)
    ocr_words(image, page=1, threads=threads)
    engine(threads)._load_cls_model()  # the orientation vote's model, which one word does not call for


def ocr_words(image: np.ndarray, page: int, threads: int | None = None) -> list[Word]:
    """The words on a page image (gray, or RGB), with boxes as fractions of the image and confidences 0..1.
    A page found upside down is turned over and read again."""
    height, width = image.shape[:2]
    picture = image if image.ndim == 2 else np.ascontiguousarray(image[:, :, ::-1])  # rapidocr wants BGR
    ocr = engine(threads)
    with _reading_lock:
        lines = read_lines(ocr, picture)
        if _upside_down(ocr, picture, [line.quad for line in lines]):
            lines = read_lines(ocr, cv2.rotate(picture, cv2.ROTATE_180))
    words = []
    for line in lines:
        if line.score < MIN_CONFIDENCE:
            continue
        line_words = _placed_words(line.text, line.placed) or _proportional_words(line.text, line.score, line.quad)
        words.extend(Word(text=word, page=page, box=_fraction_box(points, width, height), confidence=confidence)
                     for word, confidence, points in line_words)
    return words


def text_bands(picture: np.ndarray) -> list[Band]:
    """The page's stretches of rows that hold something, each with BAND_MARGIN blank rows around it; none for a
    blank page. Rows are looked at on a copy half as large, which halves a scan's noise but keeps letters dark; the
    outer hundredth of each side is not looked at: a photo's page edge is often a dark line."""
    gray = picture if picture.ndim == 2 else picture.min(axis=2)
    height, width = gray.shape
    half = cv2.resize(gray, (max(1, width // 2), max(1, height // 2)), interpolation=cv2.INTER_AREA)
    edge = half.shape[1] // 100
    rows = 2 * np.flatnonzero(half[:, edge:half.shape[1] - edge].min(axis=1) < INK_LEVEL)
    if rows.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(rows) > BLANK_ROWS)
    starts, ends = np.r_[rows[0], rows[breaks + 1]], np.r_[rows[breaks], rows[-1]] + 2
    bands, at = [], 0
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        top, bottom = max(0, start - BAND_MARGIN), min(height, end + BAND_MARGIN)
        bands.append(Band(top, bottom, at))
        at += bottom - top
    return bands


def read_lines(ocr, picture: np.ndarray) -> list[Line]:
    """The lines of the page: detection and recognition on its bands of text put one under the other, at the scale
    the whole page would be detected at; boxes are given back in page pixels."""
    bands = text_bands(picture)
    if not bands:
        return []
    reading = np.ascontiguousarray(np.concatenate([picture[band.top:band.bottom] for band in bands]))
    detector = ocr._load_det_model()  # rapidocr 3.10 reads its limit_side_len on every call
    detector.limit_side_len = max(32, round(DETECTION_SIDE * max(reading.shape[:2]) / max(picture.shape[:2])))
    result = ocr(reading, return_word_box=True)
    if result.txts is None or result.boxes is None or len(result.txts) == 0:
        return []
    aligned = len(result.word_results) == len(result.txts)
    word_results = result.word_results if aligned else [()] * len(result.txts)
    lines = []
    for text, score, quad, placed in zip(result.txts, result.scores, result.boxes, word_results, strict=True):
        shift = np.float32([0, _shift_to_page(bands, float(np.mean(quad[:, 1])))])
        lines.append(Line(text, float(score), np.asarray(quad, dtype=np.float32) + shift, _moved(placed, shift)))
    return lines


def _moved(placed, shift: np.ndarray) -> tuple:
    """rapidocr's word boxes moved by `shift`; none when they are not boxes (the line is then split in proportion)."""
    try:
        return tuple((str(word), float(score), np.asarray(points, dtype=np.float32).reshape(4, 2) + shift)
                     for word, score, points in placed or ())
    except (TypeError, ValueError):
        return ()


def _shift_to_page(bands: list[Band], row: float) -> int:
    """How many rows to add to a point at `row` of the detection image to put it on the page."""
    band = next((band for band in reversed(bands) if band.at <= row), bands[0])
    return band.top - band.at


def _upside_down(ocr, picture: np.ndarray, quads: list[np.ndarray]) -> bool:
    """Whether most of the page's widest lines are upside down, as rapidocr's 0°/180° line classifier sees them.
    One line alone is often misjudged; the vote of ORIENTATION_LINES is not (measured: upright pages ≤ 2 of 15,
    turned ones ≥ 11 of 15)."""
    from rapidocr.utils.process_img import get_rotate_crop_image

    widest = sorted(quads, key=lambda quad: -float(np.linalg.norm(quad[1] - quad[0])))[:ORIENTATION_LINES]
    if len(widest) < 3:
        return False
    bgr = picture if picture.ndim == 3 else cv2.cvtColor(picture, cv2.COLOR_GRAY2BGR)
    lines = [get_rotate_crop_image(bgr, copy.deepcopy(quad)) for quad in widest]
    votes = [label for label, _ in ocr._load_cls_model()(lines).cls_res]
    return 2 * votes.count("180") > len(votes)


def _placed_words(text: str, placed) -> list[tuple[str, float, np.ndarray]]:
    """rapidocr's own word boxes, when they spell the whole line. rapidocr also cuts where letters stand far apart,
    which finds the space recognition missed on a photo ("CLINIQUE BONNET" read "CLINIQUEBONNET"); joining its
    pieces back into the line's words was measured worse."""
    try:
        words = [(str(word), float(score), np.asarray(points, dtype=np.float32).reshape(4, 2))
                 for word, score, points in placed or ()]
    except (TypeError, ValueError):
        return []
    spelled = "".join(word for word, _, _ in words).replace(" ", "") == text.replace(" ", "")
    one_box_per_letter = len(words) > 2 * len(text.split()) + 2  # rapidocr does that for lines with CJK letters
    if not spelled or one_box_per_letter:
        return []
    return [word for word in words if word[0].strip()]


def _proportional_words(text: str, score: float, quad: np.ndarray) -> list[tuple[str, float, np.ndarray]]:
    """Splits a line on spaces and gives each word the share of the line's box that its characters take."""
    quad = np.asarray(quad, dtype=np.float32)
    top_left, top_right, bottom_right, bottom_left = quad
    words, position = [], 0
    for word in text.split(" "):
        start, end = position / len(text), (position + len(word)) / len(text)
        position += len(word) + 1
        if not word:
            continue
        points = np.array([top_left + (top_right - top_left) * start, top_left + (top_right - top_left) * end,
                           bottom_left + (bottom_right - bottom_left) * end,
                           bottom_left + (bottom_right - bottom_left) * start])
        words.append((word, score, points))
    return words


def _fraction_box(points: np.ndarray, width: int, height: int) -> Box:
    xs, ys = points[:, 0], points[:, 1]
    return Box(x0=_clamp(xs.min() / width), y0=_clamp(ys.min() / height),
               x1=_clamp(xs.max() / width), y1=_clamp(ys.max() / height))


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, float(value)))
