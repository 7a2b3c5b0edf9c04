"""``scrubber stream``: a Kafka topic -> windowed sandbox and quarantine files, each pane with its audit.

Steps (labels as they appear in runner UIs):

    ReadKafka -> ScrubMessages -> Window -> OneWriter (GroupByKey) -> PublishPanes

The same catalogue and core as ``scrubber run`` scrub each message; a message that is empty, too large,
not UTF-8 or not JSON goes to the quarantine with its topic, partition and offset. Windows are fixed, on
the message timestamp (the topic should use ``message.timestamp.type=LogAppendTime``). All panes go to one
writer, so they are published in window order; a restarted launcher therefore resumes each partition one
past the last offset that a published pane holds (``scrubber.streaming.panes.resume_offsets``), never from
Kafka's committed offsets, which run ahead of what Flink still buffers. Within a running job, Flink's
checkpoints hold the reader's offsets and the buffered windows together; a restored job replays them and
finds the panes it had already published under the same names.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import apache_beam
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.transforms import trigger as beam_trigger
from apache_beam.transforms import window

from scrubber.arguments import add_key_arguments, ring_from_args
from scrubber.catalogue import LoadedCatalogue, load_catalogue
from scrubber.core import Scrubber
from scrubber.errors import EXIT_FINDINGS, EXIT_IO, EXIT_OK, EXIT_USAGE, ScrubberError, UsageError, exit_code_for
from scrubber.io.fs import FsConfig
from scrubber.io.publish import make_dirs, remove_tree
from scrubber.io.writers import FORMATS, WRITERS, with_key_id
from scrubber.keys import Key
from scrubber.pipelines.kafka_read import KafkaSource, ReadFromKafka, plan_partitions
from scrubber.pipelines.prepare import inside, new_run_id
from scrubber.pipelines.transforms import WorkerKeys
from scrubber.quarantine import add_quarantine_key_arguments, quarantine_key_given, seal_key_from_args
from scrubber.records import Quarantiner, scrub_line
from scrubber.streaming.messages import DEFAULT_MAX_MESSAGE_BYTES, KafkaMessage, to_line
from scrubber.streaming.panes import (
    Pane,
    PaneTargets,
    Scrubbed,
    publish_pane,
    published_audits,
    resume_offsets,
    stale_attempts,
)

beam: Any = apache_beam  # Beam ships no type hints; keep mypy strict for the rest of the module
trigger: Any = beam_trigger
DEFAULT_ALLOWED_LATENESS_S = 24 * 3600

DESCRIPTION = """\
Scrub a Kafka topic continuously into windowed files, with the catalogue and key of scrubber run.
Each window pane becomes window=<start>_<end>/pane-<n>-<digest>/ in --output (one shard per partition
and offset range, and _audit.json: messages in = records out + quarantined, each partition's offsets,
the key id and the catalogue digest) and the same folder in --quarantine. A pane's files and audit
appear together (written under a temporary name, then renamed); a replay rewrites the same names."""

EPILOG = """\
runners: streaming needs a runner that runs unbounded work: Flink (--runner FlinkRunner
--flink_master HOST:PORT --flink_version 1.19 --environment_type LOOPBACK --checkpointing_interval MS).
Beam's local FnApiRunner cannot run an open-ended read; with --stop-when-idle it runs a bounded catch-up
(read until every partition is idle, flush, stop). With LOOPBACK the job's Python workers live in this
process: the job dies with the launcher. Run the launcher under a supervisor; a restart resumes from the
audits. A production deployment uses --environment_type PROCESS or DOCKER instead.

timestamps and windows: a message's window comes from its Kafka timestamp (use LogAppendTime on the
topic; with CreateTime a replay still gives the same windows, but producers' clocks decide). A partition
with no message for --idle-grace seconds moves the watermark to now minus that grace, so idle partitions
do not hold windows back; a message arriving later than --allowed-lateness after its window is dropped
by Beam: keep it well above any producer delay.

flushing: the watermark waits for the slowest partition. --stop-when-idle S ends the job once every
partition has been idle for S seconds, flushing every open window; that is how to stop cleanly.

examples:
  scrubber stream --bootstrap-servers 127.0.0.1:9092 --topic gateway-logs --group scrubber \\
      --window 60 --output sandbox/ --quarantine quarantine/ --catalogue pseudonymous \\
      --key-file scrubber.key --runner FlinkRunner --flink_master 127.0.0.1:8081 \\
      --flink_version 1.19 --environment_type LOOPBACK --checkpointing_interval 5000

exit codes: 0 the job ended (with --stop-when-idle) and every pane balanced; 1 a pane did not balance;
2 bad usage, catalogue or key; 3 input/output failure or the job failed"""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="scrubber stream",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    kafka = p.add_argument_group("Kafka")
    kafka.add_argument("--bootstrap-servers", required=True, metavar="HOST:PORT[,...]", help="the Kafka brokers")
    kafka.add_argument("--topic", required=True, action="append", metavar="NAME", help="repeat for several")
    kafka.add_argument("--group", required=True, metavar="ID", help="consumer group (offsets committed as a hint)")
    kafka.add_argument(
        "--start",
        choices=("earliest", "latest"),
        default="earliest",
        help="where a partition with no published pane starts (default earliest)",
    )
    kafka.add_argument(
        "--max-message-bytes",
        type=int,
        default=DEFAULT_MAX_MESSAGE_BYTES,
        metavar="N",
        help=f"a larger message is quarantined (default {DEFAULT_MAX_MESSAGE_BYTES:,})",
    )
    win = p.add_argument_group("windows")
    win.add_argument("--window", type=int, default=60, metavar="SECONDS", help="window length (default 60)")
    win.add_argument(
        "--idle-grace",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="an idle partition moves the watermark to now minus this (default 30)",
    )
    win.add_argument(
        "--allowed-lateness",
        type=int,
        default=DEFAULT_ALLOWED_LATENESS_S,
        metavar="SECONDS",
        help="a message this much later than its window still gets a (late) pane (default 1 day)",
    )
    win.add_argument(
        "--stop-when-idle",
        type=float,
        metavar="SECONDS",
        help="end the job, flushing every window, once every partition has been idle this long",
    )
    out = p.add_argument_group("output (as scrubber run)")
    out.add_argument("--output", required=True, metavar="DIR", help="the sandbox (a local or mounted directory)")
    out.add_argument("--quarantine", required=True, metavar="DIR", help="rejected messages; never inside --output")
    out.add_argument("--catalogue", required=True, metavar="NAME|PATH", help="a profile name or a catalogue file")
    out.add_argument("--format", choices=FORMATS, default="parquet", help="sandbox format (default parquet)")
    out.add_argument("--quarantine-hash-only", action="store_true", help="keep a keyed hash, not the raw message")
    out.add_argument("--quiet", action="store_true", help="no start line")
    add_key_arguments(p)
    add_quarantine_key_arguments(p)
    return p


@dataclass
class StreamPlan:
    """Everything checked before the job starts."""

    args: argparse.Namespace
    beam_args: list[str]
    key: Key
    catalogue: LoadedCatalogue
    targets: PaneTargets
    source: KafkaSource
    partitions: list[tuple[str, int, int]]
    resumed: dict[tuple[str, int], int]
    run_id: str
    seal_key: Key | None = None  # the quarantine key (--quarantine-key-*): rejected messages are sealed with it


def plan(args: argparse.Namespace, beam_args: list[str]) -> StreamPlan:
    """Check the parsed options, key, catalogue and targets, find where each partition starts."""
    if args.window < 1 or args.max_message_bytes < 1:
        raise UsageError("--window and --max-message-bytes must be at least 1")
    if inside(args.quarantine, args.output) or inside(args.output, args.quarantine):
        raise UsageError(f"--quarantine {args.quarantine} and --output {args.output} must be separate directories")
    key = ring_from_args(args).current
    if args.quarantine_hash_only and quarantine_key_given(args):
        raise UsageError(
            "--quarantine-hash-only and a quarantine key (--quarantine-key-*) exclude each other: the quarantine "
            "stores a keyed hash of each message or the message sealed with the quarantine key. Choose one"
        )
    seal_key = seal_key_from_args(args, besides=key)
    catalogue = load_catalogue(args.catalogue)
    layout = with_key_id(WRITERS[args.format].layout(Scrubber(catalogue, key).plan.output_shape()), key.key_id)
    fs_config = FsConfig()
    for target in (args.output, args.quarantine):
        make_dirs(fs_config, target, private=target == args.quarantine)
        for stale in stale_attempts(fs_config, target):  # attempts that died before their rename
            remove_tree(fs_config, stale)
    run_id = new_run_id()
    targets = PaneTargets(
        fs_config,
        args.output,
        args.quarantine,
        args.format,
        layout,
        key_id=key.key_id,
        catalogue={
            "name": catalogue.model.catalogue,
            "source": catalogue.source,
            "digest": catalogue.digest,
            "rules": len(catalogue.model.rules),
        },
        job={"run_id": run_id, "topics": list(args.topic), "group": args.group, "window_seconds": args.window},
    )
    resumed = resume_offsets(published_audits(fs_config, args.output))
    source = KafkaSource(
        bootstrap=args.bootstrap_servers,
        topics=tuple(args.topic),
        group=args.group,
        start=resumed,
        start_default=args.start,
        idle_grace_s=args.idle_grace,
        stop_when_idle_s=args.stop_when_idle,
    )
    return StreamPlan(
        args, beam_args, key, catalogue, targets, source, plan_partitions(source), resumed, run_id, seal_key
    )


class ScrubMessagesFn(beam.DoFn):  # type: ignore[misc]
    """A Kafka message in, a ``Scrubbed`` out: the record, or a quarantine entry naming topic, partition, offset."""

    def __init__(
        self,
        catalogue: LoadedCatalogue,
        key: Key | None,
        max_bytes: int,
        hash_quarantine: bool,
        key_secret: str | None = None,
        *,
        quarantine_key: Key | None = None,
        quarantine_key_secret: str | None = None,
    ) -> None:
        super().__init__()
        self._keys = WorkerKeys(key, key_secret, quarantine_key, quarantine_key_secret, hash_quarantine)
        self.catalogue, self.max_bytes = catalogue, max_bytes
        self._scrubber: Scrubber | None = None
        self._quarantiner: Quarantiner | None = None

    def __repr__(self) -> str:
        return f"ScrubMessagesFn(catalogue={self.catalogue.source!r})"

    def setup(self) -> None:
        self._scrubber, self._quarantiner = self._keys.open(self.catalogue)

    def process(self, message: KafkaMessage) -> Iterator[Scrubbed]:
        assert self._scrubber is not None and self._quarantiner is not None
        outcome = scrub_line(self._scrubber, self._quarantiner, to_line(message, self.max_bytes))
        entry = outcome.quarantine
        if entry is not None:
            entry = {**entry, "topic": message.topic, "partition": message.partition, "offset": message.offset}
        yield Scrubbed(message.topic, message.partition, message.offset, outcome.record, entry)


class PublishPanesFn(beam.DoFn):  # type: ignore[misc]
    """All of one window pane in; its shards and audit published (``publish_pane``); the pane folder out."""

    def __init__(self, targets: PaneTargets) -> None:
        super().__init__()
        self.targets = targets

    def process(
        self,
        element: tuple[str, Sequence[Scrubbed]],
        win: Any = beam.DoFn.WindowParam,
        pane_info: Any = beam.DoFn.PaneInfoParam,
    ) -> Iterator[str]:
        _, items = element
        items = list(items)
        if not items:
            return  # the empty pane Beam may fire when a window closes: nothing to publish
        timing = {0: "EARLY", 1: "ON_TIME", 2: "LATE"}.get(int(pane_info.timing), "UNKNOWN")
        start_ms, end_ms = int(win.start.micros // 1000), int(win.end.micros // 1000)
        pane = Pane.of(start_ms, end_ms, int(pane_info.index), timing, items)
        folder, _ = publish_pane(pane, self.targets)
        yield folder


def build(pipeline: Any, sp: StreamPlan) -> None:
    args = sp.args
    lateness = args.allowed_lateness
    _ = (
        pipeline
        | "ReadKafka" >> ReadFromKafka(sp.source, sp.partitions)
        | "ScrubMessages"
        >> beam.ParDo(
            ScrubMessagesFn(
                sp.catalogue,
                None if args.key_secret else sp.key,
                args.max_message_bytes,
                args.quarantine_hash_only,
                key_secret=args.key_secret or None,
                quarantine_key=None if args.quarantine_key_secret else sp.seal_key,
                quarantine_key_secret=args.quarantine_key_secret or None,
            )
        )
        | "Window"
        >> beam.WindowInto(
            window.FixedWindows(args.window),
            trigger=trigger.AfterWatermark(late=trigger.AfterCount(1)),
            accumulation_mode=trigger.AccumulationMode.DISCARDING,
            allowed_lateness=lateness,
        )
        | "KeyForOneWriter" >> beam.Map(lambda s: ("panes", s))
        | "OneWriter" >> beam.GroupByKey()
        | "PublishPanes" >> beam.ParDo(PublishPanesFn(sp.targets))
    )


def summarize(sp: StreamPlan) -> tuple[dict[str, int], list[str]]:
    """Totals over the panes this run published, and the folders of panes that do not balance."""
    audits = [a for a in published_audits(sp.targets.fs_config, sp.args.output) if a["job"]["run_id"] == sp.run_id]
    totals = {"panes": len(audits), "messages_in": 0, "records_out": 0, "records_quarantined": 0}
    for audit in audits:
        for name in ("messages_in", "records_out", "records_quarantined"):
            totals[name] += int(audit["counts"][name])
    unbalanced = [f"{a['window']['start']} pane {a['pane']['index']}" for a in audits if not a["counts"]["balanced"]]
    return totals, unbalanced


def runner_options(beam_args: Sequence[str], stop_when_idle: float | None) -> PipelineOptions:
    """Beam options for the job: streaming on a streaming runner; a local runner only for a bounded catch-up."""
    beam_args = list(beam_args)
    runner = str(PipelineOptions(beam_args).view_as(StandardOptions).runner or "")
    if runner.endswith("FlinkRunner"):
        # A checkpoint taken inside a one-element bundle holds that element back (BEAM-10558); and a bounded
        # catch-up must reach DONE, for which Flink must shut the finished sources down.
        flags = ["--finish_bundle_before_checkpointing"]
        if stop_when_idle is not None:
            flags.append("--shutdown_sources_after_idle_ms=30000")
        for flag in flags:
            if not any(a.split("=", 1)[0] == flag.split("=", 1)[0] for a in beam_args):
                beam_args.append(flag)
    options = PipelineOptions(beam_args)
    standard = options.view_as(StandardOptions)
    if not runner or runner.endswith("FnApiRunner") or runner.endswith("DirectRunner"):
        if stop_when_idle is None:
            raise UsageError(
                "Beam's local runners cannot run an open-ended Kafka read; use --runner FlinkRunner "
                "(see scrubber stream --help), or --stop-when-idle SECONDS for a bounded catch-up run"
            )
        standard.runner = "apache_beam.runners.portability.fn_api_runner.FnApiRunner"
    else:
        standard.streaming = True
    return options


def main(argv: Sequence[str] | None = None) -> int:
    """The CLI entry point for ``scrubber stream``; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        parser().print_help(sys.stderr)
        return EXIT_USAGE
    if not any(a in ("-h", "--help") for a in argv):
        logging.getLogger("apache_beam").setLevel(logging.ERROR)
    try:
        args, beam_args = parser().parse_known_args(argv)
        options = runner_options(beam_args, args.stop_when_idle)
        sp = plan(args, beam_args)
    except SystemExit as exc:
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    except ScrubberError as exc:
        print(f"scrubber stream: {exc}", file=sys.stderr)
        return exit_code_for(exc)
    if not sp.args.quiet:
        starts = ", ".join(f"{t}/{p}@{o}" for t, p, o in sp.partitions)
        resumed = f" (resumed from {len(sp.resumed)} partitions' audits)" if sp.resumed else ""
        print(
            f"scrubber stream {sp.run_id}: {len(sp.partitions)} partitions from {starts}{resumed}; windows of "
            f"{sp.args.window} s; catalogue {sp.catalogue.model.catalogue!r}, key id {sp.key.key_id}",
            file=sys.stderr,
        )
    started = time.monotonic()
    pipeline = beam.Pipeline(options=options)
    build(pipeline, sp)
    try:
        state = pipeline.run().wait_until_finish()
    except Exception as exc:
        print(f"scrubber stream: the job failed: {type(exc).__name__}: {str(exc).strip()[-400:]}", file=sys.stderr)
        return EXIT_IO
    totals, unbalanced = summarize(sp)
    print(
        f"scrubber stream: job {state} after {time.monotonic() - started:.0f} s: {totals['panes']} panes, "
        f"{totals['messages_in']:,} messages in, {totals['records_out']:,} records out, "
        f"{totals['records_quarantined']:,} quarantined",
        file=sys.stderr,
    )
    if str(state) not in ("DONE", "PipelineState.DONE"):
        return EXIT_IO
    if unbalanced:
        print(f"scrubber stream: panes that do not balance: {', '.join(unbalanced[:5])}", file=sys.stderr)
        return EXIT_FINDINGS
    if totals["messages_in"] == 0:
        print("scrubber stream: no message was read; check --topic and --start", file=sys.stderr)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
