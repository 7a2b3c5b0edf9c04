"""The reader registry: one entry per input format, told apart by the file's first bytes, not its name.

``PAR1`` is Parquet, ``1f 8b`` is gzip (JSON lines inside), anything else is JSON lines. Every reader
yields numbered ``SourceLine``s (a Parquet row is its JSON bytes) and turns damage into ``ReadProblem``s.
A new format is one module with ``matches``, ``read`` (and optionally ``arrow_schema``) plus one entry here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

import pyarrow as pa

from scrubber.io.fs import FsConfig, SourceError, short_error
from scrubber.io.lines import ReadProblem, SourceLine
from scrubber.io.readers import gzip, jsonl, parquet

T = TypeVar("T")
ReadFn = Callable[[str, FsConfig, Callable[[int], None] | None], Iterator[SourceLine | ReadProblem]]


@dataclass(frozen=True)
class Reader:
    """One input format: how to recognise its first bytes, read it, and (for typed files) its schema."""

    name: str
    matches: Callable[[bytes], bool]
    read: ReadFn
    arrow_schema: Callable[[str, FsConfig], pa.Schema] | None = None


# Tried in order; the last one accepts anything.
READERS: dict[str, Reader] = {
    reader.name: reader
    for reader in (
        Reader("parquet", parquet.matches, parquet.read, parquet.arrow_schema),
        Reader("gzip", gzip.matches, gzip.read),
        Reader("jsonl", jsonl.matches, jsonl.read),
    )
}


def reader_for(uri: str, fs_config: FsConfig) -> Reader:
    """The reader whose magic the file's first bytes match."""
    fs, path = fs_config.resolve(uri)
    try:
        with fs.open_input_stream(path, compression=None) as stream:
            head = stream.read(4)
    except (OSError, pa.ArrowException) as exc:
        raise SourceError(f"cannot open {uri}: {short_error(exc)}") from None
    return next(reader for reader in READERS.values() if reader.matches(head))


def sniff(uri: str, fs_config: FsConfig) -> str:
    """'parquet', 'gzip' or 'jsonl', from the first bytes of the file."""
    return reader_for(uri, fs_config).name


def read_source(
    uri: str, fs_config: FsConfig, *, on_bytes: Callable[[int], None] | None = None
) -> Iterator[SourceLine | ReadProblem]:
    """Every line (or Parquet row) of one file, in order, with its 1-based number; damage as ReadProblem."""
    yield from reader_for(uri, fs_config).read(uri, fs_config, on_bytes)


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of up to ``size`` items, in order."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
