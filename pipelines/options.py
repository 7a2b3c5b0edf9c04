"""Pipeline options of ``scrubber run``: the contract options plus every Beam option.

Contract options accept both spellings, ``--key-file`` and ``--key_file``. Beam's own options
(``--runner``, ``--flink_master``, ``--environment_type``, ``--direct_num_workers``,
``--s3_endpoint_url`` ...) pass through unchanged. Unknown options are refused, naming only the
option, never its value, so that a mistyped option cannot carry a secret into a log.
"""

from __future__ import annotations

import argparse
import difflib
from collections.abc import Sequence
from typing import Any

from apache_beam.options.pipeline_options import PipelineOptions, _BeamArgumentParser

from scrubber.catalogue import available_profiles
from scrubber.errors import UsageError
from scrubber.io.writers import FORMATS

DEFAULT_BATCH_SIZE = 1000
DEFAULT_RECORDS_PER_SHARD = 500_000
DEFAULT_MAX_QUARANTINE_RATE = 0.5
# Options that must never be given on a command line: they would sit in shell history, process
# lists and Beam's logged options. Credentials come from the environment.
FORBIDDEN_OPTIONS = ("--s3_access_key_id", "--s3_secret_access_key", "--s3_session_token")


class ScrubOptions(PipelineOptions):
    """The options of ``scrubber run``."""

    @classmethod
    def _add_argparse_args(cls, parser: Any) -> None:
        group = parser.add_argument_group("scrubber run")
        group.add_argument(
            "--input",
            dest="scrubber_input",
            action="append",
            metavar="GLOB",
            help="raw logs: a file, a directory or a glob (local, gs://, s3://); .jsonl, .jsonl.gz "
            "or Parquet, told apart by content. Repeat for several.",
        )
        group.add_argument("--output", dest="scrubber_output", metavar="URI", help="the sandbox directory")
        group.add_argument(
            "--quarantine",
            dest="scrubber_quarantine",
            metavar="URI",
            help="where rejected lines go, with reason, file and line; never inside --output",
        )
        group.add_argument(
            "--catalogue",
            dest="scrubber_catalogue",
            metavar="NAME|PATH",
            help="a profile name (" + ", ".join(available_profiles()) + ") or a catalogue .yaml file; "
            "see README 'Sources' for which tool's logs each profile reads",
        )
        group.add_argument(
            "--key-file",
            "--key_file",
            dest="key_file",
            metavar="PATH",
            help="file holding the 32-byte key as 64 hex characters (see: scrubber keygen)",
        )
        group.add_argument(
            "--key-env",
            "--key_env",
            dest="key_env",
            metavar="NAME",
            help="environment variable holding the key in hex (default: SCRUBBER_KEY)",
        )
        group.add_argument(
            "--key-secret",
            "--key_secret",
            dest="key_secret",
            metavar="URI",
            help="gcp-secret://... or aws-secret://...; loaded by each worker, so the key is "
            "not part of the submitted job",
        )
        group.add_argument(
            "--allow-insecure-key-file",
            "--allow_insecure_key_file",
            dest="allow_insecure_key_file",
            action="store_true",
            help="accept a key file that group or others can read, or that another user owns (refused by default)",
        )
        group.add_argument(
            "--format",
            dest="scrubber_format",
            choices=FORMATS,
            default="parquet",
            help="sandbox format (default parquet, typed by the catalogue)",
        )
        group.add_argument(
            "--quarantine-hash-only",
            "--quarantine_hash_only",
            dest="quarantine_hash_only",
            action="store_true",
            help="store a keyed BLAKE3 hash of each rejected line instead of the line",
        )
        sealed = parser.add_argument_group(
            "sealed quarantine (one of; the key must not be the pseudonym key; see: scrubber quarantine show --help)"
        )
        sealed.add_argument(
            "--quarantine-key-file",
            "--quarantine_key_file",
            dest="quarantine_key_file",
            metavar="PATH",
            help="seal each rejected line with AES-256-GCM under this key (64 hex characters; see: scrubber keygen); "
            "reason, file and line stay readable. Mode 0600, as --key-file (--allow-insecure-key-file covers both)",
        )
        sealed.add_argument(
            "--quarantine-key-env",
            "--quarantine_key_env",
            dest="quarantine_key_env",
            metavar="NAME",
            help="the same, the key in this environment variable (no default)",
        )
        sealed.add_argument(
            "--quarantine-key-secret",
            "--quarantine_key_secret",
            dest="quarantine_key_secret",
            metavar="URI",
            help="the same, from gcp-secret://... or aws-secret://...; loaded by each worker",
        )
        group.add_argument(
            "--overwrite",
            dest="overwrite",
            action="store_true",
            help="replace the shards and audit of an earlier run in --output and --quarantine "
            "(only once the new run has succeeded)",
        )
        group.add_argument(
            "--batch-size",
            "--batch_size",
            dest="batch_size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            metavar="N",
            help=f"lines per batch inside a worker (default {DEFAULT_BATCH_SIZE})",
        )
        group.add_argument(
            "--records-per-shard",
            "--records_per_shard",
            dest="records_per_shard",
            type=int,
            default=DEFAULT_RECORDS_PER_SHARD,
            metavar="N",
            help=f"records per output file at most (default {DEFAULT_RECORDS_PER_SHARD:,})",
        )
        group.add_argument(
            "--max-quarantine-rate",
            "--max_quarantine_rate",
            dest="max_quarantine_rate",
            type=float,
            default=DEFAULT_MAX_QUARANTINE_RATE,
            metavar="R",
            help="publish nothing and exit 1 when more than this share of the lines is quarantined "
            f"(0 to 1, default {DEFAULT_MAX_QUARANTINE_RATE}); a run whose every line is quarantined always fails",
        )
        group.add_argument(
            "--quiet", dest="quiet", action="store_true", help="no progress display and no summary table"
        )
        nightly = parser.add_argument_group("incremental runs (README 'Operating the nightly job')")
        nightly.add_argument(
            "--incremental",
            dest="incremental",
            action="store_true",
            help="add to the sandbox instead of replacing it: inputs listed in <output>/_inputs.json with the "
            "same size, time and BLAKE3 are skipped; shards are named by run id; each run has "
            "<output>/_audits/<run id>.json",
        )
        nightly.add_argument(
            "--partition-by",
            "--partition_by",
            dest="partition_by",
            choices=("ts", "path"),
            help="with --incremental: write shards under dt=YYYY-MM-DD/, the day of the output field "
            "--partition-field (epoch seconds, milliseconds or ISO 8601, UTC) or the last date in the input path; "
            "a record with no such date goes to dt=unknown",
        )
        nightly.add_argument(
            "--partition-field",
            "--partition_field",
            dest="partition_field",
            default="ts",
            metavar="FIELD",
            help="the output field --partition-by ts reads (default ts)",
        )
        nightly.add_argument(
            "--reprocess-changed",
            "--reprocess_changed",
            dest="reprocess_changed",
            action="store_true",
            help="with --incremental: read an input again whose size, time and hash differ from the manifest "
            "(the records published from its earlier content stay in the sandbox)",
        )
        nightly.add_argument(
            "--accept-changed",
            "--accept_changed",
            dest="accept_changed",
            action="store_true",
            help="with --incremental: an input whose content changed since it was published (edited on purpose, "
            "e.g. a person erased from the raw log) is not read again; the manifest records its new size, time "
            "and BLAKE3",
        )
        nightly.add_argument(
            "--quarantine-retention-days",
            "--quarantine_retention_days",
            dest="quarantine_retention_days",
            type=int,
            metavar="N",
            help="with --incremental: after the run, remove quarantine shards of runs that started more than N days "
            "ago; the audit lists them",
        )


def beam_only(argv: Sequence[str]) -> list[str]:
    """``argv`` without scrubber's own options, for the runner.

    The runner must not see them: a portable runner adds the job server's options (such as
    ``--output_executable_path``) and lets ``--output`` match one of them as an abbreviation.
    """
    parser = argparse.ArgumentParser(allow_abbrev=False, add_help=False)
    ScrubOptions._add_argparse_args(parser)
    _, rest = parser.parse_known_args(list(argv))
    return rest


def beam_parser() -> argparse.ArgumentParser:
    """A parser knowing every Beam option and ours, as PipelineOptions builds it."""
    parser = _BeamArgumentParser(allow_abbrev=False, add_help=False)
    seen: dict[str, type[PipelineOptions]] = {}
    for cls in PipelineOptions.__subclasses__():
        seen.setdefault(str(cls), cls)
    for cls in seen.values():
        cls._add_argparse_args(parser)
    return parser


def unknown_options(argv: Sequence[str]) -> tuple[list[str], int]:
    """Option names in ``argv`` that no options class knows, and how many stray positional arguments.

    Only names are returned, never values, so that callers cannot echo a pasted secret.
    """
    parser = beam_parser()
    _, unknown = parser.parse_known_args(list(argv))
    names = [item.split("=", 1)[0] for item in unknown if item.startswith("-")]
    return names, sum(1 for item in unknown if not item.startswith("-"))


def suggest(name: str) -> str:
    """' Did you mean --x?' for a mistyped option, or ''."""
    parser = beam_parser()
    known = [s for action in parser._actions for s in action.option_strings]
    close = difflib.get_close_matches(name, known, n=1)
    return f" Did you mean {close[0]}?" if close else ""


def forbidden_options(argv: Sequence[str]) -> list[str]:
    return [o for o in FORBIDDEN_OPTIONS if any(a == o or a.startswith(o + "=") for a in argv)]


USAGE = """\
scrubber run --input GLOB --output URI --quarantine URI --catalogue NAME|PATH
             [--key-file PATH | --key-env NAME | --key-secret URI] [--format parquet|jsonl]
             [--quarantine-hash-only | --quarantine-key-file PATH | --quarantine-key-env NAME
              | --quarantine-key-secret URI] [--overwrite] [--runner RUNNER] [any Beam pipeline option]
             [--incremental [--partition-by ts|path] [--quarantine-retention-days N]]"""

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
  scrubber keygen --out scrubber.key
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
JSON lines: {"source", "line", "reason", "field", "raw" | "raw_blake3" | "raw_sealed" + "seal_key_id"}.

sealed quarantine (--quarantine-key-file, --quarantine-key-env or --quarantine-key-secret): each
rejected line is encrypted (AES-256-GCM, a random nonce per entry, bound to the entry's source, line,
reason and field) under a quarantine key that must differ from the pseudonym key; each entry names
the key by its id (seal_key_id). Reason, file and line stay readable. Read the lines with:
  scrubber quarantine show --quarantine-key-file quarantine.key quarantine/
The random nonces make the quarantine's bytes differ from run to run (the sandbox's do not).

guards: a run publishes nothing and exits 1 when in != out + quarantined, when every line went to
the quarantine, or when more than --max-quarantine-rate of the lines did (default 0.5): such logs
most likely need another catalogue. The shards and the audit then stay in the hidden
.scrubber-tmp-<run id> directories for inspection; the next successful run removes them.

incremental runs (--incremental): the sandbox keeps every earlier run's shards. Inputs already in
<output>/_inputs.json (same path, size and time, or same BLAKE3) are skipped and the summary says so;
an input that changed since it was published is refused (--accept-changed records an edit made on
purpose without reading it; --reprocess-changed reads it again). Shards
are part-<run id>-NNNNN-of-MMMMM, under dt=YYYY-MM-DD/ with --partition-by. Each run writes
<output>/_audits/<run id>.json and a copy as _audit.json; the manifest is written last, so a run it does
not list did not happen (its shards are removed by the next run). A run with nothing new exits 0.

quarantine replay: with --incremental, an --input inside --quarantine (e.g. --input quarantine/) reads
the quarantine entries back as their raw lines, with their first file and line. Recovered records go
to the sandbox, the rest to a new quarantine shard, and the replayed shards are removed; the audit
names the runs they came from. Entries stored as a hash only (--quarantine-hash-only) stay as they are;
sealed entries are replayed when the run has their quarantine key, else they stay as they are.

exit codes: 0 ok; 1 nothing published (counts do not add up, or too much quarantined);
2 bad usage, catalogue or key; 3 input/output failure"""


def help_text() -> str:
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
    sealing = [
        flag
        for flag, value in (
            ("--quarantine-key-file", scrub.quarantine_key_file),
            ("--quarantine-key-env", scrub.quarantine_key_env),
            ("--quarantine-key-secret", scrub.quarantine_key_secret),
        )
        if value
    ]
    if sealing and scrub.quarantine_hash_only:
        raise UsageError(
            f"--quarantine-hash-only and {sealing[0]} exclude each other: the quarantine stores a keyed hash of "
            "each line (which cannot be replayed) or the line sealed with the quarantine key. Choose one"
        )
    if len(sealing) > 1:
        raise UsageError(f"give only one of {', '.join(sealing)}: the quarantine key comes from one place")
    if scrub.batch_size < 1 or scrub.records_per_shard < 1:
        raise UsageError("--batch-size and --records-per-shard must be at least 1")
    if not scrub.incremental:
        needs = [
            flag
            for flag, value in (
                ("--partition-by", scrub.partition_by),
                ("--reprocess-changed", scrub.reprocess_changed),
                ("--accept-changed", scrub.accept_changed),
                ("--quarantine-retention-days", scrub.quarantine_retention_days is not None),
            )
            if value
        ]
        if needs:
            raise UsageError(
                f"{', '.join(needs)} works only with --incremental (a plain run replaces the sandbox and the "
                "quarantine as a whole). Add --incremental"
            )
    if scrub.reprocess_changed and scrub.accept_changed:
        raise UsageError("--reprocess-changed reads a changed input again, --accept-changed does not: choose one")
    if scrub.quarantine_retention_days is not None and scrub.quarantine_retention_days < 1:
        raise UsageError("--quarantine-retention-days is a number of days, at least 1")
    if not 0.0 <= scrub.max_quarantine_rate <= 1.0:
        raise UsageError("--max-quarantine-rate is a share of the lines, from 0 to 1 (e.g. 0.05 for 5%)")
    return options
