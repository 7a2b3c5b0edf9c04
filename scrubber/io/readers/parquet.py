"""Parquet (``PAR1``): each row becomes the JSON bytes of one record; its 1-based row number is its line.

A Parquet null is a JSON null (the catalogue's ``nulls:`` says what both mean). A row that cannot be converted and a
file that cannot be read to its end become ``ReadProblem``s; the rows before them are yielded as usual.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from scrubber.io.fs import FsConfig, SourceError, short_error
from scrubber.io.json_columns import convert_json, json_paths
from scrubber.io.lines import ReadProblem, SourceLine

MAGIC = b"PAR1"


def matches(head: bytes) -> bool:
    return head == MAGIC


def arrow_schema(uri: str, fs_config: FsConfig) -> pa.Schema:
    """The file's schema (verify checks its columns). Raises OSError or ArrowException."""
    fs, path = fs_config.resolve(uri)
    with fs.open_input_file(path) as handle:
        return pq.ParquetFile(handle).schema_arrow


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


def parquet_row_bytes(row: dict[str, Any]) -> bytes:
    """One Parquet row as the JSON bytes the core reads; raises TypeError for a value JSON cannot hold.

    A Parquet null becomes a JSON null, so the catalogue's ``nulls:`` decides for both in the same way.
    """
    return orjson.dumps(row, default=_json_default, option=orjson.OPT_NON_STR_KEYS)


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


def read(
    uri: str, fs_config: FsConfig, on_bytes: Callable[[int], None] | None, rows_per_batch: int = 1000
) -> Iterator[SourceLine | ReadProblem]:
    fs, path = fs_config.resolve(uri)
    row_no = 0
    try:
        handle = fs.open_input_file(path)
    except (OSError, pa.ArrowException) as exc:
        raise SourceError(f"cannot open {uri}: {short_error(exc)}") from None
    with handle:
        try:
            parquet = pq.ParquetFile(handle)
            total_rows = parquet.metadata.num_rows
            size = handle.size()
            paths = json_paths(parquet.schema_arrow)  # our JSON-text columns, written back as values
            for batch in parquet.iter_batches(batch_size=rows_per_batch):
                for row in _batch_rows(batch):
                    row_no += 1
                    if row is None:
                        yield ReadProblem(SourceLine(uri, row_no, b""), "invalid_utf8_in_parquet")
                        continue
                    try:
                        if paths:
                            row = convert_json(row, paths, orjson.loads)
                        data = parquet_row_bytes(row)
                    except (TypeError, orjson.JSONEncodeError, orjson.JSONDecodeError):
                        yield ReadProblem(SourceLine(uri, row_no, b""), "unsupported_parquet_value")
                        continue
                    yield SourceLine(uri, row_no, data)
                if on_bytes is not None and total_rows:
                    on_bytes(int(size * batch.num_rows / total_rows))
        except (OSError, pa.ArrowException) as exc:
            if isinstance(exc, (FileNotFoundError, PermissionError)):
                raise SourceError(f"cannot read {uri}: {short_error(exc)}") from None
            yield ReadProblem(SourceLine(uri, row_no + 1, b""), "unreadable_parquet")
