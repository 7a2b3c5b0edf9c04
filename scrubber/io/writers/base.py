"""What every writer shares: the shard protocol, what a closed shard reports, and write errors.

Error messages name the file and the column or reason, never a value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from scrubber.errors import ScrubberError
from scrubber.io.fs import FsConfig


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


@dataclass(frozen=True)
class Format:
    """One output format: its file extension, what it needs from the catalogue's output shape (Parquet: the
    Arrow schema; may raise CatalogueError), and how to open a shard of it."""

    name: str
    extension: str
    layout: Callable[[dict[str, Any]], Any]
    open: Callable[[FsConfig, str, Any], ShardWriter]
