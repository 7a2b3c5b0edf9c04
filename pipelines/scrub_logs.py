"""``scrubber run``: raw logs -> sandbox, quarantine and audit manifest, on Apache Beam.

Steps (labels as they appear in runner UIs):

    ListInputFiles -> SpreadFiles -> ReadLines -> Scrub -> WriteSandboxShards
                                                        \\-> WriteQuarantineShards
    (ReadLines, Scrub, both writers: summary items) -> GatherCounts -> FoldRunSummary -> WriteRunSummary

The launcher then reads the run summary, checks in = out + quarantined, renames the reported
shards into place (temp then rename) and writes ``<output>/_audit.json`` last. If the counts do
not add up nothing is published: the shards and the audit stay in the ``.scrubber-tmp-<run id>``
directories and the exit code is 1. A failure while publishing removes what was already put in
place (all or nothing). A successful run also removes temporary directories that earlier runs left
behind (killed runs, runs whose counts did not add up).

The default runner is Beam's FnApiRunner in this process: Python only, no download, no network.
(Beam's DirectRunner first tries to fetch and start the Prism runner from the network.)
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import apache_beam
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.options.pipeline_options import DirectOptions, PipelineOptions, S3Options, StandardOptions

from scrubber.audit import Accounting, build_manifest, check_accounting, shards_of, summary_table
from scrubber.catalogue import LoadedCatalogue, parse_catalogue, resolve
from scrubber.core import Scrubber
from scrubber.errors import (
    EXIT_FINDINGS,
    EXIT_IO,
    EXIT_OK,
    EXIT_USAGE,
    CatalogueError,
    ScrubberError,
    UsageError,
    exit_code_for,
)
from scrubber.io.schema import arrow_schema
from scrubber.io.sinks import (
    AUDIT_NAME,
    SUMMARY_NAME,
    SinkError,
    commit_shards,
    existing_outputs,
    make_dirs,
    read_json,
    remove_tree,
    stale_temp_dirs,
    temp_dir,
    unpublish,
    write_json_atomic,
)
from scrubber.io.sources import FsConfig, InputFile, SourceError, expand_inputs, join_uri
from scrubber.keys import Key, load_key
from scrubber.pipelines import progress
from scrubber.pipelines.options import ScrubOptions, beam_only, forbidden_options, suggest, unknown_options
from scrubber.pipelines.transforms import (
    NAMESPACE,
    QUARANTINE,
    SUMMARY,
    ReadLinesFn,
    ScrubBatches,
    ScrubFn,
    SummaryFn,
    WriteShardsFn,
)

beam: Any = apache_beam  # Beam ships no type hints; keep mypy strict for the rest of the module
DEFAULT_RUNNER = "FnApiRunner"
FN_API_RUNNER = "apache_beam.runners.portability.fn_api_runner.FnApiRunner"
_LOG = logging.getLogger("scrubber.run")

USAGE = """\
scrubber run --input GLOB --output URI --quarantine URI --catalogue NAME|PATH
             [--key-file PATH | --key-env NAME | --key-secret URI] [--format parquet|jsonl]
             [--quarantine-hash-only] [--overwrite] [--runner RUNNER] [any Beam pipeline option]"""

DESCRIPTION = """\
Scrub raw gateway logs into the sandbox. Every field without a rule is dropped (default deny).
A line that is not JSON, not a JSON object or rejected by a rule goes to the quarantine with
the reason, the input file and the line number, never to the sandbox. Every input line ends
in exactly one of the two; in = out + quarantined is checked at the end of the run and written
to the audit manifest <output>/_audit.json (counts only, never values)."""

EPILOG = """\
key: --key-file, --key-env or --key-secret; with none of them, the SCRUBBER_KEY environment
variable. The key is never printed; the audit records only its id.

examples:
  scrubber keygen > scrubber.key && chmod 600 scrubber.key
  scrubber run --input 'logs/*.jsonl.gz' --output sandbox/ --quarantine quarantine/ \\
      --catalogue pseudonymous --key-file scrubber.key
  SCRUBBER_KEY=$(cat scrubber.key) scrubber run --input 'logs/' --input 'export/*.parquet' \\
      --output sandbox/ --quarantine quarantine/ --catalogue strict --format jsonl
  AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... scrubber run --input 's3://raw/2026-11-23/*' \\
      --output s3://sandbox/2026-11-23 --quarantine s3://quarantine/2026-11-23 \\
      --catalogue pseudonymous --key-file scrubber.key --s3_endpoint_url http://localhost:9000
  scrubber run ... --runner FlinkRunner --flink_master localhost:8081 --environment_type LOOPBACK

runners: by default Beam's FnApiRunner runs the job in this process, offline, with a progress
bar and a summary table. --direct_num_workers N --direct_running_mode multi_processing spreads whole
input files over N worker processes (one file stays on one worker; each worker starts its own Python).
Any Beam option is accepted (--runner DataflowRunner --project ... --region ...).
S3-compatible servers: --s3_endpoint_url URL [--s3_region_name R]; credentials come only from
AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (the --s3_*_key options are refused).

output: part-NNNNN-of-MMMMM.parquet (typed by the catalogue) or .jsonl, written under a temporary
name and renamed when the run has succeeded; _audit.json is written last. The quarantine is
JSON lines: {"source", "line", "reason", "field", "raw" | "raw_blake3"}.

exit codes: 0 ok; 1 in != out + quarantined (nothing published); 2 bad usage, catalogue or key;
3 input/output failure"""


@dataclass
class Prepared:
    """Everything checked before the pipeline starts."""

    options: PipelineOptions
    scrub: ScrubOptions
    fs_config: FsConfig
    key: Key
    catalogue: LoadedCatalogue
    catalogue_text: str
    schema: Any
    inputs: list[InputFile]
    run_id: str
    runner: str
    output_tmp: str
    quarantine_tmp: str
    summary_uri: str
    local: bool
    argv: list[str]


@dataclass
class RunResult:
    exit_code: int
    manifest: dict[str, Any] | None = None
    audit_uri: str | None = None
    messages: list[str] = field(default_factory=list)


# --- preparing -----------------------------------------------------------------------------------


def help_text() -> str:
    import argparse

    parser = argparse.ArgumentParser(
        prog="scrubber run",
        usage=USAGE,
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        add_help=True,
    )
    ScrubOptions._add_argparse_args(parser)
    return parser.format_help()


def parse_options(argv: Sequence[str]) -> PipelineOptions:
    argv = list(argv)
    refused = forbidden_options(argv)
    if refused:
        raise UsageError(
            f"{', '.join(refused)} must not be given on the command line; export AWS_ACCESS_KEY_ID, "
            "AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) instead"
        )
    unknown, positional = unknown_options(argv)
    if unknown:
        raise UsageError(f"unknown option {unknown[0]}.{suggest(unknown[0])} See: scrubber run --help")
    if positional:
        raise UsageError(
            "unexpected argument without an option name; every argument is --name VALUE "
            "(e.g. --input 'logs/*.jsonl'). See: scrubber run --help"
        )
    options = PipelineOptions(argv)
    scrub = options.view_as(ScrubOptions)
    missing = [
        name
        for name, value in (
            ("--input", scrub.scrubber_input),
            ("--output", scrub.scrubber_output),
            ("--quarantine", scrub.scrubber_quarantine),
            ("--catalogue", scrub.scrubber_catalogue),
        )
        if not value
    ]
    if missing:
        raise UsageError(
            f"missing {', '.join(missing)}. Example: scrubber run --input 'logs/*.jsonl.gz' "
            "--output sandbox/ --quarantine quarantine/ --catalogue pseudonymous --key-file scrubber.key"
        )
    if scrub.batch_size < 1 or scrub.records_per_shard < 1:
        raise UsageError("--batch-size and --records-per-shard must be at least 1")
    return options


def _location(uri: str) -> tuple[str, str]:
    from scrubber.io.sources import _scheme

    scheme = _scheme(uri)
    if scheme in ("", "file"):
        path = uri[len("file://") :] if scheme == "file" else uri
        return "", os.path.realpath(os.path.expanduser(path))
    return scheme, uri[len(scheme) + 3 :].rstrip("/")


def inside(child: str, parent: str) -> bool:
    """True if ``child`` is ``parent`` or below it (local paths resolved through symlinks)."""
    (cs, cp), (ps, pp) = _location(child), _location(parent)
    return cs == ps and (cp == pp or cp.startswith(pp.rstrip("/") + "/"))


def load_catalogue_text(name_or_path: str) -> tuple[LoadedCatalogue, str]:
    path = resolve(name_or_path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"cannot read catalogue {path}: {exc}") from None
    return parse_catalogue(text, str(path)), text


def prepare(argv: Sequence[str]) -> Prepared:
    options = parse_options(argv)
    scrub = options.view_as(ScrubOptions)
    s3 = options.view_as(S3Options)
    fs_config = FsConfig(s3_endpoint_url=s3.s3_endpoint_url, s3_region=s3.s3_region_name)

    if inside(scrub.scrubber_quarantine, scrub.scrubber_output):
        raise UsageError(
            f"--quarantine {scrub.scrubber_quarantine} is inside (or equal to) "
            f"--output {scrub.scrubber_output}; "
            "rejected lines must never be in the sandbox. Choose a separate directory."
        )
    key = load_key(key_file=scrub.key_file, key_env=scrub.key_env, secret=scrub.key_secret)
    catalogue, text = load_catalogue_text(scrub.scrubber_catalogue)
    scrubber = Scrubber(catalogue, key)  # compiles every rule: a catalogue error stops us here, not on a worker
    schema = arrow_schema(scrubber.plan.output_shape()) if scrub.scrubber_format == "parquet" else None

    inputs = expand_inputs(scrub.scrubber_input, fs_config)
    for inp in inputs:
        if inside(inp.uri, scrub.scrubber_output) or inside(inp.uri, scrub.scrubber_quarantine):
            raise UsageError(f"input {inp.uri} is inside --output or --quarantine; read raw logs from elsewhere")
    if not scrub.overwrite:
        for flag, target in (("--output", scrub.scrubber_output), ("--quarantine", scrub.scrubber_quarantine)):
            earlier = existing_outputs(fs_config, target)
            if earlier:
                raise UsageError(
                    f"{flag} {target} already holds {', '.join(earlier[:3])}"
                    f"{' ...' if len(earlier) > 3 else ''} from an earlier run; pass --overwrite "
                    "or choose an empty directory"
                )

    standard = options.view_as(StandardOptions)
    if not standard.runner:
        standard.runner = DEFAULT_RUNNER
    runner = str(standard.runner)
    if runner == "FnApiRunner":  # Beam 2.62 knows it only by its full name
        standard.runner = FN_API_RUNNER
    direct = options.view_as(DirectOptions)
    local = runner.split(".")[-1] == "FnApiRunner" and (direct.direct_running_mode in (None, "in_memory"))

    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:8]
    output_tmp = temp_dir(scrub.scrubber_output, run_id)
    quarantine_tmp = temp_dir(scrub.scrubber_quarantine, run_id)
    try:
        for directory in (scrub.scrubber_output, scrub.scrubber_quarantine, output_tmp, quarantine_tmp):
            make_dirs(fs_config, directory)
    except SinkError:
        for directory in (output_tmp, quarantine_tmp):  # e.g. the quarantine is unwritable: no temp dir stays
            with contextlib.suppress(SinkError):
                remove_tree(fs_config, directory)
        raise
    return Prepared(
        options,
        scrub,
        fs_config,
        key,
        catalogue,
        text,
        schema,
        inputs,
        run_id,
        runner,
        output_tmp,
        quarantine_tmp,
        join_uri(output_tmp, SUMMARY_NAME),
        local,
        list(argv),
    )


# --- the pipeline --------------------------------------------------------------------------------


def build(pipeline: Any, prep: Prepared) -> None:
    """The labelled steps. Writes only temporary shards and the run summary; the launcher publishes."""
    scrub = prep.scrub
    scrub_fn = ScrubFn(
        prep.catalogue_text,
        prep.catalogue.source,
        key=None if scrub.key_secret else prep.key,
        key_secret=scrub.key_secret or None,
        hash_quarantine=bool(scrub.quarantine_hash_only),
    )
    files = pipeline | "ListInputFiles" >> beam.Create([f.uri for f in prep.inputs]) | "SpreadFiles" >> beam.Reshuffle()
    read = files | "ReadLines" >> beam.ParDo(ReadLinesFn(prep.fs_config, scrub.batch_size)).with_outputs(
        SUMMARY, main="batches"
    )
    scrubbed = read.batches | "Scrub" >> ScrubBatches(scrub_fn)
    sandbox = scrubbed.records | "WriteSandboxShards" >> beam.ParDo(
        WriteShardsFn(
            "sandbox", prep.fs_config, prep.output_tmp, scrub.scrubber_format, prep.schema, scrub.records_per_shard
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


def _beam_counters(result: Any) -> dict[str, int] | None:
    try:
        queried = result.metrics().query(MetricsFilter().with_namespace(NAMESPACE))
    except Exception:  # not every runner reports metrics; the audit says so
        return None
    counters: dict[str, int] = {}
    for m in queried.get("counters", []):
        value = m.committed if m.committed is not None else m.attempted
        counters[m.key.metric.name] = counters.get(m.key.metric.name, 0) + int(value or 0)
    return counters


def _metrics_check(counters: dict[str, int] | None, accounting: Accounting) -> dict[str, Any]:
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


def run(argv: Sequence[str] | None = None, *, console: Any = None) -> RunResult:
    """Run the job. Raises UsageError, CatalogueError, KeyMaterialError, SourceError, SinkError."""
    from rich.console import Console

    started_wall = datetime.now(UTC)
    started = time.monotonic()
    argv = list(sys.argv[1:] if argv is None else argv)
    prep = prepare(argv)
    console = console or Console(stderr=True)
    quiet = bool(prep.scrub.quiet)
    total_bytes = sum(f.size for f in prep.inputs)
    if not quiet:
        console.print(
            f"scrubber run {prep.run_id}: {len(prep.inputs)} input files ({total_bytes:,} bytes), "
            f"catalogue {prep.catalogue.model.catalogue!r}, key id {prep.key.key_id}, "
            f"runner {prep.runner}",
            highlight=False,
        )

    runner_options = PipelineOptions(beam_only(prep.argv))
    runner_options.view_as(StandardOptions).runner = prep.options.view_as(StandardOptions).runner
    pipeline = beam.Pipeline(options=runner_options)
    build(pipeline, prep)
    pipeline_started = time.monotonic()
    display: Any = None
    if prep.local and not quiet and console.is_terminal:
        display = progress.ProgressDisplay(total_bytes, "scrubbing", console)
    try:
        if display is not None:
            with display:
                result = pipeline.run()
                state = result.wait_until_finish()
        else:
            result = pipeline.run()
            state = result.wait_until_finish()
    except Exception as exc:
        _discard_temporaries(prep)
        root = _root_error(exc)
        if isinstance(root, (SinkError, SourceError)):
            raise type(root)(f"{root}. Nothing was published.") from None
        if isinstance(root, ScrubberError):
            raise root from None
        raise PipelineFailed(exc) from None
    if str(state) not in ("DONE", "PipelineState.DONE"):
        _discard_temporaries(prep)
        raise PipelineFailed(RuntimeError(f"the pipeline ended in state {state}"))
    pipeline_seconds = time.monotonic() - pipeline_started

    commit_started = time.monotonic()
    fs_config, scrub = prep.fs_config, prep.scrub
    summary = read_json(fs_config, prep.summary_uri)
    accounting = check_accounting(summary, files_matched=len(prep.inputs))
    metrics = _metrics_check(_beam_counters(result), accounting)
    status = "ok" if accounting.ok else "counts_mismatch"
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
        if accounting.ok:
            output_info["files"] = commit_shards(
                fs_config,
                shards_of(summary, "sandbox"),
                scrub.scrubber_output,
                scrub.scrubber_format,
                schema=prep.schema,
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
        else:
            audit_uri = join_uri(prep.output_tmp, AUDIT_NAME)
            messages.append(
                "the counts do not add up: "
                + "; ".join(accounting.problems)
                + f". Nothing was published; shards are in {prep.output_tmp} and {prep.quarantine_tmp}."
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
        write_json_atomic(fs_config, audit_uri, manifest)
    except SinkError as exc:
        # All or nothing: parts without their audit would look like a complete export.
        for target, names in published:
            unpublish(fs_config, target, names)
        _discard_temporaries(prep)
        raise SinkError(f"{exc}. Nothing was published.") from None
    if accounting.ok:
        remove_tree(fs_config, prep.output_tmp)
        remove_tree(fs_config, prep.quarantine_tmp)
        for target in (scrub.scrubber_output, scrub.scrubber_quarantine):  # left by earlier runs that were killed
            try:
                for stale in stale_temp_dirs(fs_config, target):
                    remove_tree(fs_config, stale)
            except SinkError as exc:
                messages.append(f"could not remove an earlier run's temporary directory: {exc}")
    if not quiet:
        from rich.console import Console as _Console

        _Console().print(summary_table(manifest))
    return RunResult(EXIT_OK if accounting.ok else EXIT_FINDINGS, manifest, audit_uri, messages)


def _discard_temporaries(prep: Prepared) -> None:
    """After a failed run: nothing of it is published, and its temporary shards are removed."""
    for directory in (prep.output_tmp, prep.quarantine_tmp):
        try:
            remove_tree(prep.fs_config, directory)
        except SinkError as exc:
            _LOG.warning("could not remove %s: %s", directory, exc)


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
