"""The multipart reader alone: what it keeps, and that it stops reading as soon as the file passes the limit."""
import asyncio

import pytest

from jefacture_gateway.domain.errors import InvalidInput, TooLarge, UnsupportedMediaType
from jefacture_gateway.uploads import read_upload

BOUNDARY = "b0undary"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"


def part(name: str, value: bytes, filename: str | None = None) -> bytes:
    disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
    return f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + value + b"\r\n"


def form(*parts: bytes) -> bytes:
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def read(body: bytes, max_file_bytes: int = 1000, content_type: str = CONTENT_TYPE, chunk: int = 7):
    async def stream():
        for start in range(0, len(body), chunk):
            yield body[start:start + chunk]

    return asyncio.run(read_upload(content_type, stream(), max_file_bytes))


def test_the_file_and_fields_are_read_whatever_their_order_and_the_chunking():
    body = form(part("file", b"%PDF-1.4 content", filename="C:\\Users\\martin\\facture.pdf"),
                part("direction", b"sale"))

    uploaded = read(body)

    assert (uploaded.filename, bytes(uploaded.content), uploaded.fields) == (
        "facture.pdf", b"%PDF-1.4 content", {"direction": "sale"})


def test_reading_stops_at_the_first_chunk_past_the_limit():
    chunk = 64 * 1024
    consumed = []

    async def endless_file():
        yield f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.pdf\"\r\n\r\n".encode()
        for _ in range(1000):  # 64 MiB if read to the end
            consumed.append(chunk)
            yield b"0" * chunk

    with pytest.raises(TooLarge, match="'big.pdf' is over the upload limit of 200000 bytes"):
        asyncio.run(read_upload(CONTENT_TYPE, endless_file(), 200_000))
    assert sum(consumed) <= 200_000 + chunk


def test_a_file_of_exactly_the_limit_is_accepted():
    assert len(read(form(part("file", b"x" * 1000, filename="f.pdf")), max_file_bytes=1000).content) == 1000


@pytest.mark.parametrize("body, content_type, error, message", [
    (b"{}", "application/json", UnsupportedMediaType, "an upload must be multipart/form-data"),
    (form(part("direction", b"sale")), CONTENT_TYPE, InvalidInput, "the form has no 'file' part"),
    (form(part("file", b"a", "a.pdf"), part("file", b"b", "b.pdf")), CONTENT_TYPE, InvalidInput, "more than one"),
    (part("file", b"%PDF-1.4 cut", "f.pdf"), CONTENT_TYPE, InvalidInput, "ended before its closing boundary"),
    (form(part("file", b"%PDF", "f.pdf"), part("note", b"x" * 2000)), CONTENT_TYPE, InvalidInput,
     "form field 'note' is over 1024 bytes"),
])
def test_malformed_uploads_are_refused_with_a_reason(body, content_type, error, message):
    with pytest.raises(error, match=message):
        read(body, content_type=content_type)
