"""JSON lines: the file is split into numbered lines; each line is one record (decoded by the core)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pyarrow as pa

from scrubber.io import lines as limits
from scrubber.io.fs import FsConfig, SourceError, short_error
from scrubber.io.lines import Damage, ReadProblem, SourceLine

CHUNK_BYTES = 1 << 20


def matches(head: bytes) -> bool:
    """Anything that is not another format's magic is read as JSON lines."""
    return True


def read(uri: str, fs_config: FsConfig, on_bytes: Callable[[int], None] | None) -> Iterator[SourceLine | ReadProblem]:
    with open_stream(uri, fs_config) as stream:
        yield from split_lines(uri, ((chunk, None) for chunk in raw_chunks(stream, uri, on_bytes)))


def open_stream(uri: str, fs_config: FsConfig) -> Any:
    fs, path = fs_config.resolve(uri)
    try:
        return fs.open_input_stream(path, compression=None)
    except (OSError, pa.ArrowException) as exc:
        raise SourceError(f"cannot open {uri}: {short_error(exc)}") from None


def raw_chunks(stream: Any, uri: str, on_bytes: Callable[[int], None] | None) -> Iterator[bytes]:
    while True:
        try:
            chunk = stream.read(CHUNK_BYTES)
        except (OSError, pa.ArrowException) as exc:
            raise SourceError(f"error reading {uri}: {short_error(exc)}") from None
        if not chunk:
            return
        if on_bytes is not None:
            on_bytes(len(chunk))
        yield bytes(chunk)


def clip(line: bytes) -> bytes:
    """Lines over the limit are cut to limit + 1 bytes, which decode_line rejects as line_too_long."""
    return line[: limits.MAX_LINE_BYTES + 1] if len(line) > limits.MAX_LINE_BYTES else line


def split_lines(uri: str, pieces: Iterable[tuple[bytes, Damage | None]]) -> Iterator[SourceLine | ReadProblem]:
    """Numbered lines from data pieces; a reported damage ends the file with a ReadProblem."""
    line_no = 0
    buffer = bytearray()  # the start of a line whose end is in a later piece
    overflow = False  # the buffered line is over the limit; the rest of it is skipped
    for data, problem in pieces:
        if data:
            parts = data.split(b"\n")
            if len(parts) > 1:
                if buffer or overflow:
                    if not overflow:
                        buffer += parts[0]
                    line = clip(bytes(buffer))
                    buffer.clear()
                    overflow = False
                else:
                    line = clip(parts[0])
                line_no += 1
                yield SourceLine(uri, line_no, line)
                for middle in parts[1:-1]:
                    line_no += 1
                    yield SourceLine(uri, line_no, clip(middle))
            if not overflow:
                buffer += parts[-1]
                if len(buffer) > limits.MAX_LINE_BYTES:
                    del buffer[limits.MAX_LINE_BYTES + 1 :]
                    overflow = True
        if problem is not None:
            line_no += 1
            yield ReadProblem(SourceLine(uri, line_no, bytes(buffer)), problem.reason, problem.unread_bytes)
            return
    if buffer or overflow:
        line_no += 1
        yield SourceLine(uri, line_no, bytes(buffer))
