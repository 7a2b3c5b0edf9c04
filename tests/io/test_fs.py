"""Input globbing: one directory or recursive, hidden files, several patterns, no match, and S3 URIs."""

from __future__ import annotations

from pathlib import Path

import pytest

from scrubber.io.fs import FsConfig, SourceError, expand_inputs

FS = FsConfig()


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "logs" / "2026" / "11").mkdir(parents=True)
    for name in ("a.jsonl", "b.jsonl.gz", "c.parquet", ".hidden.jsonl", "_SUCCESS", "notes.txt"):
        (tmp_path / "logs" / name).write_bytes(b"{}\n")
    (tmp_path / "logs" / "2026" / "11" / "d.jsonl").write_bytes(b"{}\n")
    return tmp_path / "logs"


def names(found: list) -> list[str]:
    return [Path(f.uri).name for f in found]


def test_glob_stays_in_one_directory_and_skips_hidden(tree: Path) -> None:
    assert names(expand_inputs([str(tree / "*.jsonl*")], FS)) == ["a.jsonl", "b.jsonl.gz"]
    assert names(expand_inputs([str(tree / "*")], FS)) == ["a.jsonl", "b.jsonl.gz", "c.parquet", "notes.txt"]


def test_double_star_recurses(tree: Path) -> None:
    assert sorted(names(expand_inputs([str(tree / "**" / "*.jsonl")], FS))) == ["a.jsonl", "d.jsonl"]


def test_directory_means_its_visible_files(tree: Path) -> None:
    assert names(expand_inputs([str(tree)], FS)) == ["a.jsonl", "b.jsonl.gz", "c.parquet", "notes.txt"]


def test_hidden_file_named_exactly_or_by_dot_pattern_is_read(tree: Path) -> None:
    assert names(expand_inputs([str(tree / ".hidden.jsonl")], FS)) == [".hidden.jsonl"]
    assert names(expand_inputs([str(tree / ".h*")], FS)) == [".hidden.jsonl"]


def test_several_patterns_are_merged_and_deduplicated(tree: Path) -> None:
    found = expand_inputs([str(tree / "a.jsonl"), str(tree / "*.jsonl"), str(tree / "c.parquet")], FS)
    assert names(found) == ["a.jsonl", "c.parquet"]
    assert all(f.size == 3 for f in found)


def test_no_match_is_an_error_naming_the_pattern(tree: Path) -> None:
    with pytest.raises(SourceError, match=r"no input file matches .*\*\.csv"):
        expand_inputs([str(tree / "*.csv")], FS)
    with pytest.raises(SourceError, match="no input file matches"):
        expand_inputs([str(tree / "missing" / "x.jsonl")], FS)


def test_s3_uri_resolves_to_pyarrow_s3_with_endpoint() -> None:
    fs, path = FsConfig(s3_endpoint_url="http://127.0.0.1:9000", s3_region="eu-west-1").resolve("s3://bucket/raw/x")
    assert type(fs).__name__ == "S3FileSystem"
    assert path == "bucket/raw/x"
