"""The JSON-lines shard writer: a round trip, and errors that never quote a value."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from scrubber.io.writers import ShardInfo, SinkError
from scrubber.io.writers.jsonl import JsonlShardWriter
from tests.io.writers.helpers import FS, RECORDS


def test_jsonl_shard_round_trip(tmp_path: Path) -> None:
    writer = JsonlShardWriter(FS, str(tmp_path / "s.jsonl"))
    writer.write(RECORDS[:2])
    writer.write(RECORDS[2:])
    assert writer.close() == ShardInfo(str(tmp_path / "s.jsonl"), 3)
    assert [orjson.loads(line) for line in (tmp_path / "s.jsonl").read_bytes().splitlines()] == RECORDS


def test_jsonl_error_does_not_quote_the_value(tmp_path: Path) -> None:
    writer = JsonlShardWriter(FS, str(tmp_path / "s.jsonl"))
    with pytest.raises(SinkError) as caught:
        writer.write([{"n": 2**70}])
    assert str(2**70) not in str(caught.value)
    writer.abort()
