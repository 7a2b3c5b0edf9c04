"""``scrubber run``: raw logs -> sandbox, quarantine and audit manifest, on Apache Beam.

Steps (labels as they appear in runner UIs):

    ListInputFiles -> SpreadFiles -> ReadLines -> Scrub -> WriteSandboxShards
                                                        \\-> WriteQuarantineShards
    (ReadLines, Scrub, both writers: summary items) -> GatherCounts -> FoldRunSummary -> WriteRunSummary

``prepare`` checks everything first; the pipeline writes only temporary shards and the run summary;
``finish`` checks in = out + quarantined, publishes (temp then rename) and writes ``<output>/_audit.json``
last. The default runner is Beam's FnApiRunner in this process: Python only, no download, no network.
(Beam's DirectRunner first tries to fetch and start the Prism runner from the network.)
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import apache_beam
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions

from scrubber.audit import summary_table
from scrubber.errors import EXIT_IO, EXIT_OK, EXIT_USAGE, ScrubberError, exit_code_for
from scrubber.io.fs import SourceError
from scrubber.io.publish import write_json_atomic
from scrubber.io.writers import SinkError
from scrubber.manifest import save_manifest
from scrubber.pipelines import progress
from scrubber.pipelines.finish import RunResult, discard_temporaries, finish
from scrubber.pipelines.options import beam_only, help_text
from scrubber.pipelines.prepare import Prepared, prepare
from scrubber.pipelines.transforms import (
    QUARANTINE,
    SUMMARY,
    Partitioner,
    ReadLinesFn,
    ScrubBatches,
    ScrubFn,
    SummaryFn,
    WriteShardsFn,
)

beam: Any = apache_beam  # Beam ships no type hints; keep mypy strict for the rest of the module

__all__ = ["RunResult", "build", "main", "prepare", "run"]


def build(pipeline: Any, prep: Prepared) -> None:
    """The labelled steps. Writes only temporary shards and the run summary; the launcher publishes."""
    scrub = prep.scrub
    scrub_fn = ScrubFn(
        prep.catalogue,
        key=None if scrub.key_secret else prep.key,
        key_secret=scrub.key_secret or None,
        hash_quarantine=bool(scrub.quarantine_hash_only),
        partition=Partitioner(scrub.partition_by, scrub.partition_field) if scrub.partition_by else None,
        quarantine_key=None if scrub.quarantine_key_secret else prep.seal_key,
        quarantine_key_secret=scrub.quarantine_key_secret or None,
    )
    files = pipeline | "ListInputFiles" >> beam.Create([f.uri for f in prep.inputs]) | "SpreadFiles" >> beam.Reshuffle()
    read = files | "ReadLines" >> beam.ParDo(
        ReadLinesFn(prep.fs_config, scrub.batch_size, prep.replay_uris)
    ).with_outputs(SUMMARY, main="batches")
    scrubbed = read.batches | "Scrub" >> ScrubBatches(scrub_fn)
    sandbox = scrubbed.records | "WriteSandboxShards" >> beam.ParDo(
        WriteShardsFn(
            "sandbox", prep.fs_config, prep.output_tmp, scrub.scrubber_format, prep.layout, scrub.records_per_shard
        )
    )
    quarantine = scrubbed[QUARANTINE] | "WriteQuarantineShards" >> beam.ParDo(
        WriteShardsFn("quarantine", prep.fs_config, prep.quarantine_tmp, "jsonl", None, scrub.records_per_shard)
    )
    fs_config, summary_uri = prep.fs_config, prep.summary_uri
    _ = (
        (read[SUMMARY], scrubbed[SUMMARY], sandbox, quarantine)
        | "GatherCounts" >> beam.Flatten()
        | "FoldRunSummary" >> beam.CombineGlobally(SummaryFn())
        | "WriteRunSummary" >> beam.Map(lambda summary: write_json_atomic(fs_config, summary_uri, summary))
    )


def run(argv: Sequence[str] | None = None, *, console: Any = None) -> RunResult:
    """Run the job. Raises UsageError, CatalogueError, KeyMaterialError, SourceError, SinkError."""
    from rich.console import Console

    started_wall, started = datetime.now(UTC), time.monotonic()
    prep = prepare(list(sys.argv[1:] if argv is None else argv))
    console = console or Console(stderr=True)
    quiet = bool(prep.scrub.quiet)
    if prep.nothing_to_do:
        runs = sorted({run_id for _, run_id in prep.skipped})
        messages = [
            f"nothing new: all {len(prep.skipped) + len(prep.accepted)} matched inputs were published by earlier runs "
            f"({', '.join(runs[:3])}{' ...' if len(runs) > 3 else ''}); no shard was written"
        ]
        if prep.accepted and prep.manifest is not None:  # the only change: record the edited inputs' new content
            save_manifest(prep.fs_config, prep.scrub.scrubber_output, prep.manifest)
            messages.append(f"recorded the new content of {len(prep.accepted)} edited inputs in the manifest, unread")
        return RunResult(EXIT_OK, messages=messages)
    total_bytes = sum(f.size for f in prep.inputs)
    if not quiet:
        console.print(
            f"scrubber run {prep.run_id}: {len(prep.inputs)} input files ({total_bytes:,} bytes), "
            f"catalogue {prep.catalogue.model.catalogue!r}, key id {prep.key.key_id}, runner {prep.runner}"
            + (f", quarantine sealed with key id {prep.seal_key_id}" if prep.seal_key_id else ""),
            highlight=False,
        )
        if prep.skipped or prep.replay:
            console.print(
                f"incremental: {len(prep.skipped)} inputs skipped (published before), "
                f"{len(prep.replay)} quarantine shards replayed",
                highlight=False,
            )
    runner_options = PipelineOptions(beam_only(prep.argv))
    runner_options.view_as(StandardOptions).runner = prep.options.view_as(StandardOptions).runner
    pipeline = beam.Pipeline(options=runner_options)
    build(pipeline, prep)
    pipeline_started = time.monotonic()
    show_progress = prep.local and not quiet and console.is_terminal
    try:
        with progress.ProgressDisplay(total_bytes, "scrubbing", console, enabled=show_progress):
            result = pipeline.run()
            state = result.wait_until_finish()
    except Exception as exc:
        discard_temporaries(prep)
        root = _root_error(exc)
        if isinstance(root, (SinkError, SourceError)):
            raise type(root)(f"{root}. Nothing was published.") from None
        if isinstance(root, ScrubberError):
            raise root from None
        raise PipelineFailed(exc) from None
    if str(state) not in ("DONE", "PipelineState.DONE"):
        discard_temporaries(prep)
        raise PipelineFailed(RuntimeError(f"the pipeline ended in state {state}"))
    outcome = finish(prep, result, started_wall, started, time.monotonic() - pipeline_started)
    if not quiet and outcome.manifest is not None:
        Console().print(summary_table(outcome.manifest))
    return outcome


def _root_error(exc: BaseException) -> BaseException:
    """The ScrubberError behind a runner's wrapped exception, if any."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ScrubberError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return exc


def _quiet_beam_logging() -> None:
    """Beam logs a failing step with its traceback; we report the error once, ourselves.

    SCRUBBER_LOG_LEVEL=INFO (or DEBUG) shows Beam's own logging again, for debugging a runner.
    """
    level = os.environ.get("SCRUBBER_LOG_LEVEL", "").upper()
    if level:
        logging.basicConfig(level=level)
        return
    logging.getLogger("apache_beam").setLevel(logging.CRITICAL)


class PipelineFailed(Exception):
    """The runner reported a failure that is not one of ours. The message is cut to its first lines."""

    def __init__(self, cause: BaseException) -> None:
        text = str(cause).strip().splitlines()
        head = text[-1] if text else ""
        super().__init__(f"{type(cause).__name__}: {head[:500]}")


def main(argv: Sequence[str] | None = None) -> int:
    """The CLI entry point for ``scrubber run``; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if any(a in ("-h", "--help") for a in argv) or not argv:
        print(help_text(), file=sys.stdout if argv else sys.stderr)
        return EXIT_OK if argv else EXIT_USAGE
    _quiet_beam_logging()
    try:
        result = run(argv)
    except SystemExit as exc:  # argparse reports a malformed option value this way
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    except (ScrubberError, OSError) as exc:
        print(f"scrubber run: {exc}", file=sys.stderr)
        return exit_code_for(exc)
    except PipelineFailed as exc:
        print(f"scrubber run: the pipeline failed: {exc}", file=sys.stderr)
        return EXIT_IO
    for message in result.messages:
        print(f"scrubber run: {message}", file=sys.stderr)
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main())
