"""OCR in worker processes of its own: never in the service's event loop, a time limit per page, crash-proof.

    with OcrPool(workers=2, page_seconds=20) as pool:        # OCR_WORKERS, OCR_PAGE_SECONDS by default
        pages = pool.read_document(content, "scan.pdf")       # list[OcrPage]; UnreadableDocument if nothing read
        words = words_by_page(pages)                          # list[list[Word]] for the invoice reader

Each worker process (started with "spawn") loads the OCR models once and reads one page at a time: it renders the
page from the document's bytes, finds and straightens the page frame, runs OCR. Pages are handed to whichever
worker is free, so several documents, or the pages of one, are read side by side (competing consumers).
A page that takes longer than `page_seconds` fails with that reason and its worker is killed and replaced; a worker
that dies (a crash, the OOM killer, its memory cap: OCR_WORKER_MEMORY_MB of address space, 3072 by default) fails
its page the same way and is replaced. Nothing else is affected.

The pool waits by polling its pipes with `time.sleep`, so under eventlet's monkey patching a caller only ever
yields to the hub instead of blocking it; it has no threads of its own. It is safe to use from several threads
or green threads at once.
"""
import multiprocessing
import os
import resource
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait

import numpy as np

from ..domain.reading import UnreadableDocument, Word
from .images import PageLimits, page_count_of, page_image

POLL_SECONDS = 0.01
START_SECONDS = 120  # a new worker imports the OCR libraries and loads the models before its first answer
_CONTEXT = multiprocessing.get_context("spawn")


@dataclass(frozen=True)
class OcrPage:
    number: int  # 1-based
    words: list[Word] = field(default_factory=list)
    frame: dict | None = None  # page_frame.frame_as_json of the photo's page corners; None for a flat scan
    failure: str | None = None  # one line: why this page could not be read
    seconds: float = 0.0


def words_by_page(pages: Sequence[OcrPage]) -> list[list[Word]]:
    return [page.words for page in pages]


def read_image(image: np.ndarray, number: int, threads: int | None = None) -> OcrPage:
    """One page, in this process: frame, straighten, OCR."""
    from .ocr_engine import ocr_words
    from .page_frame import frame_as_json, prepare_page

    started = time.perf_counter()
    height, width = image.shape[:2]
    page, quad = prepare_page(image)
    frame = frame_as_json(quad, width, height) if quad is not None else None
    words = ocr_words(page, number, threads)
    return OcrPage(number=number, words=words, frame=frame, seconds=time.perf_counter() - started)


def read_document_here(content: bytes, filename: str, limits: PageLimits | None = None,
                       threads: int | None = None) -> list[OcrPage]:
    """Every page, in this process, one after the other, without time limit (the CLI on one file)."""
    limits = limits or PageLimits.from_env()
    count = page_count_of(content, filename, limits)
    return [read_image(page_image(content, filename, index, limits), index + 1, threads) for index in range(count)]


@dataclass(frozen=True)
class _Task:
    kind: str  # "count" | "document_page" | "image"
    number: int  # the page's number, 1-based (0 for "count")
    payload: tuple


class OcrPool:
    def __init__(self, workers: int | None = None, page_seconds: float | None = None,
                 limits: PageLimits | None = None):
        self.size = workers or int(os.environ.get("OCR_WORKERS", "1"))
        self.page_seconds = page_seconds or float(os.environ.get("OCR_PAGE_SECONDS", "20"))
        self.limits = limits or PageLimits.from_env()
        self.threads = max(1, (os.cpu_count() or 1) // self.size)  # onnxruntime threads per worker
        self._workers: list[_Worker] = []
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()

    def start(self) -> "OcrPool":
        """Starts the workers and waits until each has loaded the models."""
        self._workers = [_Worker(self.threads) for _ in range(self.size)]
        for worker in self._workers:
            worker.wait_ready()
        self._idle = list(self._workers)
        return self

    def close(self) -> None:
        for worker in self._workers:
            worker.stop()
        self._workers, self._idle = [], []

    def __enter__(self) -> "OcrPool":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.close()

    def worker_pids(self) -> list[int]:
        return [worker.pid for worker in self._workers]

    def read_pages(self, images: Sequence[np.ndarray]) -> list[OcrPage]:
        """Page images (RGB arrays), numbered 1.. in order; a page that fails carries its reason."""
        tasks = [_Task("image", number, (image,)) for number, image in enumerate(images, start=1)]
        return [self._as_page(task, outcome) for task, outcome in zip(tasks, self._run(tasks), strict=True)]

    def read_document(self, content: bytes, filename: str) -> list[OcrPage]:
        """Every page of a PDF or an image file. Raises UnreadableDocument when the file cannot be read at all
        (empty, encrypted, damaged, too many pages, too large an image) or when no page could be read."""
        (status, value), = self._run([_Task("count", 0, (content, filename, self.limits))])
        if status != "ok":
            raise UnreadableDocument(value if status == "unreadable" else f"{filename}: {value}")
        tasks = [_Task("document_page", index + 1, (content, filename, index, self.limits)) for index in range(value)]
        pages = [self._as_page(task, outcome) for task, outcome in zip(tasks, self._run(tasks), strict=True)]
        if all(page.failure for page in pages):
            raise UnreadableDocument(pages[0].failure)
        return pages

    @staticmethod
    def _as_page(task: _Task, outcome: tuple[str, object]) -> OcrPage:
        status, value = outcome
        if status == "ok":
            return value
        return OcrPage(number=task.number, failure=value if status == "unreadable" else f"page {task.number}: {value}")

    def _run(self, tasks: list[_Task]) -> list[tuple[str, object]]:
        """Runs the tasks on free workers; each outcome is ("ok", value), ("unreadable", reason) or
        ("failed", reason)."""
        if not self._workers:
            raise RuntimeError("the OCR pool is not started: call start() or use it in a with block")
        outcomes: list[tuple[str, object] | None] = [None] * len(tasks)
        pending = list(range(len(tasks)))
        running: dict[_Worker, int] = {}
        while pending or running:
            while pending and (worker := self._borrow()):
                index = pending.pop(0)
                worker.send(tasks[index], self.page_seconds)
                running[worker] = index
            for worker in self._finished(running):
                outcomes[running.pop(worker)] = worker.outcome
                self._give_back(worker)
            if not running and pending:
                time.sleep(POLL_SECONDS)  # every worker is busy with other callers' pages
        return outcomes

    def _finished(self, running: dict["_Worker", int]) -> list["_Worker"]:
        if not running:
            return []
        readable = set(wait([worker.connection for worker in running], timeout=0))
        finished = [worker for worker in list(running) if worker.finished(worker.connection in readable)]
        if not finished:
            time.sleep(POLL_SECONDS)  # a green sleep under eventlet: the hub runs meanwhile
        return finished

    def _borrow(self) -> "_Worker | None":
        with self._lock:
            return self._idle.pop() if self._idle else None

    def _give_back(self, worker: "_Worker") -> None:
        with self._lock:
            self._idle.append(worker)


class _Worker:
    """One OCR process and the pipe to it; used by one caller at a time."""

    def __init__(self, threads: int):
        self.threads = threads
        self.outcome: tuple[str, object] = ("failed", "no page given")
        self._lost: str | None = None
        self._seconds = 0.0
        self._deadline = 0.0
        self._spawn()

    def _spawn(self) -> None:
        self.connection, child = _CONTEXT.Pipe()
        self.process = _CONTEXT.Process(target=_serve, args=(child, self.threads), daemon=True, name="ocr-worker")
        self.process.start()
        child.close()
        self.pid = self.process.pid
        self._starting = True

    def wait_ready(self) -> None:
        try:
            if not self.connection.poll(START_SECONDS):
                raise RuntimeError(f"the OCR worker {self.pid} did not start within {START_SECONDS} s")
            self.connection.recv()
        except (EOFError, OSError):
            raise RuntimeError(f"the OCR worker {self.pid} stopped while starting "
                               f"(exit code {self._exit_code()}); see its error output") from None
        self._starting = False

    def send(self, task: _Task, seconds: float) -> None:
        if not self.process.is_alive():
            self._replace()  # it died while idle (the OOM killer, an operator): the page goes to its replacement
        self._seconds = seconds
        self._deadline = time.monotonic() + seconds + (START_SECONDS if self._starting else 0)
        self._lost = None
        try:
            self.connection.send(task)
        except OSError:  # it died just now, between two pages: once more, to its replacement
            self._replace()
            self._deadline = time.monotonic() + seconds + START_SECONDS
            try:
                self.connection.send(task)
            except OSError as error:
                self._lost = f"the OCR worker could not be given the page ({error})"
                self._replace()

    def finished(self, readable: bool) -> bool:
        """Whether the task sent is over; if so `outcome` is the worker's answer or the reason it gave none."""
        if self._lost:
            self.outcome = ("failed", self._lost)
            return True
        try:
            if readable:
                message = self.connection.recv()
                if message != "ready":
                    self.outcome = message
                    return True
                self._starting = False  # a replacement worker is ready: the page's time starts now
                self._deadline = time.monotonic() + self._seconds
                return False
        except (EOFError, OSError):
            self.outcome = ("failed", f"the OCR worker stopped (exit code {self._exit_code()}) while reading it")
            self._replace()
            return True
        if time.monotonic() <= self._deadline:
            return False
        self.outcome = ("failed", f"OCR took longer than the {self._seconds:g} s limit")
        self._replace()
        return True

    def _exit_code(self) -> int | None:
        self.process.join(timeout=1)
        return self.process.exitcode

    def _replace(self) -> None:
        self.stop()
        self._spawn()

    def stop(self) -> None:
        self.connection.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)


def _serve(connection: Connection, threads: int) -> None:
    """A worker process: loads the models, then answers one task at a time until its pipe closes."""
    import cv2

    from .ocr_engine import warm_up

    os.set_blocking(connection.fileno(), True)  # a parent under eventlet made the socket non-blocking
    _limit_memory(int(os.environ.get("OCR_WORKER_MEMORY_MB", "3072")))
    cv2.setNumThreads(threads)
    warm_up(threads)
    connection.send("ready")
    while True:
        try:
            task = connection.recv()
        except (EOFError, OSError):
            return
        connection.send(_answer(task, threads))


def _limit_memory(megabytes: int) -> None:
    """Caps the worker's address space, so that a bomb inside a PDF fails this page instead of the machine."""
    if megabytes > 0:
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _answer(task: _Task, threads: int) -> tuple[str, object]:
    try:
        if task.kind == "count":
            return "ok", page_count_of(*task.payload)
        if task.kind == "document_page":
            content, filename, index, limits = task.payload
            return "ok", read_image(page_image(content, filename, index, limits), task.number, threads)
        image, = task.payload
        return "ok", read_image(image, task.number, threads)
    except UnreadableDocument as error:
        return "unreadable", str(error)
    except Exception as error:  # noqa: BLE001 - any failure becomes the page's reason; the worker lives on
        return "failed", f"OCR failed: {type(error).__name__}: {error}"
