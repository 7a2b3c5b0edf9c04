"""Rewriting a stored shard without some of its rows, atomically (``scrubber subject --delete``).

The kept rows go to a hidden temporary file in the shard's directory (``.<name>.<random>.tmp``, which
readers and ``scrubber verify`` skip), and that file is renamed over the shard. JSON lines keep their
bytes exactly; Parquet keeps its schema with its metadata and is written with zstd, in row groups of the
writer's size. Before the rename the shard's hash is checked again, so a shard that changed while it was
rewritten is left as it was.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from scrubber.io.digests import FileDigest, file_digest
from scrubber.io.fs import FsConfig, SourceError, short_error
from scrubber.io.publish import temp_beside
from scrubber.io.writers import SinkError
from scrubber.io.writers.modes import mode_of, set_mode
from scrubber.io.writers.parquet import PARQUET_COMPRESSION, ROW_GROUP_ROWS

CHUNK_BYTES = 1 << 20
REWRITABLE = ("jsonl", "parquet")


@dataclass(frozen=True, slots=True)
class Rewritten:
    """Rows of a shard before and after the rewrite, and the digest of the new file."""

    rows_before: int
    rows_after: int
    digest: FileDigest


def raw_lines(fs_config: FsConfig, uri: str) -> Iterator[bytes]:
    """The lines of a stored file with their line endings, byte for byte (the last may lack one).

    Numbered from 1 they are the lines the JSON-lines reader yields."""
    fs, path = fs_config.resolve(uri)
    try:
        with fs.open_input_stream(path, compression=None) as stream:
            pending = bytearray()
            while chunk := stream.read(CHUNK_BYTES):
                pending += chunk
                end = pending.rfind(b"\n")
                if end < 0:
                    continue
                yield from bytes(pending[: end + 1]).splitlines(keepends=True)
                del pending[: end + 1]
            if pending:
                yield bytes(pending)
    except (OSError, pa.ArrowException) as exc:
        raise SourceError(f"cannot read {uri}: {short_error(exc)}") from None


def _jsonl_rows(line: bytes) -> int:
    return 1 if line.strip() else 0


def rewrite_without(fs_config: FsConfig, uri: str, fmt: str, drop: Collection[int], expected: FileDigest) -> Rewritten:
    """Replace ``uri`` (``fmt`` 'jsonl' or 'parquet') by a copy without the 1-based rows ``drop``.

    ``expected`` is the shard's digest when its rows were chosen; if the shard no longer has it, nothing
    is replaced. Raises SinkError or SourceError; the shard is then unchanged and no temporary file stays.
    """
    if fmt not in REWRITABLE:
        raise SinkError(f"cannot rewrite {uri}: only JSON lines and Parquet shards can be rewritten, not {fmt}")
    fs, path = fs_config.resolve(uri)
    tmp, tmp_uri = temp_beside(uri, path)
    write = _write_jsonl if fmt == "jsonl" else _write_parquet
    try:
        mode = mode_of(fs_config, uri)
        if mode is not None:  # the copy has the shard's mode (0600 in the quarantine) before any row is in it
            fs.open_output_stream(tmp, compression=None).close()
            set_mode(fs_config, tmp_uri, mode)
        rows_before, rows_after = write(fs_config, uri, tmp, frozenset(drop))
        if file_digest(fs_config, uri) != expected:
            raise SinkError(f"{uri} changed while it was being rewritten; it was left as it is. Run again")
        fs.move(tmp, path)
    except (OSError, pa.ArrowException) as exc:
        _remove(fs, tmp)
        raise SinkError(f"cannot rewrite {uri}: {type(exc).__name__}: {short_error(exc)}") from None
    except BaseException:
        _remove(fs, tmp)
        raise
    return Rewritten(rows_before, rows_after, file_digest(fs_config, uri))


def _remove(fs: pafs.FileSystem, path: str) -> None:
    with contextlib.suppress(OSError, pa.ArrowException):
        fs.delete_file(path)


def _write_jsonl(fs_config: FsConfig, uri: str, tmp: str, drop: frozenset[int]) -> tuple[int, int]:
    fs, _ = fs_config.resolve(uri)
    before = after = 0
    with fs.open_output_stream(tmp, compression=None) as out:
        for line_no, line in enumerate(raw_lines(fs_config, uri), 1):
            rows = _jsonl_rows(line)
            before += rows
            if line_no not in drop:
                out.write(line)
                after += rows
    return before, after


def _write_parquet(fs_config: FsConfig, uri: str, tmp: str, drop: frozenset[int]) -> tuple[int, int]:
    fs, path = fs_config.resolve(uri)
    before = after = 0
    with fs.open_input_file(path) as handle, fs.open_output_stream(tmp, compression=None) as out:
        source = pq.ParquetFile(handle)
        schema = source.schema_arrow  # with the file's metadata (key id, run id, JSON-column marks)
        with pq.ParquetWriter(out, schema, compression=PARQUET_COMPRESSION) as writer:
            for batch in source.iter_batches(batch_size=ROW_GROUP_ROWS):
                keep = _keep_mask(before, batch.num_rows, drop.__contains__)
                before += batch.num_rows
                kept = batch.filter(keep)
                if kept.num_rows:
                    writer.write_batch(kept, row_group_size=ROW_GROUP_ROWS)
                    after += kept.num_rows
    return before, after


def _keep_mask(offset: int, count: int, dropped: Callable[[int], bool]) -> pa.Array:
    """True for the rows of a batch to keep; its first row is row ``offset + 1`` of the file."""
    return pa.array([not dropped(offset + i) for i in range(1, count + 1)], type=pa.bool_())
