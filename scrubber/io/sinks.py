"""Atomic, sharded writers for the sandbox and the quarantine. Imports without Beam.

A run writes every shard under a temporary directory inside the target, ``.scrubber-tmp-<run id>/``
(hidden from DuckDB, pandas, polars and pyarrow datasets, which skip names starting with '.'
or '_'). Only when the whole run has finished are the shards that the run reported renamed into
place as ``part-00000-of-00003.parquet`` and the temporary directory removed. Shards written by
retried attempts are never reported, so they are removed with the directory. A commit that fails
half-way deletes the parts it had already moved, so no partial set stays visible.

Error messages name the column or reason, never a value.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import orjson
import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from scrubber.errors import ScrubberError
from scrubber.io.sources import FsConfig, join_uri

TMP_PREFIX = ".scrubber-tmp-"
AUDIT_NAME = "_audit.json"
SUMMARY_NAME = "_run_summary.json"
FORMATS = ("parquet", "jsonl")
EXTENSIONS = {"parquet": ".parquet", "jsonl": ".jsonl"}
PART_RE = re.compile(r"^part-\d{5}-of-\d{5}\.(parquet|jsonl)$")
ROW_GROUP_ROWS = 10_000  # rows buffered per open shard: bounds memory whatever the input size
PARQUET_COMPRESSION = "zstd"


class SinkError(ScrubberError):
    """Writing failed. Names the target and the column or reason, never a value."""


@dataclass(frozen=True, slots=True)
class ShardInfo:
    """One written temporary shard and how many rows it holds."""

    path: str
    rows: int


class ShardWriter(Protocol):
    path: str

    def write(self, records: Sequence[dict[str, Any]]) -> None: ...

    def close(self) -> ShardInfo: ...

    def abort(self) -> None: ...


def write_error(path: str, exc: BaseException) -> SinkError:
    """A write failure (disk full, file too large, permission) as a SinkError naming the file, not the data."""
    reason = (exc.strerror if isinstance(exc, OSError) else None) or str(exc).splitlines()[0][:200]
    return SinkError(f"cannot write {path}: {type(exc).__name__}: {reason}")


def temp_dir(target: str, run_id: str) -> str:
    return join_uri(target, TMP_PREFIX + run_id)


def new_shard_path(tmp_dir: str, fmt: str) -> str:
    return join_uri(tmp_dir, uuid.uuid4().hex + EXTENSIONS[fmt])


class JsonlShardWriter:
    """JSON lines, one record per line, UTF-8."""

    def __init__(self, fs_config: FsConfig, path: str) -> None:
        self.path = path
        fs, fs_path = fs_config.resolve(path)
        try:
            self._stream = fs.open_output_stream(fs_path, compression=None)
        except (OSError, pa.ArrowException) as exc:
            raise SinkError(f"cannot create {path}: {type(exc).__name__}") from None
        self._rows = 0

    def write(self, records: Sequence[dict[str, Any]]) -> None:
        try:
            data = b"".join(orjson.dumps(r) + b"\n" for r in records)
        except (TypeError, orjson.JSONEncodeError) as exc:
            # orjson's messages name the type or limit ("Integer exceeds 64-bit range"), not the value.
            raise SinkError(f"a scrubbed record cannot be written as JSON: {str(exc)[:120]}") from None
        try:
            self._stream.write(data)
        except (OSError, pa.ArrowException) as exc:
            raise write_error(self.path, exc) from None
        self._rows += len(records)

    def close(self) -> ShardInfo:
        try:
            self._stream.close()
        except (OSError, pa.ArrowException) as exc:
            raise write_error(self.path, exc) from None
        return ShardInfo(self.path, self._rows)

    def abort(self) -> None:
        with contextlib.suppress(OSError, pa.ArrowException):
            self._stream.close()


class ParquetShardWriter:
    """Parquet with the catalogue's schema; rows are buffered into row groups of ``row_group_rows``."""

    def __init__(self, fs_config: FsConfig, path: str, schema: pa.Schema, row_group_rows: int = ROW_GROUP_ROWS) -> None:
        self.path = path
        self.schema = schema
        fs, fs_path = fs_config.resolve(path)
        try:
            self._stream = fs.open_output_stream(fs_path, compression=None)
        except (OSError, pa.ArrowException) as exc:
            raise SinkError(f"cannot create {path}: {type(exc).__name__}") from None
        self._writer = pq.ParquetWriter(self._stream, schema, compression=PARQUET_COMPRESSION)
        self._buffer: list[dict[str, Any]] = []
        self._row_group_rows = row_group_rows
        self._rows = 0

    def write(self, records: Sequence[dict[str, Any]]) -> None:
        self._buffer.extend(records)
        if len(self._buffer) >= self._row_group_rows:
            self._flush()

    def _flush(self) -> None:
        if not self._buffer:
            return
        table = to_table(self._buffer, self.schema)
        try:
            self._writer.write_table(table, row_group_size=len(self._buffer))
        except (OSError, pa.ArrowException) as exc:
            raise write_error(self.path, exc) from None
        self._rows += len(self._buffer)
        self._buffer = []

    def close(self) -> ShardInfo:
        self._flush()
        try:
            self._writer.close()
            self._stream.close()
        except (OSError, pa.ArrowException) as exc:
            raise write_error(self.path, exc) from None
        return ShardInfo(self.path, self._rows)

    def abort(self) -> None:
        self._buffer = []
        for closer in (self._writer.close, self._stream.close):
            with contextlib.suppress(OSError, pa.ArrowException):
                closer()


def to_table(records: Sequence[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    """Records as a table of the schema. Keys outside the schema cannot pass (default deny)."""
    try:
        return pa.Table.from_pylist(list(records), schema=schema)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        pass
    # Find the column without quoting Arrow's message, which contains the offending value.
    for field in schema:
        try:
            pa.array([r.get(field.name) for r in records], type=field.type)
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            raise SinkError(
                f"a scrubbed value in column {field.name!r} does not fit the Parquet type {field.type} that the "
                "catalogue declares; this is a bug in a rule's output type (or use --format jsonl)"
            ) from None
    raise SinkError("scrubbed records do not fit the Parquet schema the catalogue declares")


def open_shard(fs_config: FsConfig, tmp_dir: str, fmt: str, schema: pa.Schema | None) -> ShardWriter:
    path = new_shard_path(tmp_dir, fmt)
    if fmt == "parquet":
        if schema is None:
            raise SinkError("Parquet output needs a schema")
        return ParquetShardWriter(fs_config, path, schema)
    return JsonlShardWriter(fs_config, path)


# --- committing ----------------------------------------------------------------------------------


def make_dirs(fs_config: FsConfig, uri: str) -> None:
    fs, path = fs_config.resolve(uri)
    try:
        fs.create_dir(path, recursive=True)
    except (OSError, pa.ArrowException) as exc:
        raise SinkError(f"cannot create directory {uri}: {type(exc).__name__}: {str(exc)[:200]}") from None


def existing_outputs(fs_config: FsConfig, target: str) -> list[str]:
    """Files of an earlier run in ``target``: shards and the audit (temporary directories are not outputs)."""
    fs, path = fs_config.resolve(target)
    try:
        info = fs.get_file_info(path)
        if info.type == pafs.FileType.NotFound:
            return []
        if info.type != pafs.FileType.Directory:
            raise SinkError(f"cannot create directory {target}: it exists and is not a directory")
        infos = fs.get_file_info(pafs.FileSelector(path, recursive=False))
    except (OSError, pa.ArrowException) as exc:
        raise SinkError(f"cannot list {target}: {type(exc).__name__}") from None
    names = [i.base_name for i in infos]
    return sorted(n for n in names if PART_RE.match(n) or n == AUDIT_NAME)


def shard_name(index: int, count: int, fmt: str) -> str:
    return f"part-{index:05d}-of-{count:05d}{EXTENSIONS[fmt]}"


def commit_shards(
    fs_config: FsConfig,
    shards: Sequence[ShardInfo],
    target: str,
    fmt: str,
    *,
    schema: pa.Schema | None = None,
    replace: bool = False,
    write_empty: bool = True,
) -> list[str]:
    """Rename the reported shards into ``target`` as part-NNNNN-of-MMMMM; returns the final names.

    With ``replace`` the shards and audit of an earlier run are removed first (only now, so the old
    output stays readable while the new one is being computed). Empty shards are skipped; if no
    rows were written at all and ``write_empty`` is set, one empty shard is written so that readers
    still find the schema.
    """
    fs, target_path = fs_config.resolve(target)
    if replace:
        for name in existing_outputs(fs_config, target):
            _delete(fs, f"{target_path}/{name}")
    kept = sorted((s for s in shards if s.rows > 0), key=lambda s: s.path)
    names: list[str] = []
    if not kept:
        if not write_empty:
            return names
        name = shard_name(0, 1, fmt)
        path = join_uri(target, name)
        writer = (
            ParquetShardWriter(fs_config, path, schema)
            if fmt == "parquet" and schema is not None
            else JsonlShardWriter(fs_config, path)
        )
        writer.close()
        return [name]
    for index, shard in enumerate(kept):
        name = shard_name(index, len(kept), fmt)
        _, source_path = fs_config.resolve(shard.path)
        try:
            _move(fs, source_path, f"{target_path}/{name}")
        except (OSError, pa.ArrowException) as exc:
            unpublish(fs_config, target, names)  # no partial set of parts stays visible
            raise SinkError(f"cannot move a shard into {target}: {type(exc).__name__}: {str(exc)[:200]}") from None
        names.append(name)
    return names


def _move(fs: pafs.FileSystem, source: str, destination: str) -> None:
    fs.move(source, destination)


def unpublish(fs_config: FsConfig, target: str, names: Sequence[str]) -> list[str]:
    """Best effort: delete files a failed commit already put in ``target``; returns the ones that stayed."""
    fs, target_path = fs_config.resolve(target)
    left = []
    for name in names:
        try:
            fs.delete_file(f"{target_path}/{name}")
        except FileNotFoundError:
            pass
        except (OSError, pa.ArrowException):
            left.append(name)
    return left


def stale_temp_dirs(fs_config: FsConfig, target: str) -> list[str]:
    """Temporary directories (``.scrubber-tmp-*``) in ``target``, e.g. left by a run that was killed."""
    fs, path = fs_config.resolve(target)
    try:
        infos = fs.get_file_info(pafs.FileSelector(path, recursive=False, allow_not_found=True))
    except (OSError, pa.ArrowException) as exc:
        raise SinkError(f"cannot list {target}: {type(exc).__name__}") from None
    return sorted(
        join_uri(target, i.base_name)
        for i in infos
        if i.type == pafs.FileType.Directory and i.base_name.startswith(TMP_PREFIX)
    )


def _delete(fs: pafs.FileSystem, path: str) -> None:
    try:
        fs.delete_file(path)
    except FileNotFoundError:
        pass
    except (OSError, pa.ArrowException) as exc:
        raise SinkError(f"cannot delete {path}: {type(exc).__name__}") from None


def remove_tree(fs_config: FsConfig, uri: str) -> None:
    fs, path = fs_config.resolve(uri)
    try:
        fs.delete_dir(path)
    except FileNotFoundError:
        pass
    except (OSError, pa.ArrowException) as exc:
        raise SinkError(f"cannot remove {uri}: {type(exc).__name__}") from None


def write_json_atomic(fs_config: FsConfig, uri: str, value: Any) -> None:
    """Write JSON to a temporary name beside ``uri``, then rename it over ``uri``."""
    data = orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
    fs, path = fs_config.resolve(uri)
    parent, _, name = path.rpartition("/")
    tmp = f"{parent}/.{name}.{uuid.uuid4().hex}.tmp"
    try:
        with fs.open_output_stream(tmp, compression=None) as stream:
            stream.write(data)
        fs.move(tmp, path)
    except (OSError, pa.ArrowException) as exc:
        raise SinkError(f"cannot write {uri}: {type(exc).__name__}: {str(exc)[:200]}") from None


def read_json(fs_config: FsConfig, uri: str) -> Any:
    fs, path = fs_config.resolve(uri)
    try:
        with fs.open_input_stream(path, compression=None) as stream:
            return orjson.loads(stream.read())
    except (OSError, pa.ArrowException) as exc:
        raise SinkError(f"cannot read {uri}: {type(exc).__name__}: {str(exc)[:200]}") from None
