"""OCR of one page image with the PP-OCR models that the rapidocr wheel ships, on onnxruntime, offline.

The three model files are passed by path, so rapidocr never looks for them elsewhere; its downloader is also
switched off, so a missing file is an error instead of a download. Recognition gives text lines; with
`return_word_box` rapidocr also places each word of a line, and a line whose words it cannot place is split
into words with boxes proportional to their length.
"""
import os
import threading
from pathlib import Path

import numpy as np

from ..domain.reading import Box, Word

MIN_CONFIDENCE = 0.5  # lines rapidocr is less sure of are dropped
DETECTION_SIDE = 1280  # text is detected on a copy of the page at most this large; recognition uses full pixels
_engines: dict[int, object] = {}
_engines_lock = threading.Lock()


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
        "Global.log_level": "warning", "Global.text_score": MIN_CONFIDENCE, "Global.max_side_len": 4000,
        "Det.limit_type": "max", "Det.limit_side_len": DETECTION_SIDE,
        "Rec.rec_batch_num": 1,  # one line at a time: no padding to the widest line of a batch, faster on CPU
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
    import cv2

    image = np.full((64, 320, 3), 255, np.uint8)
    cv2.putText(image, "Facture 2026", (8, 44), cv2.FONT_HERSHEY_SIMPLEX, 1.1, (0, 0, 0), 2)
    ocr_words(image, page=1, threads=threads)


def ocr_words(image: np.ndarray, page: int, threads: int | None = None) -> list[Word]:
    """The words on an RGB page image, with boxes as fractions of the image and confidences 0..1."""
    height, width = image.shape[:2]
    bgr = np.ascontiguousarray(image[:, :, ::-1])
    result = engine(threads)(bgr, return_word_box=True)
    if result.txts is None or result.boxes is None or len(result.txts) == 0:
        return []
    word_results = result.word_results if len(result.word_results) == len(result.txts) else [()] * len(result.txts)
    words = []
    for text, score, quad, placed in zip(result.txts, result.scores, result.boxes, word_results, strict=True):
        line_words = _placed_words(text, placed) or _proportional_words(text, float(score), quad)
        words.extend(Word(text=word, page=page, box=_fraction_box(points, width, height), confidence=confidence)
                     for word, confidence, points in line_words)
    return words


def _placed_words(text: str, placed) -> list[tuple[str, float, np.ndarray]]:
    """rapidocr's own word boxes, when they spell the whole line."""
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
