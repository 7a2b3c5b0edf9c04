"""The writer registry: one entry per output format (``--format``), in one explicit dict.

A new format is one module defining ``FORMAT = Format(...)`` (with a ``ShardWriter``) plus one entry here.
"""

from __future__ import annotations

import uuid
from typing import Any

from scrubber.io.fs import FsConfig, join_uri
from scrubber.io.writers import jsonl, parquet
from scrubber.io.writers.base import Format, ShardInfo, ShardWriter, SinkError, write_error

WRITERS: dict[str, Format] = {fmt.name: fmt for fmt in (parquet.FORMAT, jsonl.FORMAT)}
FORMATS: tuple[str, ...] = tuple(WRITERS)


def open_shard(fs_config: FsConfig, tmp_dir: str, fmt: str, layout: Any) -> ShardWriter:
    """A new shard with a unique name in ``tmp_dir``; ``layout`` is what ``WRITERS[fmt].layout`` returned."""
    writer = WRITERS[fmt]
    return writer.open(fs_config, join_uri(tmp_dir, uuid.uuid4().hex + writer.extension), layout)


__all__ = ["FORMATS", "WRITERS", "Format", "ShardInfo", "ShardWriter", "SinkError", "open_shard", "write_error"]
