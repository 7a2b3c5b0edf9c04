"""JSON lines: numbered from one (CRLF, BOM, blank lines), chunk boundaries, and the line limit."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from scrubber.records import MAX_LINE_BYTES, decode_line
from tests.io.readers.helpers import lines_of, read_all


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
