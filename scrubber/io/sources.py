"""Input files for a run: glob expansion and reading raw files into numbered SourceLines. Imports without Beam.

Local paths, ``gs://`` and ``s3://`` go through pyarrow.fs; S3-compatible servers take an endpoint
(``FsConfig(s3_endpoint_url=...)``), credentials always come from the environment
(``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY`` or the usual AWS configuration), never from arguments.

A file's format is decided by its first bytes, not its name: ``PAR1`` is Parquet, ``1f 8b`` is gzip
(JSON lines inside), anything else is JSON lines. Line numbers are 1-based; for Parquet the "line"
is the 1-based row number. A gzip stream that ends early or is corrupt, and a Parquet file that
cannot be read to its end, do not stop the run: the lines read before the damage are yielded as
usual and the damage itself becomes one ``ReadProblem`` (a quarantine entry) at the next line number.
"""

from __future__ import annotations

import datetime as dt
import decimal
import os
import re
import uuid
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

import orjson
import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from scrubber.errors import ScrubberError
from scrubber.records import MAX_LINE_BYTES, SourceLine

CHUNK_BYTES = 1 << 20
INFLATE_PIECE_BYTES = 4 << 20
PARQUET_MAGIC = b"PAR1"
GZIP_MAGIC = b"\x1f\x8b"
_GLOB_CHARS = frozenset("*?[")

T = TypeVar("T")


class SourceError(ScrubberError):
    """An input cannot be listed or opened (missing, no permission, unreachable). Names the path only."""


@dataclass(frozen=True, slots=True)
class ReadProblem:
    """Damage found while reading a file. ``line`` says where (its data is what was read of that line)."""

    line: SourceLine
    reason: str


@dataclass(frozen=True, slots=True)
class InputFile:
    """One matched input file: its URI as given back to the user, and its size in bytes."""

    uri: str
    size: int


# --- file systems --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FsConfig:
    """How to reach object stores. Picklable; holds no credentials."""

    s3_endpoint_url: str | None = None
    s3_region: str | None = None

    def resolve(self, uri: str) -> tuple[pafs.FileSystem, str]:
        """The file system for a URI or local path, and the path inside it."""
        scheme = _scheme(uri)
        if scheme == "s3":
            return self._s3(), uri[len("s3://") :].rstrip("/")
        if scheme in ("", "file"):
            path = uri[len("file://") :] if scheme == "file" else uri
            return pafs.LocalFileSystem(), os.path.abspath(os.path.expanduser(path))
        try:
            fs, path = pafs.FileSystem.from_uri(uri)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError) as exc:
            raise SourceError(
                f"{uri}: unsupported location ({_short(exc)}); use a local path, gs:// or s3://"
            ) from None
        return fs, path.rstrip("/")

    def _s3(self) -> pafs.FileSystem:
        kwargs: dict[str, Any] = {"region": self.s3_region or os.environ.get("AWS_REGION") or "us-east-1"}
        if self.s3_endpoint_url:
            url = self.s3_endpoint_url if "://" in self.s3_endpoint_url else "https://" + self.s3_endpoint_url
            parts = urlsplit(url)
            kwargs["scheme"] = parts.scheme or "https"
            kwargs["endpoint_override"] = parts.netloc
        return pafs.S3FileSystem(**kwargs)


def _scheme(uri: str) -> str:
    match = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*)://", uri)
    return match.group(1).lower() if match else ""


def uri_for(original: str, fs_path: str) -> str:
    """A URI for a path inside the file system that ``original`` resolved to."""
    scheme = _scheme(original)
    return f"{scheme}://{fs_path}" if scheme not in ("", "file") else fs_path


def join_uri(base: str, *names: str) -> str:
    return "/".join([base.rstrip("/"), *names])


def _short(exc: BaseException) -> str:
    """An OS/Arrow error without paths or data beyond its first line."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


# --- globbing ------------------------------------------------------------------------------------


def _glob_regex(pattern: str) -> re.Pattern[str]:
    """Shell-style: ``*`` and ``?`` stay within a path segment, ``**`` crosses segments, ``[...]`` classes."""
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:[^/]+/)*")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end < 0:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1 : end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out) + r"\Z")


def _hidden(path: str, base: str) -> bool:
    """True if any segment below ``base`` starts with '.' or '_' (temp files, markers, manifests)."""
    relative = path[len(base) :].lstrip("/")
    return any(part.startswith((".", "_")) for part in relative.split("/"))


def expand_inputs(patterns: Sequence[str], fs_config: FsConfig) -> list[InputFile]:
    """Every file matched by the patterns, sorted and de-duplicated. Raises SourceError if one matches nothing.

    A pattern is a file, a directory (its files, not recursive) or a glob. Files whose names start
    with '.' or '_' are skipped unless named exactly.
    """
    found: dict[str, InputFile] = {}
    for pattern in patterns:
        fs, path = fs_config.resolve(pattern)
        matched = _expand_one(fs, path, pattern)
        if not matched:
            raise SourceError(f"no input file matches {pattern!r}")
        for fs_path, size in matched:
            uri = uri_for(pattern, fs_path)
            found[uri] = InputFile(uri, size)
    return [found[k] for k in sorted(found)]


def _expand_one(fs: pafs.FileSystem, path: str, pattern: str) -> list[tuple[str, int]]:
    segments = path.split("/")
    first_glob = next((i for i, s in enumerate(segments) if _GLOB_CHARS & set(s)), None)
    try:
        if first_glob is None:
            info = fs.get_file_info(path)
            if info.type == pafs.FileType.File:
                return [(path, info.size or 0)]
            if info.type == pafs.FileType.Directory:
                infos = fs.get_file_info(pafs.FileSelector(path, recursive=False))
                return sorted(
                    (i.path, i.size or 0) for i in infos if i.type == pafs.FileType.File and not _hidden(i.path, path)
                )
            return []
        base = "/".join(segments[:first_glob]) or "/"
        recursive = first_glob < len(segments) - 1 or "**" in path
        infos = fs.get_file_info(pafs.FileSelector(base, recursive=recursive, allow_not_found=True))
    except (OSError, pa.ArrowException) as exc:
        raise SourceError(f"cannot list {pattern!r}: {_short(exc)}") from None
    regex = _glob_regex(path)
    return sorted(
        (i.path, i.size or 0)
        for i in infos
        if i.type == pafs.FileType.File and regex.match(i.path) and not _hidden_unless_named(i.path, base, path)
    )


def _hidden_unless_named(found: str, base: str, pattern: str) -> bool:
    """Hidden files are matched only by a pattern segment that itself starts with '.' or '_'."""
    relative = found[len(base) :].lstrip("/").split("/")
    pattern_parts = pattern[len(base) :].lstrip("/").split("/")
    for i, part in enumerate(relative):
        if part.startswith((".", "_")):
            wanted = pattern_parts[i] if i < len(pattern_parts) else ""
            if not wanted.startswith(part[0]):
                return True
    return False


# --- reading -------------------------------------------------------------------------------------


def sniff(uri: str, fs_config: FsConfig) -> str:
    """'parquet', 'gzip' or 'jsonl', from the first bytes of the file."""
    fs, path = fs_config.resolve(uri)
    try:
        with fs.open_input_stream(path, compression=None) as stream:
            head = stream.read(4)
    except (OSError, pa.ArrowException) as exc:
        raise SourceError(f"cannot open {uri}: {_short(exc)}") from None
    if head == PARQUET_MAGIC:
        return "parquet"
    if head[:2] == GZIP_MAGIC:
        return "gzip"
    return "jsonl"


def read_source(
    uri: str, fs_config: FsConfig, *, on_bytes: Callable[[int], None] | None = None
) -> Iterator[SourceLine | ReadProblem]:
    """Every line (or Parquet row) of one file, in order, with its 1-based number; damage as ReadProblem."""
    kind = sniff(uri, fs_config)
    if kind == "parquet":
        yield from _read_parquet(uri, fs_config, on_bytes)
        return
    fs, path = fs_config.resolve(uri)
    try:
        stream = fs.open_input_stream(path, compression=None)
    except (OSError, pa.ArrowException) as exc:
        raise SourceError(f"cannot open {uri}: {_short(exc)}") from None
    with stream:
        chunks = _raw_chunks(stream, uri, on_bytes)
        if kind == "gzip":
            yield from _split_lines(uri, _gunzip(chunks))
        else:
            yield from _split_lines(uri, ((c, None) for c in chunks))


def _raw_chunks(stream: Any, uri: str, on_bytes: Callable[[int], None] | None) -> Iterator[bytes]:
    while True:
        try:
            chunk = stream.read(CHUNK_BYTES)
        except (OSError, pa.ArrowException) as exc:
            raise SourceError(f"error reading {uri}: {_short(exc)}") from None
        if not chunk:
            return
        if on_bytes is not None:
            on_bytes(len(chunk))
        yield bytes(chunk)


def _gunzip(chunks: Iterable[bytes]) -> Iterator[tuple[bytes, str | None]]:
    """Decompressed data; a final item carries a problem reason if the stream is damaged.

    Concatenated gzip members (as ``cat a.gz b.gz`` makes) are read one after another. Output is
    produced in bounded pieces, so a small file that inflates hugely does not fill memory at once.
    """
    decomp = zlib.decompressobj(wbits=31)
    in_member = False  # bytes of the current member were fed and its end was not seen yet
    for chunk in chunks:
        data = chunk
        while True:
            if data:
                in_member = True
            try:
                out = decomp.decompress(data, INFLATE_PIECE_BYTES)
            except zlib.error:
                yield b"", "corrupt_gzip"
                return
            if out:
                yield out, None
            if decomp.eof:
                data = decomp.unused_data
                decomp = zlib.decompressobj(wbits=31)
                in_member = False
                if not data:
                    break
                continue
            data = decomp.unconsumed_tail
            if not data and len(out) < INFLATE_PIECE_BYTES:
                break
    if in_member:
        yield b"", "truncated_gzip"


def _clip(line: bytes) -> bytes:
    """Lines over the limit are cut to limit + 1 bytes, which decode_line rejects as line_too_long."""
    return line[: MAX_LINE_BYTES + 1] if len(line) > MAX_LINE_BYTES else line


def _split_lines(uri: str, pieces: Iterable[tuple[bytes, str | None]]) -> Iterator[SourceLine | ReadProblem]:
    """Numbered lines from data pieces; a problem reason ends the file with a ReadProblem."""
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
                    line = _clip(bytes(buffer))
                    buffer.clear()
                    overflow = False
                else:
                    line = _clip(parts[0])
                line_no += 1
                yield SourceLine(uri, line_no, line)
                for middle in parts[1:-1]:
                    line_no += 1
                    yield SourceLine(uri, line_no, _clip(middle))
            if not overflow:
                buffer += parts[-1]
                if len(buffer) > MAX_LINE_BYTES:
                    del buffer[MAX_LINE_BYTES + 1 :]
                    overflow = True
        if problem is not None:
            line_no += 1
            yield ReadProblem(SourceLine(uri, line_no, bytes(buffer)), problem)
            return
    if buffer or overflow:
        line_no += 1
        yield SourceLine(uri, line_no, bytes(buffer))


# --- Parquet -------------------------------------------------------------------------------------


def _json_default(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", "backslashreplace")
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(type(value).__name__)


def _drop_nulls(value: Any) -> Any:
    """A null in a Parquet column means the field is absent, as a missing key in JSON lines."""
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value


def parquet_row_bytes(row: dict[str, Any]) -> bytes:
    """One Parquet row as the JSON bytes the core reads; raises TypeError for a value JSON cannot hold."""
    return orjson.dumps(_drop_nulls(row), default=_json_default, option=orjson.OPT_NON_STR_KEYS)


def _batch_rows(batch: pa.RecordBatch) -> list[dict[str, Any] | None]:
    """The rows of a batch as dicts; a row that cannot be converted (a string column holding bytes that
    are not UTF-8, which Parquet writers do not all check) is None instead of failing the whole file."""
    try:
        whole: list[dict[str, Any] | None] = batch.to_pylist()
        return whole
    except (UnicodeDecodeError, ValueError):
        pass
    rows: list[dict[str, Any] | None] = []
    for i in range(batch.num_rows):
        try:
            rows.append(batch.slice(i, 1).to_pylist()[0])
        except (UnicodeDecodeError, ValueError):
            rows.append(None)
    return rows


def _read_parquet(
    uri: str, fs_config: FsConfig, on_bytes: Callable[[int], None] | None, rows_per_batch: int = 1000
) -> Iterator[SourceLine | ReadProblem]:
    fs, path = fs_config.resolve(uri)
    row_no = 0
    try:
        handle = fs.open_input_file(path)
    except (OSError, pa.ArrowException) as exc:
        raise SourceError(f"cannot open {uri}: {_short(exc)}") from None
    with handle:
        try:
            parquet = pq.ParquetFile(handle)
            total_rows = parquet.metadata.num_rows
            size = handle.size()
            for batch in parquet.iter_batches(batch_size=rows_per_batch):
                for row in _batch_rows(batch):
                    row_no += 1
                    if row is None:
                        yield ReadProblem(SourceLine(uri, row_no, b""), "invalid_utf8_in_parquet")
                        continue
                    try:
                        data = parquet_row_bytes(row)
                    except (TypeError, orjson.JSONEncodeError):
                        yield ReadProblem(SourceLine(uri, row_no, b""), "unsupported_parquet_value")
                        continue
                    yield SourceLine(uri, row_no, data)
                if on_bytes is not None and total_rows:
                    on_bytes(int(size * batch.num_rows / total_rows))
        except (OSError, pa.ArrowException) as exc:
            if isinstance(exc, (FileNotFoundError, PermissionError)):
                raise SourceError(f"cannot read {uri}: {_short(exc)}") from None
            yield ReadProblem(SourceLine(uri, row_no + 1, b""), "unreadable_parquet")


# --- batching ------------------------------------------------------------------------------------


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
