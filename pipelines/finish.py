"""After the pipeline: check in = out + quarantined, publish all or nothing, write the audit last.

If the counts do not add up nothing is published: the shards and the audit stay in the
``.scrubber-tmp-<run id>`` directories and the exit code is 1. A failure while publishing removes
what was already put in place. A successful run also removes temporary directories that earlier
runs left behind (killed runs, runs whose counts did not add up).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from apache_beam.metrics.metric import MetricsFilter

from scrubber.audit import (
    Accounting,
    build_manifest,
    check_accounting,
    expected_problem,
    quarantine_problem,
    shards_by_partition,
)
from scrubber.errors import EXIT_FINDINGS, EXIT_OK
from scrubber.io.digests import file_digest
from scrubber.io.fs import join_uri
from scrubber.io.publish import (
    AUDIT_NAME,
    AUDITS_DIR,
    MANIFEST_NAME,
    commit_shards,
    delete_files,
    describe_shards,
    entries_of,
    expired_shards,
    kept_shards,
    make_dirs,
    published_shards,
    read_json,
    remove_tree,
    run_id_of,
    stale_temp_dirs,
    unpublish,
    write_json_atomic,
)
from scrubber.io.writers import SinkError
from scrubber.manifest import PublishedInput, empty_manifest, save_manifest, with_run
from scrubber.pipelines.prepare import Prepared
from scrubber.pipelines.transforms import NAMESPACE

_LOG = logging.getLogger("scrubber.run")


@dataclass
class RunResult:
    exit_code: int
    manifest: dict[str, Any] | None = None
    audit_uri: str | None = None
    messages: list[str] = field(default_factory=list)


def finish(
    prep: Prepared, beam_result: Any, started_wall: datetime, started: float, pipeline_seconds: float
) -> RunResult:
    """Account, publish and write the audit of a pipeline run that ended DONE. Raises SinkError."""
    commit_started = time.monotonic()
    fs_config, scrub = prep.fs_config, prep.scrub
    summary = read_json(fs_config, prep.summary_uri)
    accounting = check_accounting(summary, files_matched=len(prep.inputs))
    metrics = metrics_check(beam_counters(beam_result), accounting)
    guard = None  # why a run whose counts add up must still not be published
    if accounting.ok and not prep.replay:  # a replay re-reads what was rejected: a high rate is expected
        guard = quarantine_problem(accounting, scrub.max_quarantine_rate)
        if guard is None and accounting.records_out:
            guard = expected_problem(prep.catalogue, summary["stats"])
    publish = accounting.ok and guard is None
    status = "ok" if publish else ("counts_mismatch" if not accounting.ok else "guard_failed")
    output_info: dict[str, Any] = {
        "uri": scrub.scrubber_output,
        "format": scrub.scrubber_format,
        "files": [],
        "shards": [],
        "records": accounting.records_out,
    }
    quarantine_info: dict[str, Any] = {
        "uri": scrub.scrubber_quarantine,
        "format": "jsonl",
        "files": [],
        "shards": [],
        "records": accounting.quarantined,
        "stores": prep.quarantine_stores,
        "seal_key_id": prep.seal_key_id,
    }
    messages: list[str] = []
    published: list[tuple[str, list[str]]] = []  # (target, paths) put in place so far
    expired: list[tuple[str, str | None]] = []
    try:
        if publish:
            output_info["shards"] = publish_kind(prep, summary, "sandbox", published)
            quarantine_info["shards"] = publish_kind(prep, summary, "quarantine", published)
            output_info["files"] = [shard["path"] for shard in output_info["shards"]]
            quarantine_info["files"] = [shard["path"] for shard in quarantine_info["shards"]]
            if prep.incremental:
                make_dirs(fs_config, join_uri(scrub.scrubber_output, AUDITS_DIR))
                audit_uri = join_uri(scrub.scrubber_output, AUDITS_DIR, f"{prep.run_id}.json")
                if scrub.quarantine_retention_days:
                    replayed = {f.uri.rstrip("/").rsplit("/", 1)[-1] for f in prep.replay}
                    expired = [
                        (name, run_id)
                        for name, run_id in expired_shards(
                            fs_config, scrub.scrubber_quarantine, scrub.quarantine_retention_days, started_wall
                        )
                        if name not in replayed
                    ]
            else:
                audit_uri = join_uri(scrub.scrubber_output, AUDIT_NAME)
            if accounting.lines_in == 0:
                messages.append("the input held no lines, so the sandbox holds one empty shard")
        else:
            audit_uri = join_uri(prep.output_tmp, AUDIT_NAME)
            problem = guard or "the counts do not add up: " + "; ".join(accounting.problems)
            messages.append(
                f"{problem}. Nothing was published; the shards and the audit are in {prep.output_tmp} "
                f"and {prep.quarantine_tmp}."
            )
        output_info["audit"] = audit_uri
        commit_seconds = time.monotonic() - commit_started
        finished_wall = datetime.now(UTC)
        manifest = build_manifest(
            run_id=prep.run_id,
            status=status,
            catalogue=prep.catalogue,
            key_id=prep.key.key_id,
            summary=summary,
            accounting=accounting,
            input_patterns=list(scrub.scrubber_input),
            output=output_info,
            quarantine=quarantine_info,
            runner=prep.runner,
            timings={
                "started_at": iso(started_wall),
                "finished_at": iso(finished_wall),
                "pipeline_seconds": round(pipeline_seconds, 3),
                "commit_seconds": round(commit_seconds, 3),
                "total_seconds": round(time.monotonic() - started, 3),
            },
            listing={f.uri: {"size": f.size, "mtime_ns": f.mtime_ns} for f in prep.inputs},
        )
        manifest["beam_metrics"] = metrics
        manifest["guard"] = {"max_quarantine_rate": scrub.max_quarantine_rate, "problem": guard}
        manifest["incremental"] = incremental_section(prep)
        manifest["replay"] = replay_section(prep, summary)
        manifest["quarantine_retention"] = (
            {"days": scrub.quarantine_retention_days, "removed": [{"path": n, "run_id": r} for n, r in expired]}
            if scrub.quarantine_retention_days
            else None
        )
        write_json_atomic(fs_config, audit_uri, manifest)
        if publish and prep.incremental:
            write_json_atomic(fs_config, join_uri(scrub.scrubber_output, AUDIT_NAME), manifest)  # the latest run's
            commit_run(prep, manifest, summary)  # the commit point: the manifest lists the run
    except SinkError as exc:
        # All or nothing: parts without their audit would look like a complete export.
        for target, names in published:
            unpublish(fs_config, target, names)
        discard_temporaries(prep)
        raise SinkError(f"{exc}. Nothing was published.") from None
    if publish:
        remove_tree(fs_config, prep.output_tmp)
        remove_tree(fs_config, prep.quarantine_tmp)
        try:
            if prep.incremental:
                tidy_incremental(prep, [name for name, _ in expired])
            for target in (scrub.scrubber_output, scrub.scrubber_quarantine):  # left by earlier runs that were killed
                for stale in stale_temp_dirs(fs_config, target):
                    remove_tree(fs_config, stale)
        except SinkError as exc:
            messages.append(f"the run is published, but tidying up after it failed: {exc}")
    return RunResult(EXIT_OK if publish else EXIT_FINDINGS, manifest, audit_uri, messages)


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def publish_kind(
    prep: Prepared, summary: dict[str, Any], kind: str, published: list[tuple[str, list[str]]]
) -> list[dict[str, Any]]:
    """Rename one kind's shards into place (per partition) and describe them for the audit."""
    scrub, fs_config = prep.scrub, prep.fs_config
    sandbox = kind == "sandbox"
    target = scrub.scrubber_output if sandbox else scrub.scrubber_quarantine
    fmt = scrub.scrubber_format if sandbox else "jsonl"
    groups = shards_by_partition(summary, kind) or {"": []}
    rows: dict[str, int] = {}
    for partition, shards in groups.items():
        where = join_uri(target, partition) if partition else target
        if partition:
            make_dirs(fs_config, where)
        names = commit_shards(
            fs_config,
            shards,
            where,
            fmt,
            layout=prep.layout if sandbox else None,
            replace=bool(scrub.overwrite) and not prep.incremental,
            write_empty=sandbox and not prep.incremental,
            run_id=prep.run_id if prep.incremental else None,
            private=not sandbox,
        )
        paths = [f"{partition}/{name}" if partition else name for name in names]
        published.append((target, paths))
        counts = [s.rows for s in kept_shards(shards)] or [0]
        rows.update(zip(paths, counts, strict=False))
    described = describe_shards(fs_config, target, list(rows), prep.key.key_id)
    return [{**shard, "rows": rows[shard["path"]]} for shard in described]


def incremental_section(prep: Prepared) -> dict[str, Any] | None:
    if not prep.incremental:
        return None
    return {
        "manifest": MANIFEST_NAME,
        "partition_by": prep.scrub.partition_by,
        "partition_field": prep.scrub.partition_field if prep.scrub.partition_by == "ts" else None,
        "skipped": [{"uri": f.uri, "run_id": run_id} for f, run_id in prep.skipped],
        "accepted_changed": list(prep.accepted),
    }


def replay_section(prep: Prepared, summary: dict[str, Any]) -> dict[str, Any] | None:
    if not prep.replay:
        return None
    reads = summary["reads"]
    names = [f.uri.rstrip("/").rsplit("/", 1)[-1] for f in prep.replay]
    return {
        "quarantine_shards": [f.uri for f in prep.replay],
        "entries": sum(reads.get(f.uri, {}).get("lines", 0) for f in prep.replay),
        "from_runs": sorted({run_id for name in names if (run_id := run_id_of(name))}),
    }


def commit_run(prep: Prepared, audit: dict[str, Any], summary: dict[str, Any]) -> None:
    """Add the run and the raw inputs it published to the manifest, written last. Raises SinkError."""
    fs_config, scrub = prep.fs_config, prep.scrub
    reads = summary["reads"]
    replayed = prep.replay_uris
    entries = [
        PublishedInput(
            uri=f.uri,
            size=f.size,
            mtime_ns=f.mtime_ns,
            blake3=reads.get(f.uri, {}).get("blake3") or file_digest(fs_config, f.uri).blake3,
            run_id=prep.run_id,
        )
        for f in prep.inputs
        if f.uri not in replayed
    ]
    manifest = with_run(
        prep.manifest or empty_manifest(scrub.scrubber_output),
        run_id=prep.run_id,
        finished_at=audit["timings"]["finished_at"],
        key_id=prep.key.key_id,
        audit=f"{AUDITS_DIR}/{prep.run_id}.json",
        published=entries,
        consumed_quarantine=sorted(replayed),
    )
    save_manifest(fs_config, scrub.scrubber_output, manifest)
    prep.manifest = manifest


def tidy_incremental(prep: Prepared, expired: list[str]) -> None:
    """After a commit: remove the replayed quarantine shards (their entries are in this run's output), the
    expired quarantine shards, and whatever runs that never committed left (shards, audits)."""
    fs_config, scrub = prep.fs_config, prep.scrub
    manifest = prep.manifest
    assert manifest is not None
    committed = manifest.run_ids
    consumed = {uri for run in manifest.runs for uri in run.consumed_quarantine}
    for uri in sorted(consumed):  # this run's, and any an interrupted tidy-up left
        parent, _, name = uri.rstrip("/").rpartition("/")
        delete_files(fs_config, parent, [name])
    delete_files(fs_config, scrub.scrubber_quarantine, expired)
    for target in (scrub.scrubber_output, scrub.scrubber_quarantine):
        orphans = [path for path in published_shards(fs_config, target) if run_id_of(path) not in committed]
        delete_files(fs_config, target, [p for p in orphans if run_id_of(p) is not None])
    audits_dir = join_uri(scrub.scrubber_output, AUDITS_DIR)
    stray = [
        name
        for name in entries_of(fs_config, audits_dir)
        if name.endswith(".json") and name.removesuffix(".json") not in committed
    ]
    delete_files(fs_config, audits_dir, stray)


def discard_temporaries(prep: Prepared) -> None:
    """After a failed run: nothing of it is published, and its temporary shards are removed."""
    for directory in (prep.output_tmp, prep.quarantine_tmp):
        try:
            remove_tree(prep.fs_config, directory)
        except SinkError as exc:
            _LOG.warning("could not remove %s: %s", directory, exc)


def beam_counters(result: Any) -> dict[str, int] | None:
    try:
        queried = result.metrics().query(MetricsFilter().with_namespace(NAMESPACE))
    except Exception:  # not every runner reports metrics; the audit says so
        return None
    counters: dict[str, int] = {}
    for m in queried.get("counters", []):
        value = m.committed if m.committed is not None else m.attempted
        counters[m.key.metric.name] = counters.get(m.key.metric.name, 0) + int(value or 0)
    return counters


def metrics_check(counters: dict[str, int] | None, accounting: Accounting) -> dict[str, Any]:
    if not counters:
        return {"available": False}
    seen = {
        "lines_read": counters.get("lines_read", 0) + counters.get("read_problems", 0),
        "records_in": counters.get("records_in", 0),
        "records_out": counters.get("records_out", 0),
        "quarantined": counters.get("quarantined", 0),
    }
    agree = (
        seen["lines_read"] == accounting.lines_in == seen["records_in"]
        and seen["records_out"] == accounting.records_out
        and seen["quarantined"] == accounting.quarantined
    )
    return {"available": True, "agree": agree, **seen}
