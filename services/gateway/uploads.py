"""Reading a multipart upload from the request stream, refusing it as soon as its file passes the size limit."""
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from python_multipart import MultipartParser
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import parse_options_header

from .domain.errors import InvalidInput, TooLarge, UnsupportedMediaType

FILE_FIELD = "file"
MAX_FIELD_BYTES = 1024
MAX_FIELDS = 20


@dataclass
class UploadForm:
    filename: str = "document"
    media_type: str = ""
    content: bytearray = field(default_factory=bytearray)
    fields: dict[str, str] = field(default_factory=dict)
    has_file: bool = False


def _base_name(filename: str) -> str:
    """Browsers may send a full client-side path; only its last part names the document."""
    return filename.replace("\\", "/").rsplit("/", 1)[-1].strip()[:255] or "document"


class _FormReader:
    def __init__(self, max_file_bytes: int):
        self.max_file_bytes = max_file_bytes
        self.form = UploadForm()
        self.finished = False
        self._header_name = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._name = ""
        self._is_file = False
        self._value = bytearray()

    def callbacks(self) -> dict:
        return {"on_part_begin": self.on_part_begin, "on_header_field": self.on_header_field,
                "on_header_value": self.on_header_value, "on_header_end": self.on_header_end,
                "on_headers_finished": self.on_headers_finished, "on_part_data": self.on_part_data,
                "on_part_end": self.on_part_end, "on_end": self.on_end}

    def on_part_begin(self) -> None:
        self._headers, self._value, self._name, self._is_file = {}, bytearray(), "", False

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        self._headers[self._header_name.lower()] = self._header_value
        self._header_name, self._header_value = b"", b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        if b"name" not in options:
            raise InvalidInput("a part of the form has no name in its Content-Disposition header")
        self._name = options[b"name"].decode("utf-8", "replace")
        self._is_file = self._name == FILE_FIELD
        if b"filename" in options and not self._is_file:
            raise InvalidInput(f"the form has a file part named {self._name!r}: attach the document as {FILE_FIELD!r}")
        if self._is_file:
            if self.form.has_file:
                raise InvalidInput(f"the form has more than one {FILE_FIELD!r} part: send one document per upload")
            self.form.has_file = True
            self.form.filename = _base_name(options.get(b"filename", b"").decode("utf-8", "replace"))
            self.form.media_type = self._headers.get(b"content-type", b"").decode("latin-1").strip()

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._is_file:
            if len(self.form.content) + end - start > self.max_file_bytes:
                raise TooLarge(f"{self.form.filename!r} is over the upload limit of {self.max_file_bytes} bytes")
            self.form.content += data[start:end]
        else:
            if len(self._value) + end - start > MAX_FIELD_BYTES:
                raise InvalidInput(f"form field {self._name!r} is over {MAX_FIELD_BYTES} bytes")
            self._value += data[start:end]

    def on_part_end(self) -> None:
        if not self._is_file:
            if len(self.form.fields) >= MAX_FIELDS:
                raise InvalidInput(f"the form has more than {MAX_FIELDS} fields")
            self.form.fields[self._name] = self._value.decode("utf-8", "replace")

    def on_end(self) -> None:
        self.finished = True


async def read_upload(content_type: str, stream: AsyncIterator[bytes], max_file_bytes: int) -> UploadForm:
    """The form's file and fields; the file is held in memory, never more than `max_file_bytes` of it."""
    media_type, options = parse_options_header(content_type)
    if media_type != b"multipart/form-data" or not options.get(b"boundary"):
        raise UnsupportedMediaType(
            f"an upload must be multipart/form-data with a {FILE_FIELD!r} part, not {content_type or 'no type'!r}")
    reader = _FormReader(max_file_bytes)
    try:
        parser = MultipartParser(options[b"boundary"], reader.callbacks())
        async for chunk in stream:
            parser.write(chunk)
        parser.finalize()
    except FormParserError as error:
        raise InvalidInput(f"the multipart form is malformed: {error}") from None
    if not reader.finished:
        raise InvalidInput("the multipart form ended before its closing boundary")
    if not reader.form.has_file:
        raise InvalidInput(f"the form has no {FILE_FIELD!r} part: attach the document as {FILE_FIELD!r}")
    return reader.form
