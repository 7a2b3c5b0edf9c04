"""Reading one input file completely, and its lines and read problems apart."""

from __future__ import annotations

from pathlib import Path

from scrubber.io.fs import FsConfig
from scrubber.io.lines import ReadProblem
from scrubber.io.readers import read_source
from scrubber.records import SourceLine

FS = FsConfig()


def read_all(path: Path) -> list[SourceLine | ReadProblem]:
    return list(read_source(str(path), FS))


def lines_of(items: list[SourceLine | ReadProblem]) -> list[tuple[int, bytes]]:
    return [(i.line_no, i.data) for i in items if isinstance(i, SourceLine)]


def problems_of(items: list[SourceLine | ReadProblem]) -> list[tuple[int, str, bytes]]:
    return [(p.line.line_no, p.reason, p.line.data) for p in items if isinstance(p, ReadProblem)]
