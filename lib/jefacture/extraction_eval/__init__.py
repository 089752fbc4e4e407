"""Measured extraction accuracy and speed: a generated corpus of French invoices and the runner that scores readers.

See runner.py for `python -m jefacture.extraction_eval` and corpus.py for what is on disk.
"""
from . import layouts  # noqa: E402,F401  (the base layouts load before the held-out ones that subclass them)
