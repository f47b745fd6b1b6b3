"""Streaming a multipart upload straight into the job's spool folder: never the whole file in memory, and
one write to disk (starlette's form parsing would spool to a temporary file that we would copy again)."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import anyio
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from targeting.imports.dialects import FileKind
from targeting.imports.errors import ImportMediaTypeError, ImportUploadError

_FLUSH_BYTES = 1 << 20


@dataclass
class SpooledFile:
    kind: FileKind
    path: Path
    name: str
    size: int = 0
    digest: hashlib._Hash = field(default_factory=hashlib.sha256)


class _Receiver:
    """python-multipart callbacks: headers decide the part's file, data goes to a buffer we flush."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.files: dict[FileKind, SpooledFile] = {}
        self.pending: list[tuple[SpooledFile, bytes]] = []
        self._headers: list[tuple[bytes, bytes]] = []
        self._field = self._value = b""
        self._current: SpooledFile | None = None

    def on_part_begin(self) -> None:
        self._headers, self._current = [], None

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def on_header_end(self) -> None:
        self._headers.append((self._field.lower(), self._value))
        self._field = self._value = b""

    def on_headers_finished(self) -> None:
        disposition = next((v for k, v in self._headers if k == b"content-disposition"), b"")
        _, options = parse_options_header(disposition)
        name = options.get(b"name", b"").decode("latin-1")
        if name not in FileKind.__members__:
            raise ImportUploadError(f"Unexpected part {name[:40]!r}: send `households` and/or `members` files.",
                                    errors=[{"pointer": f"/{name[:40]}", "detail": "unexpected part"}])
        kind = FileKind(name)
        if kind in self.files:
            raise ImportUploadError(f"The `{name}` part appears twice.")
        filename = options.get(b"filename", f"{name}.csv".encode()).decode("utf-8", "replace")
        self._current = self.files[kind] = SpooledFile(kind, self.directory / f"{name}.csv", Path(filename).name)

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        assert self._current is not None
        chunk = data[start:end]
        self._current.size += len(chunk)
        self._current.digest.update(chunk)
        self.pending.append((self._current, chunk))


async def receive_files(stream: AsyncIterator[bytes], content_type: str | None, directory: Path
                        ) -> dict[FileKind, SpooledFile]:
    """Write the `households` / `members` parts of a multipart body into `directory`."""
    kind, options = parse_options_header(content_type or "")
    if kind != b"multipart/form-data" or b"boundary" not in options:
        raise ImportMediaTypeError("Send the files as multipart/form-data parts named households and/or members.")
    receiver = _Receiver(directory)
    parser = MultipartParser(options[b"boundary"], {
        "on_part_begin": receiver.on_part_begin, "on_header_field": receiver.on_header_field,
        "on_header_value": receiver.on_header_value, "on_header_end": receiver.on_header_end,
        "on_headers_finished": receiver.on_headers_finished, "on_part_data": receiver.on_part_data,
    })
    await anyio.to_thread.run_sync(lambda: directory.mkdir(parents=True, exist_ok=True))
    handles: dict[FileKind, BinaryIO] = {}
    buffered = 0
    try:
        async for chunk in stream:
            try:
                parser.write(chunk)
            except FormParserError as exc:
                raise ImportUploadError("The multipart body is malformed.") from exc
            buffered += len(chunk)
            if buffered >= _FLUSH_BYTES:
                await anyio.to_thread.run_sync(_flush, receiver, handles)
                buffered = 0
        parser.finalize()
        await anyio.to_thread.run_sync(_flush, receiver, handles)
    except BaseException:
        _close(handles)
        await anyio.to_thread.run_sync(lambda: shutil.rmtree(directory, ignore_errors=True))
        raise
    _close(handles)
    empty = [kind.value for kind, spooled in receiver.files.items() if spooled.size == 0]
    if not receiver.files or empty:
        await anyio.to_thread.run_sync(lambda: shutil.rmtree(directory, ignore_errors=True))
    if not receiver.files:
        raise ImportUploadError("Send a `households` file, a `members` file, or both.")
    if empty:
        raise ImportUploadError(f"The `{empty[0]}` file is empty: it needs at least its header line.",
                                errors=[{"pointer": f"/{kind}", "detail": "empty file"} for kind in empty])
    return receiver.files


def _flush(receiver: _Receiver, handles: dict[FileKind, BinaryIO]) -> None:
    for spooled, chunk in receiver.pending:
        handle = handles.get(spooled.kind)
        if handle is None:
            handle = handles[spooled.kind] = spooled.path.open("wb")
        handle.write(chunk)
    receiver.pending.clear()


def _close(handles: dict[FileKind, BinaryIO]) -> None:
    for handle in handles.values():
        handle.close()
