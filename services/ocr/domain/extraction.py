"""The outcome of reading one document, whatever step read it."""
from dataclasses import dataclass, field


class UnreadableDocument(ValueError):
    """The document could not be read; the message says why."""


@dataclass(frozen=True)
class Extraction:
    kind: str
    page_count: int = 0
    text_chars: int = 0
    fields: dict[str, str] = field(default_factory=dict)
    findings: tuple[str, ...] = ()
    failure_reason: str = ""
