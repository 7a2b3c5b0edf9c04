"""Input globbing and reading: JSON lines, gzip (multi-member, cut short, corrupt), Parquet, line numbers."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from scrubber.io.fs import FsConfig, SourceError, expand_inputs
from scrubber.io.lines import ReadProblem
from scrubber.io.readers import batched, read_source, sniff
from scrubber.io.readers.parquet import parquet_row_bytes
from scrubber.records import MAX_LINE_BYTES, SourceLine, decode_line

FS = FsConfig()


def read_all(path: Path) -> list[SourceLine | ReadProblem]:
    return list(read_source(str(path), FS))


def lines_of(items: list[SourceLine | ReadProblem]) -> list[tuple[int, bytes]]:
    return [(i.line_no, i.data) for i in items if isinstance(i, SourceLine)]


def problems_of(items: list[SourceLine | ReadProblem]) -> list[tuple[int, str, bytes]]:
    return [(p.line.line_no, p.reason, p.line.data) for p in items if isinstance(p, ReadProblem)]


# --- globbing ------------------------------------------------------------------------------------


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "logs" / "2026" / "11").mkdir(parents=True)
    for name in ("a.jsonl", "b.jsonl.gz", "c.parquet", ".hidden.jsonl", "_SUCCESS", "notes.txt"):
        (tmp_path / "logs" / name).write_bytes(b"{}\n")
    (tmp_path / "logs" / "2026" / "11" / "d.jsonl").write_bytes(b"{}\n")
    return tmp_path / "logs"


def names(found: list) -> list[str]:
    return [Path(f.uri).name for f in found]


def test_glob_stays_in_one_directory_and_skips_hidden(tree: Path) -> None:
    assert names(expand_inputs([str(tree / "*.jsonl*")], FS)) == ["a.jsonl", "b.jsonl.gz"]
    assert names(expand_inputs([str(tree / "*")], FS)) == ["a.jsonl", "b.jsonl.gz", "c.parquet", "notes.txt"]


def test_double_star_recurses(tree: Path) -> None:
    assert sorted(names(expand_inputs([str(tree / "**" / "*.jsonl")], FS))) == ["a.jsonl", "d.jsonl"]


def test_directory_means_its_visible_files(tree: Path) -> None:
    assert names(expand_inputs([str(tree)], FS)) == ["a.jsonl", "b.jsonl.gz", "c.parquet", "notes.txt"]


def test_hidden_file_named_exactly_or_by_dot_pattern_is_read(tree: Path) -> None:
    assert names(expand_inputs([str(tree / ".hidden.jsonl")], FS)) == [".hidden.jsonl"]
    assert names(expand_inputs([str(tree / ".h*")], FS)) == [".hidden.jsonl"]


def test_several_patterns_are_merged_and_deduplicated(tree: Path) -> None:
    found = expand_inputs([str(tree / "a.jsonl"), str(tree / "*.jsonl"), str(tree / "c.parquet")], FS)
    assert names(found) == ["a.jsonl", "c.parquet"]
    assert all(f.size == 3 for f in found)


def test_no_match_is_an_error_naming_the_pattern(tree: Path) -> None:
    with pytest.raises(SourceError, match=r"no input file matches .*\*\.csv"):
        expand_inputs([str(tree / "*.csv")], FS)
    with pytest.raises(SourceError, match="no input file matches"):
        expand_inputs([str(tree / "missing" / "x.jsonl")], FS)


def test_s3_uri_resolves_to_pyarrow_s3_with_endpoint() -> None:
    fs, path = FsConfig(s3_endpoint_url="http://127.0.0.1:9000", s3_region="eu-west-1").resolve("s3://bucket/raw/x")
    assert type(fs).__name__ == "S3FileSystem"
    assert path == "bucket/raw/x"


# --- JSON lines ----------------------------------------------------------------------------------


def test_plain_lines_are_numbered_from_one_with_crlf_bom_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"a": 1}\r\n\n{"b": 2}\nnot json\n{"c": 3}')
    items = read_all(path)
    assert lines_of(items) == [
        (1, b'\xef\xbb\xbf{"a": 1}\r'),
        (2, b""),
        (3, b'{"b": 2}'),
        (4, b"not json"),
        (5, b'{"c": 3}'),
    ]
    assert decode_line(items[0].data) == {"a": 1}  # type: ignore[union-attr]


def test_empty_file_has_no_lines(tmp_path: Path) -> None:
    (tmp_path / "e.jsonl").write_bytes(b"")
    assert read_all(tmp_path / "e.jsonl") == []


def test_lines_across_chunk_boundaries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("scrubber.io.readers.jsonl.CHUNK_BYTES", 7)
    data = [orjson.dumps({"i": i, "pad": "x" * (i % 13)}) for i in range(50)]
    (tmp_path / "x.jsonl").write_bytes(b"\n".join(data) + b"\n")
    assert lines_of(read_all(tmp_path / "x.jsonl")) == list(enumerate(data, 1))


def test_a_line_over_the_limit_is_cut_so_that_decoding_rejects_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr("scrubber.io.lines.MAX_LINE_BYTES", 10)
    monkeypatch.setattr("scrubber.io.readers.jsonl.CHUNK_BYTES", 4)
    (tmp_path / "x.jsonl").write_bytes(b'{"a":1}\n' + b"y" * 40 + b"\n" + b'{"b":2}\n' + b"z" * 30)
    got = lines_of(read_all(tmp_path / "x.jsonl"))
    assert got == [(1, b'{"a":1}'), (2, b"y" * 11), (3, b'{"b":2}'), (4, b"z" * 11)]
    assert MAX_LINE_BYTES > 10  # the real limit is untouched


# --- gzip ----------------------------------------------------------------------------------------


def test_gzip_is_recognised_by_content_not_name(tmp_path: Path) -> None:
    (tmp_path / "logs.jsonl").write_bytes(gzip.compress(b'{"a": 1}\n{"a": 2}\n', mtime=0))
    (tmp_path / "logs.gz").write_bytes(b'{"a": 1}\n')
    assert sniff(str(tmp_path / "logs.jsonl"), FS) == "gzip"
    assert sniff(str(tmp_path / "logs.gz"), FS) == "jsonl"
    assert lines_of(read_all(tmp_path / "logs.jsonl")) == [(1, b'{"a": 1}'), (2, b'{"a": 2}')]
    assert lines_of(read_all(tmp_path / "logs.gz")) == [(1, b'{"a": 1}')]


def test_concatenated_gzip_members_are_all_read(tmp_path: Path) -> None:
    data = gzip.compress(b'{"a": 1}\n{"a": ', mtime=0) + gzip.compress(b'2}\n{"a": 3}\n', mtime=0)
    (tmp_path / "x.jsonl.gz").write_bytes(data)
    items = read_all(tmp_path / "x.jsonl.gz")
    assert lines_of(items) == [(1, b'{"a": 1}'), (2, b'{"a": 2}'), (3, b'{"a": 3}')]
    assert problems_of(items) == []


@pytest.mark.parametrize("cut", [12, 30, 45, -9, -1])
def test_gzip_cut_short_keeps_the_lines_before_and_reports_the_cut(tmp_path: Path, cut: int) -> None:
    data = b"".join(orjson.dumps({"i": i}) + b"\n" for i in range(40))
    whole = gzip.compress(data, mtime=0)
    (tmp_path / "x.jsonl.gz").write_bytes(whole[:cut])
    items = read_all(tmp_path / "x.jsonl.gz")
    good = lines_of(items)
    problems = problems_of(items)
    assert len(problems) == 1
    line_no, reason, partial = problems[0]
    assert reason == "truncated_gzip"
    assert line_no == len(good) + 1
    assert [d for _, d in good] == data.split(b"\n")[: len(good)]
    assert data.split(b"\n")[len(good)].startswith(partial)


def test_gzip_with_a_damaged_body_is_corrupt(tmp_path: Path) -> None:
    whole = bytearray(gzip.compress(b"".join(b'{"i": %d}\n' % i for i in range(2000)), mtime=0))
    whole[40:60] = b"\x00" * 20
    (tmp_path / "x.jsonl.gz").write_bytes(bytes(whole))
    items = read_all(tmp_path / "x.jsonl.gz")
    problems = problems_of(items)
    assert [reason for _, reason, _ in problems] in (["corrupt_gzip"], ["truncated_gzip"])
    assert problems[0][0] == len(lines_of(items)) + 1


def test_garbage_after_a_gzip_member_is_reported(tmp_path: Path) -> None:
    (tmp_path / "x.jsonl.gz").write_bytes(gzip.compress(b'{"a": 1}\n', mtime=0) + b"trailing junk")
    items = read_all(tmp_path / "x.jsonl.gz")
    assert lines_of(items) == [(1, b'{"a": 1}')]
    assert [(n, r) for n, r, _ in problems_of(items)] == [(2, "corrupt_gzip")]


def test_gzip_magic_alone_is_truncated(tmp_path: Path) -> None:
    (tmp_path / "x.gz").write_bytes(b"\x1f\x8b")
    assert [(n, r) for n, r, _ in problems_of(read_all(tmp_path / "x.gz"))] == [(1, "truncated_gzip")]


# --- Parquet -------------------------------------------------------------------------------------


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
        "client": {"ip": "203.0.113.7"},
        "cookies": [["_ga", "GA1.2.3"], ["theme", "dark"]],
        "tags": ["a", None],
    }
    assert orjson.loads(items[1].data) == {}  # type: ignore[union-attr]  # a null column is an absent field


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


# --- batching ------------------------------------------------------------------------------------


def test_batched_keeps_order_and_sizes() -> None:
    assert list(batched(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(batched([], 3)) == []


def test_a_missing_file_is_an_io_error_not_a_quarantine_entry(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="cannot open"):
        read_all(tmp_path / "gone.jsonl")
