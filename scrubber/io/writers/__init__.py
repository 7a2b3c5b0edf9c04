"""The writer registry: one entry per output format (``--format``), in one explicit dict.

A new format is one module defining ``FORMAT = Format(...)`` (with a ``ShardWriter``) plus one entry here.
"""

from __future__ import annotations

import uuid
from typing import Any

import pyarrow as pa

from scrubber.io.fs import FsConfig, join_uri
from scrubber.io.writers import jsonl, parquet
from scrubber.io.writers.base import Format, ShardInfo, ShardWriter, SinkError, write_error
from scrubber.io.writers.modes import PRIVATE_FILE, set_mode

WRITERS: dict[str, Format] = {fmt.name: fmt for fmt in (parquet.FORMAT, jsonl.FORMAT)}
FORMATS: tuple[str, ...] = tuple(WRITERS)


KEY_ID_METADATA = b"scrubber.key_id"


def with_key_id(layout: Any, key_id: str) -> Any:
    """The layout with the key id in it, where the format can carry it (Parquet schema metadata). No run id:
    the same input and key give the same bytes."""
    if isinstance(layout, pa.Schema):
        return layout.with_metadata({**(layout.metadata or {}), KEY_ID_METADATA: key_id.encode()})
    return layout


def open_shard(fs_config: FsConfig, tmp_dir: str, fmt: str, layout: Any, *, private: bool = False) -> ShardWriter:
    """A new shard with a unique name in ``tmp_dir``; ``layout`` is what ``WRITERS[fmt].layout`` returned.
    ``private``: the file is set to 0600 before anything is written to it (quarantine shards hold raw lines)."""
    writer = WRITERS[fmt]
    uri = join_uri(tmp_dir, uuid.uuid4().hex + writer.extension)
    shard = writer.open(fs_config, uri, layout)
    if private:
        try:
            set_mode(fs_config, uri, PRIVATE_FILE)
        except SinkError:
            shard.abort()
            raise
    return shard


__all__ = [
    "FORMATS",
    "KEY_ID_METADATA",
    "WRITERS",
    "Format",
    "ShardInfo",
    "ShardWriter",
    "SinkError",
    "open_shard",
    "with_key_id",
    "write_error",
]
