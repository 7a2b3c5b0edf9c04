"""The Beam steps: read files into batches of lines, scrub them with the pure core, write shards.

Each DoFn is a thin shell over ``scrubber``: ``ReadLinesFn`` over ``scrubber.io.readers``,
``ScrubFn`` over ``scrubber.records.scrub_line``, ``WriteShardsFn`` over ``scrubber.io.writers``.
Elements are batches (lists), because Beam's cost per element is large next to the work per
record. Every DoFn also emits small ``("kind", value)`` items on its ``summary`` output; one
combine folds them into the run summary the launcher reads after the run.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import apache_beam
from apache_beam.metrics.metric import Metrics
from apache_beam.pvalue import TaggedOutput
from apache_beam.transforms.window import GlobalWindows
from apache_beam.utils.windowed_value import WindowedValue

from scrubber.audit import (
    FileRead,
    ShardWritten,
    StatsCounts,
    SummaryItem,
    add_to_summary,
    diff_counts,
    merge_summaries,
    new_summary,
)
from scrubber.catalogue import LoadedCatalogue
from scrubber.core import Scrubber
from scrubber.io.digests import file_digest
from scrubber.io.fs import FsConfig
from scrubber.io.lines import ReadProblem, SourceLine
from scrubber.io.readers import batched, read_source
from scrubber.io.readers import quarantine as quarantine_reader
from scrubber.io.writers import ShardWriter, open_shard
from scrubber.keys import Key, load_key
from scrubber.partitions import PartitionBy, path_partition, record_partition
from scrubber.pipelines import progress
from scrubber.records import Outcome, Quarantiner, scrub_line
from scrubber.sealing import load_seal_key

beam: Any = apache_beam  # Beam ships no type hints; keep mypy strict for the rest of the module
NAMESPACE = "scrubber"
SUMMARY = "summary"
QUARANTINE = "quarantine"


class _Counters:
    """Beam counters by name, created once per worker."""

    def __init__(self) -> None:
        self._counters: dict[str, Any] = {}

    def inc(self, name: str, n: int) -> None:
        if not n:
            return
        counter = self._counters.get(name)
        if counter is None:
            counter = self._counters[name] = Metrics.counter(NAMESPACE, name)
        counter.inc(n)


def metric_names(stats: dict[str, Any], rule_fields: list[str]) -> Iterator[tuple[str, int]]:
    """Counter names and values for one batch's stats: per rule, detector, reason and parent path.

    Names come from the catalogue (fields, paths) and the detector and reason codes, never from data.
    """
    for name, value in stats.items():
        if name in ("applied", "invalid"):
            for index, n in enumerate(value):
                if n:
                    label = rule_fields[index] if index < len(rule_fields) else "(structure)"
                    yield f"rule_{name}[{label}]", n
        elif name == "rejected":
            for reason, n in value.items():
                yield f"quarantined[{reason}]", n
        elif name == "detectors":
            for kind, n in value.items():
                yield f"detector[{kind}]", n
        elif name == "unknown":
            for path, n in value.items():
                yield f"unknown_dropped[{path or '(record)'}]", n
        elif isinstance(value, dict):
            for key, n in value.items():
                yield f"{name}[{key or '(record)'}]", n
        elif isinstance(value, int):
            yield name, value


class ReadLinesFn(beam.DoFn):  # type: ignore[misc]
    """A file URI in, batches of SourceLine/ReadProblem out; a ``FileRead`` per file on ``summary``.

    The file's BLAKE3 goes into its ``FileRead`` (for the audit and the manifest). URIs in ``replay_uris``
    are quarantine shards: their entries are read back as the raw lines they hold.
    """

    def __init__(self, fs_config: FsConfig, batch_size: int, replay_uris: frozenset[str] = frozenset()) -> None:
        super().__init__()
        self.fs_config = fs_config
        self.batch_size = batch_size
        self.replay_uris = replay_uris
        self._counters = _Counters()

    def setup(self) -> None:
        self._counters = _Counters()

    def process(self, uri: str) -> Iterator[Any]:
        lines = problems = unread = 0
        nbytes = 0

        def on_bytes(n: int) -> None:
            nonlocal nbytes
            nbytes += n
            progress.add_bytes(n)

        if uri in self.replay_uris:
            items = quarantine_reader.read(uri, self.fs_config, on_bytes)
        else:
            items = read_source(uri, self.fs_config, on_bytes=on_bytes)
        for batch in batched(items, self.batch_size):
            # damage; a replayed entry kept as it was (hash only, sealed) is an entry read, not damage
            damage = [item for item in batch if isinstance(item, ReadProblem) and item.kept_entry is None]
            n_problems = len(damage)
            unread += sum(item.unread_bytes for item in damage)
            problems += n_problems
            lines += len(batch) - n_problems
            yield batch
        self._counters.inc("files_read", 1)
        self._counters.inc("lines_read", lines)
        self._counters.inc("read_problems", problems)
        digest = file_digest(self.fs_config, uri).blake3
        yield TaggedOutput(SUMMARY, FileRead(uri, lines, problems, nbytes, unread, digest))


@dataclass(frozen=True)
class Partitioner:
    """Which dt=YYYY-MM-DD partition a record goes to: by an output field or by the path of its input."""

    by: PartitionBy
    field: str = "ts"

    def of(self, record: dict[str, Any], source: str) -> str:
        return path_partition(source) if self.by == "path" else record_partition(record, self.field)


@dataclass(frozen=True, slots=True)
class PartitionedBatch:
    """Records of one partition, on their way to the sandbox writer."""

    partition: str
    records: list[dict[str, Any]]


@dataclass(frozen=True)
class WorkerKeys:
    """The pseudonym key and the optional quarantine key as a DoFn carries them to its workers.

    Each is the ``Key`` itself (whose repr never shows the material) or the name of a secret that each
    worker fetches in ``setup``, so that the key is not part of the submitted job at all.
    """

    key: Key | None
    key_secret: str | None = None
    quarantine_key: Key | None = None
    quarantine_key_secret: str | None = None
    hash_quarantine: bool = False

    def __post_init__(self) -> None:
        if (self.key is None) == (self.key_secret is None):
            raise ValueError("give exactly one of key and key_secret")
        if self.quarantine_key is not None and self.quarantine_key_secret is not None:
            raise ValueError("give at most one of quarantine_key and quarantine_key_secret")

    def open(self, catalogue: LoadedCatalogue) -> tuple[Scrubber, Quarantiner]:
        """On a worker: the Scrubber and the Quarantiner, with the keys fetched where they are secrets."""
        key = self.key if self.key is not None else load_key(secret=self.key_secret)
        seal_key = self.quarantine_key or load_seal_key(secret=self.quarantine_key_secret)
        quarantiner = Quarantiner(hash_key=key.material if self.hash_quarantine else None, seal_key=seal_key)
        return Scrubber(catalogue, key), quarantiner


class ScrubFn(beam.DoFn):  # type: ignore[misc]
    """A batch of lines in; a batch of scrubbed records on the main output, quarantine entries on ``quarantine``.

    The Scrubber is built once per worker in ``setup``; the keys travel as ``WorkerKeys``. With the
    quarantine key, rejected lines are sealed and replayed sealed entries opened.
    """

    def __init__(
        self,
        catalogue: LoadedCatalogue,
        *,
        key: Key | None,
        key_secret: str | None = None,
        hash_quarantine: bool = False,
        partition: Partitioner | None = None,
        quarantine_key: Key | None = None,
        quarantine_key_secret: str | None = None,
    ) -> None:
        super().__init__()
        self._keys = WorkerKeys(key, key_secret, quarantine_key, quarantine_key_secret, hash_quarantine)
        self.partition = partition
        self.catalogue = catalogue  # parsed once by the launcher (bases included); a frozen model pickles
        self._scrubber: Scrubber | None = None
        self._quarantiner: Quarantiner | None = None
        self._counters = _Counters()
        self._last_counts: dict[str, Any] = {}

    def __repr__(self) -> str:
        return f"ScrubFn(catalogue={self.catalogue.source!r})"

    def setup(self) -> None:
        loaded = self.catalogue
        self._scrubber, self._quarantiner = self._keys.open(loaded)
        self._rule_fields = [str(getattr(rule, "field", "?")) for rule in loaded.model.rules]
        self._counters = _Counters()
        self._last_counts = self._scrubber.stats.as_counts()

    def process(self, batch: list[SourceLine | ReadProblem]) -> Iterator[Any]:
        scrubber, quarantiner = self._scrubber, self._quarantiner
        assert scrubber is not None and quarantiner is not None
        records: list[dict[str, Any]] = []
        quarantined: list[dict[str, Any]] = []
        partitions: dict[str, list[dict[str, Any]]] = {}
        for item, outcome in zip(batch, self._outcomes(scrubber, quarantiner, batch), strict=False):
            if outcome.record is not None:
                if self.partition is None:
                    records.append(outcome.record)
                else:  # a replayed batch holds lines of several first files: each line keeps its own
                    source = item.source if isinstance(item, SourceLine) else item.line.source
                    partitions.setdefault(self.partition.of(outcome.record, source), []).append(outcome.record)
            elif outcome.quarantine is not None:
                quarantined.append(outcome.quarantine)
        if records:
            yield records
        for partition, group in sorted(partitions.items()):
            yield PartitionedBatch(partition, group)
        if quarantined:
            yield TaggedOutput(QUARANTINE, quarantined)
        now = scrubber.stats.as_counts()  # cumulative per worker; this batch's share is the difference
        counts = diff_counts(now, self._last_counts)
        self._last_counts = now
        yield TaggedOutput(SUMMARY, StatsCounts(counts))
        for name, n in metric_names(counts, self._rule_fields):
            self._counters.inc(name, n)
        self._counters.inc("quarantined", len(quarantined))
        progress.add_records(len(batch))

    @staticmethod
    def _outcomes(
        scrubber: Scrubber, quarantiner: Quarantiner, batch: list[SourceLine | ReadProblem]
    ) -> Iterator[Outcome]:
        """One outcome per line, in order (``scrub_line`` is total and does the counting)."""
        for item in batch:
            yield scrub_line(scrubber, quarantiner, item)


class WriteShardsFn(beam.DoFn):  # type: ignore[misc]
    """Batches of records in; temporary shard files written; a ShardWritten per closed shard out.

    A ``PartitionedBatch`` goes to a shard of its partition; one open shard per partition per bundle.
    """

    def __init__(
        self,
        kind: Literal["sandbox", "quarantine"],
        fs_config: FsConfig,
        tmp_dir: str,
        fmt: str,
        layout: Any,
        records_per_shard: int,
    ) -> None:
        super().__init__()
        self.kind = kind
        self.fs_config = fs_config
        self.tmp_dir = tmp_dir
        self.fmt = fmt
        self.layout = layout
        self.records_per_shard = records_per_shard
        self._writers: dict[str, tuple[ShardWriter, int]] = {}

    def start_bundle(self) -> None:
        self._writers = {}

    def process(self, batch: list[dict[str, Any]] | PartitionedBatch) -> Iterator[ShardWritten]:
        partition, records = (batch.partition, batch.records) if isinstance(batch, PartitionedBatch) else ("", batch)
        writer, rows = self._writers.get(partition) or (
            open_shard(self.fs_config, self.tmp_dir, self.fmt, self.layout, private=self.kind == "quarantine"),
            0,
        )
        writer.write(records)
        rows += len(records)
        if rows >= self.records_per_shard:
            self._writers.pop(partition, None)
            yield ShardWritten(self.kind, writer.close(), partition)
        else:
            self._writers[partition] = (writer, rows)

    def finish_bundle(self) -> Iterator[WindowedValue]:
        writers, self._writers = self._writers, {}
        for partition, (writer, _) in sorted(writers.items()):
            yield GlobalWindows.windowed_value(ShardWritten(self.kind, writer.close(), partition))

    def teardown(self) -> None:
        writers, self._writers = self._writers, {}
        for writer, _ in writers.values():
            writer.abort()


class SummaryFn(beam.CombineFn):  # type: ignore[misc]
    """Folds ('stats' | 'read' | 'sandbox' | 'quarantine', value) items into one run summary."""

    def create_accumulator(self) -> dict[str, Any]:
        return new_summary()

    def add_input(self, accumulator: dict[str, Any], item: SummaryItem) -> dict[str, Any]:
        return add_to_summary(accumulator, item)

    def merge_accumulators(self, accumulators: Any) -> dict[str, Any]:
        return merge_summaries(accumulators)

    def extract_output(self, accumulator: dict[str, Any]) -> dict[str, Any]:
        return accumulator


class ScrubBatches(beam.PTransform):  # type: ignore[misc]
    """Batches of lines -> (records, quarantine, summary) PCollections: the testable core of the pipeline."""

    def __init__(self, scrub_fn: ScrubFn) -> None:
        super().__init__()
        self.scrub_fn = scrub_fn

    def expand(self, batches: Any) -> Any:
        return batches | "ScrubWithCatalogue" >> beam.ParDo(self.scrub_fn).with_outputs(
            QUARANTINE, SUMMARY, main="records"
        )
