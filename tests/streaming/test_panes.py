"""Window panes: deterministic names, one publication per pane with its audit, and where a restart resumes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scrubber.io.fs import FsConfig
from scrubber.io.writers import WRITERS
from scrubber.streaming.messages import KafkaMessage, to_line
from scrubber.streaming.panes import (
    Pane,
    PaneTargets,
    Scrubbed,
    publish_pane,
    published_audits,
    resume_offsets,
    stale_attempts,
)

START, END = 1_764_600_000_000, 1_764_600_060_000  # a fixed minute; nothing here reads the clock


def _items(partition: int, offsets: range, bad: set[int] = frozenset()) -> list[Scrubbed]:
    return [
        Scrubbed("logs", partition, o, None if o in bad else {"n": o}, {"reason": "not_json"} if o in bad else None)
        for o in offsets
    ]


def _targets(tmp_path: Path, fmt: str = "jsonl") -> PaneTargets:
    layout = WRITERS[fmt].layout({"n": "int64"}) if fmt == "parquet" else None
    return PaneTargets(
        FsConfig(),
        str(tmp_path / "sandbox"),
        str(tmp_path / "quarantine"),
        fmt,
        layout,
        key_id="k1",
        catalogue={"name": "t", "digest": "d"},
        job={"topics": ["logs"]},
    )


def test_a_pane_is_published_once_with_its_audit_and_a_replay_finds_it(tmp_path: Path) -> None:
    items = _items(0, range(10, 15), bad={12}) + _items(1, range(3, 5))
    pane = Pane.of(START, END, 0, "ON_TIME", reversed(items))
    targets = _targets(tmp_path)
    folder, written = publish_pane(pane, targets)
    assert written
    assert folder.endswith(f"window=20251201T144000Z_20251201T144100Z/pane-0-{pane.digest()}")
    names = sorted(p.name for p in Path(folder).iterdir())
    assert names == [
        "_audit.json",
        "part-logs-0-00000000000000000010-00000000000000000014.jsonl",
        "part-logs-1-00000000000000000003-00000000000000000004.jsonl",
    ]
    audit = json.loads((Path(folder) / "_audit.json").read_text())
    assert audit["counts"] == {"messages_in": 7, "records_out": 6, "records_quarantined": 1, "balanced": True}
    assert audit["offsets"][0] == {"topic": "logs", "partition": 0, "first": 10, "last": 14, "messages": 5}
    assert audit["key_id"] == "k1" and audit["quarantine_reasons"] == {"not_json": 1}
    rows = (Path(folder) / names[1]).read_text().splitlines()
    assert [json.loads(r)["n"] for r in rows] == [10, 11, 13, 14]  # offset order, the bad one quarantined
    quarantined = list((tmp_path / "quarantine").rglob("part-*.jsonl"))
    assert len(quarantined) == 1 and json.loads(quarantined[0].read_text())["reason"] == "not_json"
    again = Pane.of(START, END, 0, "ON_TIME", items)
    assert publish_pane(again, targets) == (folder, False)
    assert stale_attempts(FsConfig(), targets.output) == []


def test_a_pane_with_other_messages_never_replaces_one_already_published(tmp_path: Path) -> None:
    targets = _targets(tmp_path)
    first, _ = publish_pane(Pane.of(START, END, 0, "ON_TIME", _items(0, range(0, 5))), targets)
    second, written = publish_pane(Pane.of(START, END, 0, "ON_TIME", _items(0, range(0, 6))), targets)
    assert written and first != second
    assert sorted(p.name for p in Path(first).parent.iterdir()) == sorted([Path(first).name, Path(second).name])


def test_parquet_panes_and_resume_offsets_from_the_audits(tmp_path: Path) -> None:
    targets = _targets(tmp_path, "parquet")
    publish_pane(Pane.of(START, END, 0, "ON_TIME", _items(0, range(0, 4)) + _items(1, range(0, 2))), targets)
    publish_pane(Pane.of(END, END + 60_000, 0, "ON_TIME", _items(0, range(4, 9))), targets)
    audits = published_audits(FsConfig(), targets.output)
    assert [a["window"]["start"] for a in audits] == ["2025-12-01T14:40:00Z", "2025-12-01T14:41:00Z"]
    assert resume_offsets(audits) == {("logs", 0): 9, ("logs", 1): 2}
    import pyarrow.parquet as pq

    shards = sorted((tmp_path / "sandbox").rglob("*.parquet"))
    assert sum(pq.read_table(s).num_rows for s in shards) == 11


def test_a_pane_holding_an_offset_twice_is_a_reader_bug() -> None:
    with pytest.raises(ValueError, match="twice"):
        Pane.of(START, END, 0, "ON_TIME", _items(0, range(0, 3)) + _items(0, range(2, 3)))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (b'{"a": 1}', None),
        (None, "empty_message"),
        (b"  ", "empty_message"),
        (b"x" * 11, "message_too_large"),
    ],
)
def test_a_message_becomes_a_line_or_a_read_problem(value: bytes | None, expected: str | None) -> None:
    line = to_line(KafkaMessage("logs", 2, 41, START, value), max_bytes=10)
    if expected is None:
        assert (line.source, line.line_no, line.data) == ("kafka://logs/2", 41, value)  # type: ignore[union-attr]
    else:
        assert line.reason == expected  # type: ignore[union-attr]
