"""The commit: temp names first, part-NNNNN-of-MMMMM after; existing outputs, replace, atomic JSON."""

from __future__ import annotations

from pathlib import Path

import pyarrow.dataset as pads
import pyarrow.parquet as pq
import pytest

from scrubber.io.publish import (
    AUDIT_NAME,
    commit_shards,
    existing_outputs,
    read_json,
    remove_tree,
    temp_dir,
    write_json_atomic,
)
from scrubber.io.writers import ShardInfo, open_shard
from tests.io.writers.helpers import FS, RECORDS, SCHEMA


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
