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
    shards_of,
)
from scrubber.errors import EXIT_FINDINGS, EXIT_OK
from scrubber.io.fs import join_uri
from scrubber.io.publish import (
    AUDIT_NAME,
    commit_shards,
    read_json,
    remove_tree,
    stale_temp_dirs,
    unpublish,
    write_json_atomic,
)
from scrubber.io.writers import SinkError
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
    if accounting.ok:
        guard = quarantine_problem(accounting, scrub.max_quarantine_rate)
        if guard is None and accounting.records_out:
            guard = expected_problem(prep.catalogue, summary["stats"])
    publish = accounting.ok and guard is None
    status = "ok" if publish else ("counts_mismatch" if not accounting.ok else "guard_failed")
    output_info: dict[str, Any] = {
        "uri": scrub.scrubber_output,
        "format": scrub.scrubber_format,
        "files": [],
        "records": accounting.records_out,
    }
    quarantine_info: dict[str, Any] = {
        "uri": scrub.scrubber_quarantine,
        "format": "jsonl",
        "files": [],
        "records": accounting.quarantined,
        "stores": "keyed_hash" if scrub.quarantine_hash_only else "line",
    }
    messages: list[str] = []
    published: list[tuple[str, list[str]]] = []  # (target, names) put in place so far
    try:
        if publish:
            output_info["files"] = commit_shards(
                fs_config,
                shards_of(summary, "sandbox"),
                scrub.scrubber_output,
                scrub.scrubber_format,
                layout=prep.layout,
                replace=bool(scrub.overwrite),
            )
            published.append((scrub.scrubber_output, output_info["files"]))
            quarantine_info["files"] = commit_shards(
                fs_config,
                shards_of(summary, "quarantine"),
                scrub.scrubber_quarantine,
                "jsonl",
                replace=bool(scrub.overwrite),
                write_empty=False,
            )
            published.append((scrub.scrubber_quarantine, quarantine_info["files"]))
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
                "started_at": started_wall.isoformat().replace("+00:00", "Z"),
                "finished_at": finished_wall.isoformat().replace("+00:00", "Z"),
                "pipeline_seconds": round(pipeline_seconds, 3),
                "commit_seconds": round(commit_seconds, 3),
                "total_seconds": round(time.monotonic() - started, 3),
            },
        )
        manifest["beam_metrics"] = metrics
        manifest["guard"] = {"max_quarantine_rate": scrub.max_quarantine_rate, "problem": guard}
        write_json_atomic(fs_config, audit_uri, manifest)
    except SinkError as exc:
        # All or nothing: parts without their audit would look like a complete export.
        for target, names in published:
            unpublish(fs_config, target, names)
        discard_temporaries(prep)
        raise SinkError(f"{exc}. Nothing was published.") from None
    if publish:
        remove_tree(fs_config, prep.output_tmp)
        remove_tree(fs_config, prep.quarantine_tmp)
        for target in (scrub.scrubber_output, scrub.scrubber_quarantine):  # left by earlier runs that were killed
            try:
                for stale in stale_temp_dirs(fs_config, target):
                    remove_tree(fs_config, stale)
            except SinkError as exc:
                messages.append(f"could not remove an earlier run's temporary directory: {exc}")
    return RunResult(EXIT_OK if publish else EXIT_FINDINGS, manifest, audit_uri, messages)


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
