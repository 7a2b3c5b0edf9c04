"""The run summary, the accounting check and the audit manifest: counts only, never values."""

from __future__ import annotations

import contextlib
import io

import orjson
import pytest
from rich.console import Console

from scrubber import RecordRejected, Scrubber
from scrubber.audit import (
    FileRead,
    ShardWritten,
    StatsCounts,
    add_to_summary,
    build_manifest,
    check_accounting,
    diff_counts,
    merge_counts,
    merge_summaries,
    new_summary,
    rule_counts,
    summary_table,
)
from scrubber.io.writers import ShardInfo

PLANTED = [
    "alice.martin@example.com",
    "6f9619ff-8b86-d011-b42d-00c04fc964ff",
    "203.0.113.77",
    "sess_9f8e7d6c5b4a",
    "00:1a:2b:3c:4d:5e",
    "DE89370400440532013000",
    "Mozilla/5.0 PlantedUA",
]
RECORDS = [
    {
        "ts": 1795428902,
        "request_id": PLANTED[1],
        "session_id": PLANTED[3],
        "user_id": PLANTED[0],
        "status": 200,
        "client": {"ip": PLANTED[2], "user_agent": PLANTED[6], "x_unknown": PLANTED[0]},
        "device": {"mac": PLANTED[4]},
        "payment": {"iban": PLANTED[5]},
        PLANTED[0]: "a key can be personal data too",
        "messages": [{"role": "user", "content": f"mail {PLANTED[0]} from {PLANTED[2]}"}],
    },
    {"ts": "yesterday", "user_id": PLANTED[0]},
    {"status": "two hundred"},
]


def scrub_all(scrubber: Scrubber) -> tuple[list[dict], dict]:
    before = scrubber.stats.as_counts()
    out = []
    for record in RECORDS:
        with contextlib.suppress(RecordRejected):
            out.append(scrubber.scrub(record))
    return out, diff_counts(scrubber.stats.as_counts(), before)


def test_stats_counts_are_plain_counts(pseudonymous: Scrubber) -> None:
    _, counts = scrub_all(pseudonymous)
    assert counts["records_in"] == 3 and counts["records_out"] == 1
    assert sum(counts["rejected"].values()) == 2
    assert counts["detectors"]  # the e-mail and IP in the message
    text = orjson.dumps(counts).decode().lower()
    assert not [p for p in PLANTED if p.lower() in text]


def test_diff_and_merge_counts() -> None:
    before = {"n": 2, "applied": [1, 0], "rejected": {"a": 1}}
    after = {"n": 5, "applied": [1, 4, 2], "rejected": {"a": 1, "b": 3}}
    assert diff_counts(after, before) == {"n": 3, "applied": [0, 4, 2], "rejected": {"b": 3}}
    merged = merge_counts({"n": 1, "applied": [1], "rejected": {"a": 1}}, after)
    assert merged == {"n": 6, "applied": [2, 4, 2], "rejected": {"a": 2, "b": 3}}
    with pytest.raises(ValueError):
        merge_counts({"n": 1}, {"n": [1]})


def summary_with(lines: int, problems: int, out_rows: list[int], q_rows: list[int], core_in: int, core_out: int):
    s = new_summary()
    add_to_summary(s, FileRead("a.jsonl", lines, problems, 100))
    for i, n in enumerate(out_rows):
        add_to_summary(s, ShardWritten("sandbox", ShardInfo(f"o{i}", n)))
    for i, n in enumerate(q_rows):
        add_to_summary(s, ShardWritten("quarantine", ShardInfo(f"q{i}", n)))
    add_to_summary(s, StatsCounts({"records_in": core_in, "records_out": core_out}))
    return s


def test_accounting_adds_up() -> None:
    accounting = check_accounting(summary_with(9, 1, [4, 3], [3], 10, 7), files_matched=1)
    assert accounting.ok and accounting.lines_in == 10 and accounting.records_out == 7 and accounting.quarantined == 3


@pytest.mark.parametrize(
    ("summary", "files", "problem"),
    [
        (summary_with(10, 0, [7], [2], 10, 7), 1, "in (10) != out (7) + quarantined (2)"),
        (summary_with(10, 0, [7], [3], 9, 7), 1, "the scrubber saw 9 lines"),
        (summary_with(10, 0, [7], [3], 10, 8), 1, "the scrubber produced 8 records but 7 were written"),
        (summary_with(10, 0, [7], [3], 10, 7), 2, "2 input files matched but 1 were read"),
    ],
)
def test_accounting_mismatches_are_named(summary: dict, files: int, problem: str) -> None:
    accounting = check_accounting(summary, files_matched=files)
    assert not accounting.ok
    assert any(problem in p for p in accounting.problems)


def test_summaries_merge_like_a_combine() -> None:
    a = summary_with(5, 0, [3], [2], 5, 3)
    b = summary_with(4, 1, [4], [1], 5, 4)
    merged = merge_summaries([a, b, new_summary()])
    assert merged["reads"]["a.jsonl"] == {"lines": 9, "problems": 1, "bytes": 200, "unread_bytes": 0}
    assert check_accounting(merged).ok
    assert len(merged["sandbox_shards"]) == 2


def test_manifest_holds_counts_and_names_never_values(pseudonymous: Scrubber) -> None:
    _, counts = scrub_all(pseudonymous)
    summary = new_summary()
    add_to_summary(summary, StatsCounts(counts))
    add_to_summary(summary, FileRead("logs/a.jsonl", 3, 0, 900))
    add_to_summary(summary, ShardWritten("sandbox", ShardInfo("tmp/x.parquet", 1)))
    add_to_summary(summary, ShardWritten("quarantine", ShardInfo("tmp/y.jsonl", 2)))
    accounting = check_accounting(summary, files_matched=1)
    manifest = build_manifest(
        run_id="20261123T101502Z-abcdef01",
        status="ok",
        catalogue=pseudonymous.catalogue,
        key_id=pseudonymous.key.key_id,
        summary=summary,
        accounting=accounting,
        input_patterns=["logs/*"],
        output={
            "uri": "sandbox",
            "format": "parquet",
            "files": ["part-00000-of-00001.parquet"],
            "records": 1,
            "audit": "sandbox/_audit.json",
        },
        quarantine={"uri": "quarantine", "files": [], "records": 2, "stores": "line"},
        runner="FnApiRunner",
        timings={"pipeline_seconds": 0.5, "total_seconds": 1.0},
    )
    text = orjson.dumps(manifest).decode()
    assert not [p for p in PLANTED if p.lower() in text.lower()]
    assert pseudonymous.key.material.hex() not in text
    assert manifest["key_id"] == pseudonymous.key.key_id
    assert manifest["catalogue"]["digest"] == pseudonymous.catalogue.digest
    assert manifest["counts"]["records_in"] == 3 and manifest["counts"]["accounting"]["ok"]
    assert manifest["records_per_second"] == 6.0
    rules = {r["field"]: r for r in manifest["rules"]}
    assert rules["client.ip"]["applied"] == 1
    assert rules["client.user_agent"]["op"] == "drop"
    assert rules["ts"]["invalid"] == 1
    assert manifest["unknown_fields_dropped"]  # the unknown top-level key and client.x_unknown, by parent path
    assert set(manifest["unknown_fields_dropped"]) <= {"(record)", "client"}
    assert manifest["versions"]["pyarrow"]
    console = Console(file=io.StringIO(), width=140)
    console.print(summary_table(manifest))
    rendered = console.file.getvalue()  # type: ignore[attr-defined]
    assert "records in" in rendered and "in = out + quarantined" in rendered and "yes" in rendered


def test_rule_counts_follow_the_catalogue(strict: Scrubber) -> None:
    rows = rule_counts(strict.catalogue, {"applied": [5, 4, 3], "invalid": [0, 1, 0]})
    assert [(r["field"], r["op"], r["applied"], r["invalid"]) for r in rows] == [
        ("ts", "epoch_second", 5, 0),
        ("status", "int_range", 4, 1),
        ("retry_count", "int_range", 3, 0),
    ]
    assert all(isinstance(r["line"], int) for r in rows)
