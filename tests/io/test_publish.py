"""Sharded writers and the commit: temp names first, part-NNNNN-of-MMMMM after, typed Parquet, no values in errors."""

from __future__ import annotations

from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq
import pytest

from scrubber.io.fs import FsConfig
from scrubber.io.publish import (
    AUDIT_NAME,
    commit_shards,
    existing_outputs,
    read_json,
    remove_tree,
    temp_dir,
    write_json_atomic,
)
from scrubber.io.writers import ShardInfo, SinkError, open_shard
from scrubber.io.writers.jsonl import JsonlShardWriter
from scrubber.io.writers.parquet import ParquetShardWriter, arrow_schema, to_table

FS = FsConfig()
SHAPE = {
    "ts": "int64",
    "status": "int64",
    "client": {"ip": "string"},
    "geo": {"lat": "double"},
    "messages": {"list": {"role": "string", "content": "string"}},
}
SCHEMA = arrow_schema(SHAPE)
RECORDS = [
    {
        "ts": 1795428902,
        "status": 200,
        "client": {"ip": "203.0.113.0"},
        "geo": {"lat": 47.38},
        "messages": [{"role": "user", "content": "hello <EMAIL>"}],
    },
    {"ts": 1795428903},
    {},
]


def test_jsonl_shard_round_trip(tmp_path: Path) -> None:
    writer = JsonlShardWriter(FS, str(tmp_path / "s.jsonl"))
    writer.write(RECORDS[:2])
    writer.write(RECORDS[2:])
    assert writer.close() == ShardInfo(str(tmp_path / "s.jsonl"), 3)
    assert [orjson.loads(line) for line in (tmp_path / "s.jsonl").read_bytes().splitlines()] == RECORDS


def test_parquet_shard_has_the_catalogue_schema_and_nulls_for_missing_fields(tmp_path: Path) -> None:
    writer = ParquetShardWriter(FS, str(tmp_path / "s.parquet"), SCHEMA, row_group_rows=2)
    for record in RECORDS:
        writer.write([record])
    assert writer.close().rows == 3
    table = pq.read_table(tmp_path / "s.parquet")
    assert table.schema == SCHEMA
    rows = table.to_pylist()
    assert rows[0] == RECORDS[0]
    assert rows[1] == {"ts": 1795428903, "status": None, "client": None, "geo": None, "messages": None}
    assert pq.ParquetFile(tmp_path / "s.parquet").metadata.num_row_groups == 2


def test_parquet_cannot_carry_a_field_outside_the_schema() -> None:
    table = to_table([{"ts": 1, "user_agent": "Mozilla/5.0 secret-ua"}], SCHEMA)
    assert "user_agent" not in table.column_names
    assert b"secret-ua" not in orjson.dumps(table.to_pylist())


def test_a_value_of_the_wrong_type_names_the_column_not_the_value() -> None:
    with pytest.raises(SinkError) as caught:
        to_table([{"ts": 1}, {"ts": "alice@example.com"}], SCHEMA)
    assert "'ts'" in str(caught.value)
    assert "alice" not in str(caught.value)


def test_jsonl_error_does_not_quote_the_value(tmp_path: Path) -> None:
    writer = JsonlShardWriter(FS, str(tmp_path / "s.jsonl"))
    with pytest.raises(SinkError) as caught:
        writer.write([{"n": 2**70}])
    assert str(2**70) not in str(caught.value)
    writer.abort()


def shards(tmp: str, fmt: str, batches: list[list[dict]]) -> list[ShardInfo]:
    infos = []
    for batch in batches:
        writer = open_shard(FS, tmp, fmt, SCHEMA if fmt == "parquet" else None)
        writer.write(batch)
        infos.append(writer.close())
    return infos


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_commit_renames_reported_shards_and_leaves_orphans_behind(tmp_path: Path, fmt: str) -> None:
    target = str(tmp_path / "out")
    tmp = temp_dir(target, "run1")
    Path(tmp).mkdir(parents=True)
    reported = shards(tmp, fmt, [RECORDS[:1], RECORDS[1:], []])
    orphan = shards(tmp, fmt, [RECORDS])  # e.g. a retried bundle's output: never reported
    names = commit_shards(FS, reported, target, fmt, layout=SCHEMA)
    assert names == [f"part-00000-of-00002.{fmt}", f"part-00001-of-00002.{fmt}"]
    assert sorted(p.name for p in Path(target).iterdir()) == sorted([*names, ".scrubber-tmp-run1"])
    assert Path(orphan[0].path).exists()
    remove_tree(FS, tmp)
    assert sorted(p.name for p in Path(target).iterdir()) == names
    if fmt == "parquet":
        dataset = pads.dataset(target, format="parquet")
        assert dataset.count_rows() == 3
        assert dataset.schema == SCHEMA


def test_commit_with_no_rows_writes_one_empty_shard_with_the_schema(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    assert commit_shards(FS, [], str(target), "parquet", layout=SCHEMA) == ["part-00000-of-00001.parquet"]
    table = pq.read_table(target / "part-00000-of-00001.parquet")
    assert table.num_rows == 0 and table.schema == SCHEMA
    assert commit_shards(FS, [], str(tmp_path), "jsonl", write_empty=False) == []


def test_existing_outputs_and_replace(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    assert existing_outputs(FS, str(target)) == []
    assert existing_outputs(FS, str(tmp_path / "nothing-here")) == []
    for name in ("part-00000-of-00002.jsonl", "part-00001-of-00002.jsonl", AUDIT_NAME, "README.md"):
        (target / name).write_text("old\n")
    assert existing_outputs(FS, str(target)) == [AUDIT_NAME, "part-00000-of-00002.jsonl", "part-00001-of-00002.jsonl"]
    tmp = temp_dir(str(target), "r2")
    Path(tmp).mkdir()
    names = commit_shards(FS, shards(tmp, "jsonl", [RECORDS]), str(target), "jsonl", replace=True)
    assert names == ["part-00000-of-00001.jsonl"]
    left = sorted(p.name for p in target.iterdir() if not p.name.startswith("."))
    assert left == ["README.md", "part-00000-of-00001.jsonl"]  # files that are not ours are left alone


def test_write_json_atomic_replaces_whole_files(tmp_path: Path) -> None:
    uri = str(tmp_path / AUDIT_NAME)
    write_json_atomic(FS, uri, {"a": 1})
    write_json_atomic(FS, uri, {"b": [1, 2]})
    assert read_json(FS, uri) == {"b": [1, 2]}
    assert [p.name for p in tmp_path.iterdir()] == [AUDIT_NAME]


def test_schema_types_follow_the_shape() -> None:
    assert SCHEMA.field("messages").type == pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())]))
