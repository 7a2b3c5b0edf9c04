"""Beam tests: the DoFns on Beam's in-process FnApiRunner, asserting on the main and the quarantine outputs."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import apache_beam as beam
import orjson
import pytest
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.testing.test_pipeline import TestPipeline as BeamTestPipeline
from apache_beam.testing.util import assert_that, equal_to, is_not_empty

from scrubber.audit import FileRead, StatsCounts
from scrubber.catalogue import load_catalogue, resolve
from scrubber.io.fs import FsConfig
from scrubber.io.lines import ReadProblem
from scrubber.keys import Key
from scrubber.pipelines.transforms import (
    NAMESPACE,
    QUARANTINE,
    SUMMARY,
    ReadLinesFn,
    ScrubBatches,
    ScrubFn,
    WriteShardsFn,
)
from scrubber.records import SourceLine

RUNNER = "apache_beam.runners.portability.fn_api_runner.FnApiRunner"  # Python only: no Prism download, works offline


def strict_fn(key: Key, **kwargs: Any) -> ScrubFn:
    path = resolve("strict")
    return ScrubFn(load_catalogue(path), key=key, **kwargs)


def kind_of(item: Any) -> str:
    """The summary item's kind as the launcher folds it."""
    return {StatsCounts: "stats", FileRead: "read"}.get(type(item), "other")


def line(n: int, data: bytes, source: str = "in.jsonl") -> SourceLine:
    return SourceLine(source, n, data)


BATCHES = [
    [
        line(1, b'{"ts": 1795428902, "status": "200", "user_id": "alice@example.com", "retry_count": 1}'),
        line(2, b"not json at all"),
        line(3, b'{"ts": "2026-11-23T10:15:02.999Z", "client": {"ip": "203.0.113.7"}}'),
        line(4, b"[1, 2, 3]"),
    ],
    [
        line(5, b'{"status": "two hundred"}'),
        line(6, b""),
        line(7, b'{"ts": 1795428903.5, "status": 404, "x": {"deep": [1, 2]}}'),
        ReadProblem(line(8, b'{"ts": 17954', "cut.jsonl.gz"), "truncated_gzip"),
    ],
]
EXPECTED_RECORDS = [
    {"ts": 1795428902, "status": 200, "retry_count": 1},
    {"ts": 1795428902},
    {"ts": 1795428903, "status": 404},
]
EXPECTED_QUARANTINE = [
    ("in.jsonl", 2, "not_json", ""),
    ("in.jsonl", 4, "not_an_object", ""),
    ("in.jsonl", 5, "invalid_not_an_integer", "status"),
    ("in.jsonl", 6, "empty_line", ""),
    ("cut.jsonl.gz", 8, "truncated_gzip", ""),
]


def where(entry: dict[str, Any]) -> tuple[str, int, str, str]:
    return entry["source"], entry["line"], entry["reason"], entry["field"]


def test_scrub_sends_records_to_the_main_output_and_rejects_to_the_quarantine(test_key: Key) -> None:
    with BeamTestPipeline(runner=RUNNER) as p:
        out = p | beam.Create(BATCHES) | ScrubBatches(strict_fn(test_key))
        records = out.records | "FlattenRecords" >> beam.FlatMap(lambda batch: batch)
        quarantine = out[QUARANTINE] | "FlattenQuarantine" >> beam.FlatMap(lambda batch: batch)
        assert_that(records, equal_to(EXPECTED_RECORDS), label="records")
        assert_that(quarantine | beam.Map(where), equal_to(EXPECTED_QUARANTINE), label="quarantine")
        raws = quarantine | "Raw" >> beam.Map(lambda e: (e["line"], e.get("raw")))
        assert_that(
            raws,
            equal_to(
                [
                    (2, "not json at all"),
                    (4, "[1, 2, 3]"),
                    (5, '{"status": "two hundred"}'),
                    (6, ""),
                    (8, '{"ts": 17954'),
                ]
            ),
            label="raw lines kept",
        )
        stats = out[SUMMARY] | beam.Map(
            lambda item: (kind_of(item), item.counts["records_in"], item.counts["records_out"])
        )
        assert_that(stats, equal_to([("stats", 4, 2), ("stats", 4, 1)]), label="per-batch stats")


def test_quarantine_can_hold_a_keyed_hash_instead_of_the_line(test_key: Key) -> None:
    with BeamTestPipeline(runner=RUNNER) as p:
        out = p | beam.Create(BATCHES) | ScrubBatches(strict_fn(test_key, hash_quarantine=True))
        entries = out[QUARANTINE] | beam.FlatMap(lambda batch: batch)

        def only_hash(entry: dict[str, Any]) -> tuple[bool, bool, int]:
            return "raw" in entry, "raw_blake3" in entry, len(entry.get("raw_blake3", ""))

        assert_that(entries | beam.Map(only_hash), equal_to([(False, True, 64)] * 5))


def test_counts_are_beam_metrics_per_rule_reason_and_total(test_key: Key) -> None:
    p = BeamTestPipeline(runner=RUNNER, blocking=False)
    _ = p | beam.Create(BATCHES) | ScrubBatches(strict_fn(test_key))
    result = p.run()
    result.wait_until_finish()
    counters = {
        m.key.metric.name: m.committed
        for m in result.metrics().query(MetricsFilter().with_namespace(NAMESPACE))["counters"]
    }
    assert counters["records_in"] == 8
    assert counters["records_out"] == 3
    assert counters["quarantined"] == 5
    assert counters["quarantined[not_json]"] == 1
    assert counters["quarantined[truncated_gzip]"] == 1
    assert counters["rule_applied[ts]"] == 3
    assert counters["rule_invalid[status]"] == 1
    assert counters["unknown_dropped[(record)]"] >= 2  # user_id, client, x: counted by parent path, never by name
    assert not any("alice" in name or "203.0.113" in name for name in counters)


def test_an_unexpected_error_in_the_core_quarantines_the_line_and_the_job_goes_on(
    test_key: Key, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scrubber.core import Scrubber

    original = Scrubber.scrub

    def flaky(self: Scrubber, record: Any) -> dict[str, Any]:
        if isinstance(record, dict) and record.get("status") == 404:
            raise TypeError("boom with a value inside: alice@example.com")
        return original(self, record)

    monkeypatch.setattr(Scrubber, "scrub", flaky)
    with BeamTestPipeline(runner=RUNNER) as p:
        out = p | beam.Create(BATCHES) | ScrubBatches(strict_fn(test_key))
        records = out.records | "R" >> beam.FlatMap(lambda batch: batch)
        quarantine = out[QUARANTINE] | "Q" >> beam.FlatMap(lambda batch: batch) | beam.Map(where)
        assert_that(records, equal_to(EXPECTED_RECORDS[:2]), label="records")
        assert_that(
            quarantine,
            equal_to([*EXPECTED_QUARANTINE, ("in.jsonl", 7, "internal_error_TypeError", "")]),
            label="quarantine",
        )


def test_read_lines_yields_batches_and_a_count_per_file(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_bytes(b"".join(b'{"i": %d}\n' % i for i in range(25)))
    data = gzip.compress(b"".join(b'{"i": %d}\n' % i for i in range(10)), mtime=0)
    (tmp_path / "b.jsonl.gz").write_bytes(data[: len(data) - 6])
    uris = [str(tmp_path / "a.jsonl"), str(tmp_path / "b.jsonl.gz")]
    with BeamTestPipeline(runner=RUNNER) as p:
        read = p | beam.Create(uris) | beam.ParDo(ReadLinesFn(FsConfig(), 10)).with_outputs(SUMMARY, main="batches")
        sizes = read.batches | beam.Map(len)
        assert_that(sizes, equal_to([10, 10, 5, 10, 1]), label="batch sizes")
        counts = read[SUMMARY] | beam.Map(lambda item: (kind_of(item), Path(item.uri).name, item.lines, item.problems))
        assert_that(counts, equal_to([("read", "a.jsonl", 25, 0), ("read", "b.jsonl.gz", 10, 1)]), label="counts")


def test_write_shards_writes_temporary_files_and_reports_them(tmp_path: Path) -> None:
    records = [{"ts": i} for i in range(25)]
    batches = [records[i : i + 5] for i in range(0, 25, 5)]
    with BeamTestPipeline(runner=RUNNER) as p:
        infos = (
            p
            | beam.Create(batches)
            | beam.ParDo(WriteShardsFn("sandbox", FsConfig(), str(tmp_path), "jsonl", None, 10))
        )
        assert_that(infos | beam.Map(lambda item: item.target), equal_to(["sandbox"] * 3), label="kinds")
        rows = infos | "rows" >> beam.Map(lambda item: item.shard.rows) | beam.CombineGlobally(sum)
        assert_that(rows, equal_to([25]), label="rows")
        assert_that(infos, is_not_empty(), label="some")
    written = [orjson.loads(x) for f in sorted(tmp_path.glob("*.jsonl")) for x in f.read_bytes().splitlines()]
    assert sorted(r["ts"] for r in written) == list(range(25))
    assert len(list(tmp_path.glob("*.jsonl"))) == 3
