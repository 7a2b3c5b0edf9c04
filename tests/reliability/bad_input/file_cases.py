"""The whole-file cases: damaged gzip, Parquet with odd schemas, bad UTF-8 or cut in half, empty files, random bytes."""

from __future__ import annotations

import gzip
import random
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from tests.reliability.bad_input.model import Case, Out, Q, js
from tests.reliability.helpers import (
    pseudonym,
)

PQ_IBAN = "NL91ABNA0417164300"


def gzip_member(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def build_gzip_truncated(ts: Callable[[int], int]) -> bytes:
    whole = gzip_member(b"".join(js({"ts": ts(i), "status": 200}).encode() + b"\n" for i in (1, 2, 3)))
    second = gzip_member(b"".join(js({"ts": ts(i)}).encode() + b"\n" for i in range(4, 50)))
    return whole + second[:10]  # the second member stops right after its header


def build_gzip_cut_mid_stream(ts: Callable[[int], int]) -> bytes:
    rng = random.Random(3)
    lines = [
        js({"ts": ts(i), "pad": "".join(rng.choice("abcdefgh ") for _ in range(300))}).encode() for i in range(1, 201)
    ]
    data = gzip_member(b"\n".join(lines) + b"\n")
    return data[: len(data) // 2]


def gzip_cut_complete_lines() -> int:
    """How many whole lines survive the cut (decompressed here, independently of the reader)."""
    data = build_gzip_cut_mid_stream(lambda i: i)
    inflated = zlib.decompressobj(wbits=31).decompress(data)
    return inflated.count(b"\n")


def build_gzip_corrupt(ts: Callable[[int], int]) -> bytes:
    good = gzip_member(js({"ts": ts(1)}).encode() + b"\n")
    return good + b"\x1f\x8b\x08\x00" + bytes(range(256)) * 4  # a second "member" of garbage


def build_gzip_garbage_only(ts: Callable[[int], int]) -> bytes:
    return b"\x1f\x8b" + b"this is not deflate data" * 10


def build_gzip_empty(ts: Callable[[int], int]) -> bytes:
    return gzip_member(b"")


def parquet_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return sink.getvalue().to_pybytes()


def build_parquet_odd_schema(ts: Callable[[int], int]) -> bytes:
    n = 6
    stamps = [datetime.fromtimestamp(ts(i), UTC) for i in range(1, n + 1)]

    def col(values: dict[int, Any], kind: pa.DataType) -> pa.Array:
        return pa.array([values.get(i) for i in range(1, n + 1)], kind)

    import decimal

    table = pa.table(
        {
            "ts": pa.array(stamps, pa.timestamp("s", tz="UTC")),  # a timestamp column, not int or string
            "status": col({1: 200.0, 2: 404.5}, pa.float64()),
            "client": col({3: "203.0.113.7"}, pa.string()),  # a string where an object is expected
            "retry_count": col({4: decimal.Decimal("1.00")}, pa.decimal128(5, 2)),
            "messages": col(
                {5: {"role": "user", "content": "mail pq.struct@example.org"}},
                pa.struct([("role", pa.string()), ("content", pa.string())]),
            ),  # struct, not list
            "user_id": col({1: b"pq.binary@example.org"}, pa.binary()),
            "prompt": col({1: "mail pq.dict@example.org", 6: "iban " + PQ_IBAN}, pa.string()).dictionary_encode(),
            "headers": col({1: [("X-MSISDN", "+4915112340001")]}, pa.map_(pa.string(), pa.string())),
            "latency_ms": col({1: 1500}, pa.duration("ms")),
            "extra": col({6: [1, 2, 3]}, pa.list_(pa.int64())),
        }
    )
    return parquet_bytes(table)


def build_parquet_bad_utf8(ts: Callable[[int], int]) -> bytes:
    offsets = pa.py_buffer(b"".join(i.to_bytes(4, "little") for i in (0, 5, 7)))
    prompt = pa.Array.from_buffers(pa.string(), 2, [None, offsets, pa.py_buffer(b"hello\xff\xfe")])
    return parquet_bytes(pa.table({"ts": pa.array([ts(1), ts(2)], pa.int64()), "prompt": prompt}))


def build_parquet_truncated(ts: Callable[[int], int]) -> bytes:
    data = parquet_bytes(pa.table({"ts": pa.array([ts(i) for i in range(1, 100)], pa.int64())}))
    return data[: len(data) // 2]


def build_parquet_empty(ts: Callable[[int], int]) -> bytes:
    return parquet_bytes(pa.table({"ts": pa.array([], pa.int64()), "prompt": pa.array([], pa.string())}))


def build_binary_garbage(ts: Callable[[int], int]) -> bytes:
    return b"\x00" + random.Random(11).randbytes(30_000)


def garbage_lines() -> int:
    data = build_binary_garbage(lambda i: i)
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


def empty_builder(ts: Callable[[int], int]) -> bytes:
    return b""


GZIP_CUT_LINES = gzip_cut_complete_lines()
GARBAGE_LINES = garbage_lines()


LOOKS_LIKE_GARBAGE = ("not_json", "invalid_utf8", "empty_line", "not_an_object", "too_deep")


FILE_CASES: list[Case] = [
    Case(
        "gzip_truncated",
        "gzip that ends early (a member cut after its header)",
        ".jsonl.gz",
        build_gzip_truncated,
        (Out({"status": 200}), Out({"status": 200}), Out({"status": 200}), Q("truncated_gzip")),
    ),
    Case(
        "gzip_cut_mid_stream",
        "gzip cut in the middle of its deflate stream",
        ".jsonl.gz",
        build_gzip_cut_mid_stream,
        (*[Out()] * GZIP_CUT_LINES, Q("truncated_gzip")),
    ),
    Case(
        "gzip_corrupt", "gzip with a corrupt second member", ".jsonl.gz", build_gzip_corrupt, (Out(), Q("corrupt_gzip"))
    ),
    Case("gzip_garbage", "gzip magic followed by garbage", ".gz", build_gzip_garbage_only, (Q("corrupt_gzip"),)),
    Case("gzip_empty", "a valid gzip of zero bytes", ".jsonl.gz", build_gzip_empty, ()),
    Case(
        "parquet_unexpected_schema",
        "Parquet with an unexpected schema (timestamp ts, float status, string client, "
        "decimal retry_count, struct messages, binary user_id, map headers, duration, dictionary prompt)",
        ".parquet",
        build_parquet_odd_schema,
        (
            Out({"status": 200, "user_id": pseudonym("user", "pq.binary@example.org"), "prompt": "mail <EMAIL>"}),
            Q("invalid_not_integral", "status"),
            Q("wrong_shape", "client"),
            Q("invalid_not_an_integer", "retry_count"),
            Q("wrong_shape", "messages"),
            Out({"prompt": "iban <IBAN>"}),
        ),
        planted=(
            "pq.binary@example.org",
            "pq.dict@example.org",
            "pq.struct@example.org",
            "+4915112340001",
            PQ_IBAN,
            "203.0.113.7",
        ),
    ),
    Case(
        "parquet_invalid_utf8",
        "Parquet string column holding bytes that are not UTF-8",
        ".parquet",
        build_parquet_bad_utf8,
        (Out({"prompt": "hello"}), Q("invalid_utf8_in_parquet")),
    ),
    Case(
        "parquet_truncated",
        "a Parquet file cut in half",
        ".parquet",
        build_parquet_truncated,
        (Q("unreadable_parquet"),),
    ),
    Case("parquet_empty", "a Parquet file with a schema and no rows", ".parquet", build_parquet_empty, ()),
    Case("empty_file", "an empty input file (0 bytes)", ".jsonl", empty_builder, ()),
    Case(
        "binary_garbage",
        "30 KB of random bytes",
        ".bin",
        build_binary_garbage,
        (Q(LOOKS_LIKE_GARBAGE),) * GARBAGE_LINES,
    ),
]
