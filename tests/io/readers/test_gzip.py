"""gzip: told apart by content, multi-member, cut short, corrupt."""

from __future__ import annotations

import gzip
from pathlib import Path

import orjson
import pytest

from scrubber.io.lines import ReadProblem
from scrubber.io.readers import sniff
from tests.io.readers.helpers import FS, lines_of, problems_of, read_all


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


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_damage_in_the_middle_keeps_the_lines_before_it(tmp_path: Path, seed: int) -> None:
    """A 20,000-line file with 64 bad bytes halfway: one read of it holds the damage, and what precedes it
    is still yielded (before, all of that read was lost: the file counted as one line, 'corrupt_gzip')."""
    import random

    rng = random.Random(seed)
    lines = [orjson.dumps({"ts": 1795000000 + i, "text": f"hello number {i} " * 3}) for i in range(20_000)]
    data = bytearray(gzip.compress(b"\n".join(lines) + b"\n", mtime=0))
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(rng.randrange(256) for _ in range(64))
    (tmp_path / "x.jsonl.gz").write_bytes(bytes(data))
    items = read_all(tmp_path / "x.jsonl.gz")
    intact = 0
    for line_no, line in lines_of(items):
        if line_no > len(lines) or line != lines[line_no - 1]:
            break
        intact += 1
    assert intact >= 9_000  # the damage sits about halfway through the compressed stream
    problems = problems_of(items)
    assert [reason for _, reason, _ in problems] == ["corrupt_gzip"]
    assert problems[0][0] == len(items)  # the damage is the last item, at the next line number
    # The compressed bytes after the point where inflating failed are counted. zlib notices damage where a
    # code stops decoding, which can be well after the damaged bytes (garbage may inflate for a while), so
    # the count is at most what follows the damaged spot, and never zero.
    unread = next(item for item in items if isinstance(item, ReadProblem)).unread_bytes
    assert 0 < unread <= len(data) - middle
