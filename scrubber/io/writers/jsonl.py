"""JSON lines output: one record per line, UTF-8."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

import orjson
import pyarrow as pa

from scrubber.io.fs import FsConfig
from scrubber.io.writers.base import Format, ShardInfo, SinkError, write_error


class JsonlShardWriter:
    """JSON lines, one record per line, UTF-8."""

    def __init__(self, fs_config: FsConfig, path: str) -> None:
        self.path = path
        fs, fs_path = fs_config.resolve(path)
        try:
            self._stream = fs.open_output_stream(fs_path, compression=None)
        except (OSError, pa.ArrowException) as exc:
            raise SinkError(f"cannot create {path}: {type(exc).__name__}") from None
        self._rows = 0

    def write(self, records: Sequence[dict[str, Any]]) -> None:
        try:
            data = b"".join(orjson.dumps(r) + b"\n" for r in records)
        except (TypeError, orjson.JSONEncodeError) as exc:
            # orjson's messages name the type or limit ("Integer exceeds 64-bit range"), not the value.
            raise SinkError(f"a scrubbed record cannot be written as JSON: {str(exc)[:120]}") from None
        try:
            self._stream.write(data)
        except (OSError, pa.ArrowException) as exc:
            raise write_error(self.path, exc) from None
        self._rows += len(records)

    def close(self) -> ShardInfo:
        try:
            self._stream.close()
        except (OSError, pa.ArrowException) as exc:
            raise write_error(self.path, exc) from None
        return ShardInfo(self.path, self._rows)

    def abort(self) -> None:
        with contextlib.suppress(OSError, pa.ArrowException):
            self._stream.close()


FORMAT = Format(
    name="jsonl",
    extension=".jsonl",
    layout=lambda shape: None,
    open=lambda fs_config, path, layout: JsonlShardWriter(fs_config, path),
)
