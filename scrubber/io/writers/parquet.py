"""Parquet output, typed by the catalogue: the output shape becomes an Arrow schema; zstd row groups."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from scrubber.errors import CatalogueError
from scrubber.io.fs import FsConfig
from scrubber.io.json_columns import JSON_METADATA, convert_json, json_paths
from scrubber.io.writers.base import Format, ShardInfo, SinkError, write_error

ROW_GROUP_ROWS = 10_000  # rows buffered per open shard: bounds memory whatever the input size
PARQUET_COMPRESSION = "zstd"

_SCALARS = {"string": pa.string(), "int64": pa.int64(), "double": pa.float64(), "bool": pa.bool_()}


def _field(name: str, shape: Any, path: str) -> pa.Field:
    if shape == "json":
        return pa.field(name, pa.string(), metadata=JSON_METADATA)
    return pa.field(name, _arrow_type(shape, path))


def _arrow_type(shape: Any, path: str) -> pa.DataType:
    if shape == "json":
        return pa.string()
    if isinstance(shape, str):
        if shape == "glob":
            raise CatalogueError(
                f"{path or 'the record'}: a glob rule keeps values under names not known in advance, "
                "which a typed Parquet schema cannot hold; use --format jsonl or name the fields."
            )
        return _SCALARS[shape]
    if "list" in shape and len(shape) == 1:
        item = shape["list"]
        return pa.list_(_field("item", item, path + "[*]") if item == "json" else _arrow_type(item, path + "[*]"))
    fields = [_field(name, sub, f"{path}.{name}" if path else name) for name, sub in shape.items()]
    return pa.struct(fields)


def arrow_schema(shape: dict[str, Any]) -> pa.Schema:
    """Every kept field is nullable: a missing input field is a null, never a made-up value. A field whose
    shape varies (``"json"``) is a string column of JSON text, marked with ``JSON_METADATA``."""
    return pa.schema([_field(name, sub, name) for name, sub in shape.items()])


def _to_json_text(value: Any) -> str:
    return orjson.dumps(value).decode("utf-8")


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
    paths = json_paths(schema)
    if paths:
        records = [convert_json(record, paths, _to_json_text) for record in records]
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


FORMAT = Format(
    name="parquet",
    extension=".parquet",
    layout=arrow_schema,
    open=lambda fs_config, path, layout: ParquetShardWriter(fs_config, path, layout),
)
