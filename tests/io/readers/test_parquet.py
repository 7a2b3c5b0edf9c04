"""Parquet: rows as JSON records numbered from one, values JSON cannot hold, invalid UTF-8, a cut file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from scrubber.io.readers import sniff
from scrubber.io.readers.parquet import parquet_row_bytes
from tests.io.readers.helpers import FS, lines_of, problems_of, read_all


def test_parquet_rows_become_json_records_numbered_from_one(tmp_path: Path) -> None:
    table = pa.Table.from_pylist(
        [
            {
                "ts": dt.datetime(2026, 11, 23, 10, 15, 2, tzinfo=dt.UTC),
                "status": 200,
                "client": {"ip": "203.0.113.7", "ua": None},
                "cookies": [("_ga", "GA1.2.3"), ("theme", "dark")],
                "tags": ["a", None],
            },
            {"ts": None, "status": None, "client": None, "cookies": None, "tags": None},
        ],
        schema=pa.schema(
            [
                ("ts", pa.timestamp("ms", tz="UTC")),
                ("status", pa.int32()),
                ("client", pa.struct([("ip", pa.string()), ("ua", pa.string())])),
                ("cookies", pa.map_(pa.string(), pa.string())),
                ("tags", pa.list_(pa.string())),
            ]
        ),
    )
    pq.write_table(table, tmp_path / "export.bin")
    assert sniff(str(tmp_path / "export.bin"), FS) == "parquet"
    items = read_all(tmp_path / "export.bin")
    assert [i.line_no for i in items] == [1, 2]  # type: ignore[union-attr]
    first = orjson.loads(items[0].data)  # type: ignore[union-attr]
    assert first == {
        "ts": "2026-11-23T10:15:02+00:00",
        "status": 200,
        "client": {"ip": "203.0.113.7", "ua": None},
        "cookies": [["_ga", "GA1.2.3"], ["theme", "dark"]],
        "tags": ["a", None],
    }
    # A Parquet null is a JSON null: the catalogue's nulls: decides what both mean.
    assert orjson.loads(items[1].data) == {"ts": None, "status": None, "client": None, "cookies": None, "tags": None}  # type: ignore[union-attr]


def test_parquet_values_json_cannot_hold_are_converted_or_reported() -> None:
    import decimal

    assert orjson.loads(parquet_row_bytes({"d": decimal.Decimal("1.50"), "b": b"ab\xff"})) == {
        "d": "1.50",
        "b": "ab\\xff",
    }
    with pytest.raises(TypeError):
        parquet_row_bytes({"x": object()})


def test_parquet_string_that_is_not_utf8_is_one_read_problem_for_its_row(tmp_path: Path) -> None:
    raw = pa.array([b"ok", b"\xff\xfe bad", b"fine"], type=pa.binary())
    strings = pa.Array.from_buffers(pa.string(), len(raw), raw.buffers())  # written without validation
    pq.write_table(pa.table({"prompt": strings, "ts": [1, 2, 3]}), tmp_path / "bad.parquet")
    items = read_all(tmp_path / "bad.parquet")
    assert [(n, orjson.loads(d)) for n, d in lines_of(items)] == [
        (1, {"prompt": "ok", "ts": 1}),
        (3, {"prompt": "fine", "ts": 3}),
    ]
    assert [(n, r) for n, r, _ in problems_of(items)] == [(2, "invalid_utf8_in_parquet")]


def test_parquet_cut_short_is_one_read_problem(tmp_path: Path) -> None:
    table = pa.Table.from_pylist([{"i": i} for i in range(100)])
    pq.write_table(table, tmp_path / "whole.parquet", row_group_size=10)
    data = (tmp_path / "whole.parquet").read_bytes()
    (tmp_path / "cut.parquet").write_bytes(data[: len(data) // 2])
    items = read_all(tmp_path / "cut.parquet")
    assert [(n, r) for n, r, _ in problems_of(items)] == [(1, "unreadable_parquet")]
