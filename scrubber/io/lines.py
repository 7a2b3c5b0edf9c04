"""What a reader yields: numbered lines (or Parquet rows as JSON bytes), and damage found while reading."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_LINE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class SourceLine:
    """One input line and where it came from (file and 1-based line number)."""

    source: str
    line_no: int
    data: bytes


@dataclass(frozen=True, slots=True)
class ReadProblem:
    """Damage found while reading a file. ``line`` says where (its data is what was read of that line);
    ``unread_bytes`` counts the stored (compressed) bytes after the damage that could not be read."""

    line: SourceLine
    reason: str
    unread_bytes: int = 0
    kept_entry: dict[str, Any] | None = None  # a replayed quarantine entry without its raw line, kept as it was


@dataclass(frozen=True, slots=True)
class Damage:
    """A decoder's report that its stream is damaged: the reason and the stored bytes it could not read."""

    reason: str
    unread_bytes: int = 0
