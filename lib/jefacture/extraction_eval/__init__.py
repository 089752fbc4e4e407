"""Measured extraction accuracy and speed: a generated corpus of French invoices and the runner that scores readers.

See runner.py for `python -m jefacture.extraction_eval` and corpus.py for what is on disk.
"""
