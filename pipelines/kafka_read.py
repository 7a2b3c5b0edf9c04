"""Read Kafka from Beam Python: a splittable DoFn over confluent-kafka, one open offset range per partition.

The launcher lists the partitions and resolves where each starts (``plan_partitions``). On the workers,
each ``process`` call polls one batch from its partition, claims and emits it, moves the partition's
watermark, and hands the rest of the range back to the runner (``defer_remainder``). The read position
therefore lives in the runner's checkpoints, next to the data buffered downstream; offsets committed to
Kafka (from a bundle finalizer, ``enable.auto.commit`` off) are a restart hint only, never a recovery point.

Element timestamps are the broker's (``message.timestamp.type=LogAppendTime`` keeps them deterministic
and non-decreasing per partition, which the watermark relies on: with CreateTime, a message older than
one already read in its partition can be late). The idle watermark (``now - idle_grace_s``) compares the
worker's clock with the broker's, so ``idle_grace_s`` must also cover the skew between them.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import apache_beam
from apache_beam.io.restriction_trackers import OffsetRange, OffsetRestrictionTracker
from apache_beam.io.watermark_estimators import ManualWatermarkEstimator
from apache_beam.transforms.core import RestrictionProvider, WatermarkEstimatorProvider
from apache_beam.transforms.window import TimestampedValue
from apache_beam.utils.timestamp import Duration, Timestamp
from confluent_kafka import TIMESTAMP_NOT_AVAILABLE, Consumer, KafkaError, KafkaException, Message, TopicPartition

from scrubber.errors import ScrubberError
from scrubber.streaming.messages import KafkaMessage

beam: Any = apache_beam  # Beam ships no type hints; keep mypy strict for the rest of the module
log = logging.getLogger(__name__)

MAX_OFFSET = 2**63 - 1  # the open end of every partition's range (a Kafka offset is a signed 64-bit number)
Partition = tuple[str, int, int]  # (topic, partition, start offset): one element of ReadKafkaPartitionsFn
# Consumer settings KafkaSource owns: config may not set them.
_OWNED = frozenset({"bootstrap.servers", "group.id", "enable.auto.commit", "enable.auto.offset.store"})


class KafkaReadError(ScrubberError):
    """Kafka cannot be read as asked: a missing topic, an unreachable broker, an offset outside the log."""


@dataclass(frozen=True)
class KafkaSource:
    """What to read and how.

    ``start`` is the next offset to read per (topic, partition), e.g. resumed from audits; other partitions start
    at ``start_default``. A partition that returns nothing and is at its end lets its watermark advance to
    ``now - idle_grace_s``; with ``stop_when_idle_s``, one that has delivered nothing for that long ends its read
    (a bounded catch-up run). ``config`` is extra librdkafka consumer config; it may hold credentials, so it is
    never shown (``repr``) or logged.
    """

    bootstrap: str
    topics: tuple[str, ...]
    group: str
    start: dict[tuple[str, int], int]
    start_default: str  # "earliest" or "latest"
    idle_grace_s: float = 30.0
    stop_when_idle_s: float | None = None
    poll_max: int = 500
    poll_timeout_s: float = 0.5  # wait for a batch's first message; the rest is what the consumer already holds
    resume_delay_s: float = 0.0  # before the next call after a batch
    idle_delay_s: float = 1.0  # before the next call after an empty poll
    request_timeout_s: float = 10.0  # metadata and watermark requests
    config: dict[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if not self.topics:
            raise ValueError("KafkaSource needs at least one topic")
        if self.start_default not in ("earliest", "latest"):
            raise ValueError(f"start_default must be 'earliest' or 'latest', not {self.start_default!r}")
        if self.poll_max < 1:
            raise ValueError("poll_max must be at least 1")
        if self.stop_when_idle_s is not None and self.stop_when_idle_s < 0:
            raise ValueError("stop_when_idle_s must not be negative")
        owned = sorted(_OWNED & set(self.config))
        if owned:
            raise ValueError(f"config may not set {', '.join(owned)}: KafkaSource sets them")

    def consumer_config(self) -> dict[str, Any]:
        """The librdkafka config of every consumer: manual assignment, no automatic commits, no silent resets."""
        return {
            "auto.offset.reset": "error",  # an offset outside the log fails the read instead of skipping or rereading
            "enable.partition.eof": False,
            **self.config,
            "bootstrap.servers": self.bootstrap,
            "group.id": self.group,
            "enable.auto.commit": False,
            "enable.auto.offset.store": False,
        }


def plan_partitions(source: KafkaSource) -> list[Partition]:
    """Every partition of ``source.topics`` with the offset its read starts at, for ``ReadFromKafka``.

    A partition's start is ``source.start`` if given (it must lie within the partition's log), else its low
    (``earliest``) or high (``latest``) watermark. Entries of ``source.start`` for other topics are ignored.
    """
    consumer = Consumer(source.consumer_config())
    try:
        try:
            topics = consumer.list_topics(timeout=source.request_timeout_s).topics
        except KafkaException as exc:
            raise KafkaReadError(f"cannot list the topics at {source.bootstrap}: {exc}") from exc
        plan: list[Partition] = []
        for topic in source.topics:
            meta = topics.get(topic)
            if meta is None or (meta.error is not None and meta.error.code() == KafkaError.UNKNOWN_TOPIC_OR_PART):
                raise KafkaReadError(f"topic {topic!r} does not exist at {source.bootstrap}")
            if meta.error is not None:
                raise KafkaReadError(f"topic {topic!r} at {source.bootstrap}: {meta.error.str()}")
            for partition in sorted(meta.partitions):
                plan.append((topic, partition, _start_offset(consumer, source, topic, partition)))
        known = {(t, p) for t, p, _ in plan}
        missing = sorted(tp for tp in source.start if tp[0] in source.topics and tp not in known)
        if missing:
            raise KafkaReadError(f"partitions {missing} have a start offset but do not exist at {source.bootstrap}")
        return plan
    finally:
        consumer.close()


def _start_offset(consumer: Consumer, source: KafkaSource, topic: str, partition: int) -> int:
    try:
        low, high = consumer.get_watermark_offsets(
            TopicPartition(topic, partition), timeout=source.request_timeout_s, cached=False
        )
    except KafkaException as exc:
        raise KafkaReadError(f"cannot read the offsets of {topic}/{partition} at {source.bootstrap}: {exc}") from exc
    offset = source.start.get((topic, partition))
    if offset is None:
        return low if source.start_default == "earliest" else high
    if not low <= offset <= high:
        raise KafkaReadError(
            f"start offset {offset} of {topic}/{partition} is outside its log [{low}, {high}] at {source.bootstrap}"
            " (deleted by retention, or a different topic of that name); drop it to start at start_default"
        )
    return offset


class PartitionTracker(OffsetRestrictionTracker):  # type: ignore[misc]
    """An open offset range that splits only at its current position (a checkpoint).

    A split at a fraction of ``[start, MAX_OFFSET)`` would start a residual at an offset far beyond the log.
    """

    def try_split(self, fraction_of_remainder: float) -> tuple[OffsetRange, OffsetRange] | None:
        if fraction_of_remainder != 0:
            return None
        split: tuple[OffsetRange, OffsetRange] | None = super().try_split(0)  # type: ignore[no-untyped-call]
        return split

    def is_bounded(self) -> bool:
        return False


class PartitionRestrictions(RestrictionProvider):  # type: ignore[misc]
    """``(topic, partition, start)`` -> ``[start, MAX_OFFSET)``; no initial split; nothing left to read on drain."""

    def initial_restriction(self, element: Partition) -> OffsetRange:
        return OffsetRange(element[2], MAX_OFFSET)  # type: ignore[no-untyped-call]

    def create_tracker(self, restriction: OffsetRange) -> PartitionTracker:
        return PartitionTracker(restriction)

    def restriction_size(self, element: Partition, restriction: OffsetRange) -> float:
        return 1.0  # the backlog is unknown without asking the broker; every partition weighs the same

    def truncate(self, element: Partition, restriction: OffsetRange) -> None:
        return None  # a drain stops reading at once; what was claimed is already out


class PartitionWatermark(ManualWatermarkEstimator):  # type: ignore[misc]
    """A manual watermark that also carries when its partition last delivered (or was first seen idle).

    The idle clock travels with the restriction (in checkpoints and residuals), not with a DoFn instance: a
    worker runs several instances, and a partition's next call may land on any of them.
    """

    def __init__(self, state: tuple[Timestamp | None, float | None] | None) -> None:
        watermark, self._active_at = state if state is not None else (None, None)
        super().__init__(watermark)  # type: ignore[no-untyped-call]

    def get_estimator_state(self) -> tuple[Timestamp | None, float | None]:
        return self._watermark, self._active_at

    def mark_active(self, at: float) -> None:
        self._active_at = at

    def idle_for(self, now: float) -> float:
        """Seconds since the last delivery; 0 (and the clock started) when nothing was delivered yet."""
        if self._active_at is None:
            self._active_at = now
        return now - self._active_at


class PartitionWatermarks(WatermarkEstimatorProvider):  # type: ignore[misc]
    def initial_estimator_state(self, element: Partition, restriction: OffsetRange) -> None:
        return None

    def create_watermark_estimator(self, state: tuple[Timestamp | None, float | None] | None) -> PartitionWatermark:
        return PartitionWatermark(state)


_RESTRICTION = beam.DoFn.RestrictionParam(PartitionRestrictions())
_WATERMARK = beam.DoFn.WatermarkEstimatorParam(PartitionWatermarks())


class ReadKafkaPartitionsFn(beam.DoFn):  # type: ignore[misc]
    """``(topic, partition, start)`` in; that partition's messages out as ``TimestampedValue(KafkaMessage)``."""

    def __init__(self, source: KafkaSource) -> None:
        super().__init__()
        self.source = source
        self._consumer: Consumer | None = None
        self._at: tuple[str, int, int] | None = None  # the assigned partition and the next offset the consumer returns

    def __repr__(self) -> str:
        return f"ReadKafkaPartitionsFn(bootstrap={self.source.bootstrap!r}, topics={self.source.topics!r})"

    def new_consumer(self) -> Consumer:
        return Consumer({**self.source.consumer_config(), "on_commit": _log_commit_failure})

    def setup(self) -> None:
        self._consumer = self.new_consumer()
        self._at = None

    def teardown(self) -> None:
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            consumer.close()

    @beam.DoFn.unbounded_per_element()  # type: ignore[untyped-decorator]
    def process(
        self,
        element: Partition,
        finalizer: Any = beam.DoFn.BundleFinalizerParam,  # before the SDF parameters, which Beam passes by name
        tracker: Any = _RESTRICTION,
        watermark: Any = _WATERMARK,
    ) -> Iterator[TimestampedValue[KafkaMessage]]:
        topic, partition, _ = element
        start = int(tracker.current_restriction().start)
        messages = self._poll(topic, partition, start)
        now = time.time()
        if not messages:
            if not self._at_end(topic, partition, start):
                tracker.defer_remainder(Duration(seconds=self.source.idle_delay_s))
                return
            _advance(watermark, Timestamp.of(now - self.source.idle_grace_s))
            idle = watermark.idle_for(now)
            stop = self.source.stop_when_idle_s
            if stop is not None and idle >= stop:
                log.info(
                    "kafka %s/%s: nothing for %.1f s at offset %d, its end: read finished",
                    topic,
                    partition,
                    idle,
                    start,
                )
                tracker.try_claim(tracker.current_restriction().stop)  # the whole range is done
                return
            tracker.defer_remainder(Duration(seconds=self.source.idle_delay_s))
            return
        watermark.mark_active(now)
        claimed = 0
        latest: Timestamp | None = None
        last: int | None = None
        for msg in messages:
            offset = msg.offset()
            assert offset is not None
            if not tracker.try_claim(offset):
                break  # the runner split the range: the rest is its residual
            claimed += 1
            ts_type, ts_ms = msg.timestamp()
            if ts_type == TIMESTAMP_NOT_AVAILABLE:
                ts_ms = int(now * 1000)  # not deterministic on a replay, but no broker since Kafka 0.10 does this
            ts = Timestamp(micros=ts_ms * 1000)
            latest = ts if latest is None or ts > latest else latest
            yield TimestampedValue(KafkaMessage(topic, partition, offset, ts_ms, msg.value()), ts)
            last = offset
        if latest is not None:
            _advance(watermark, latest)
        if last is not None:
            finalizer.register(functools.partial(self._commit, topic, partition, last + 1))
        if claimed == len(messages):
            tracker.defer_remainder(Duration(seconds=self.source.resume_delay_s))

    def _poll(self, topic: str, partition: int, start: int) -> list[Message]:
        """Up to ``poll_max`` messages of ``topic/partition`` from offset ``start`` on; an error raises."""
        consumer = self._consumer
        assert consumer is not None, "setup() creates the consumer"
        if self._at != (topic, partition, start):  # else keep what the consumer has fetched ahead
            consumer.assign([TopicPartition(topic, partition, start)])
        self._at = None  # unknown until this poll returns
        first = consumer.poll(self.source.poll_timeout_s)
        batch = [first] if first is not None else []
        if first is not None and self.source.poll_max > 1:
            batch += consumer.consume(self.source.poll_max - 1, timeout=0)
        messages: list[Message] = []
        stale = False
        for msg in batch:
            error = msg.error()
            if error is not None:
                if error.code() == KafkaError._PARTITION_EOF:
                    continue
                raise KafkaReadError(
                    f"reading {topic}/{partition} from offset {start} at {self.source.bootstrap}: "
                    f"{error.name()}: {error.str()}"
                )
            offset = msg.offset()
            if msg.topic() == topic and msg.partition() == partition and offset is not None and offset >= start:
                messages.append(msg)
            else:
                stale = True  # left over from an earlier assignment: assign afresh next time
        end = messages[-1].offset() if messages else None
        if not stale:
            self._at = (topic, partition, start if end is None else end + 1)
        return messages

    def _at_end(self, topic: str, partition: int, position: int) -> bool:
        """Whether ``position`` is at the partition's high watermark (False when the broker does not answer).

        A partition that ends in a transaction marker, or has an open transaction, is never at its end here.
        """
        assert self._consumer is not None
        try:
            _, high = self._consumer.get_watermark_offsets(
                TopicPartition(topic, partition), timeout=min(self.source.request_timeout_s, 5.0), cached=False
            )
        except KafkaException as exc:
            log.debug("kafka %s/%s: no watermark offsets (%s)", topic, partition, exc)
            return False
        return bool(position >= high)

    def _commit(self, topic: str, partition: int, offset: int) -> None:
        """Bundle finalizer: commit ``offset`` (the one after the bundle's last message) as a restart hint."""
        consumer = self._consumer
        if consumer is None:
            return
        try:
            consumer.commit(offsets=[TopicPartition(topic, partition, offset)], asynchronous=True)
        except (KafkaException, RuntimeError) as exc:  # RuntimeError: the consumer was closed meanwhile
            log.warning("kafka %s/%s: offset commit failed (a restart hint only): %s", topic, partition, exc)


def _advance(watermark: Any, to: Timestamp) -> None:
    """Move a ManualWatermarkEstimator forward to ``to``; never back."""
    current = watermark.current_watermark()
    if current is None or to > current:
        watermark.set_watermark(to)


def _log_commit_failure(error: KafkaError | None, partitions: list[TopicPartition]) -> None:
    if error is not None:
        log.warning("kafka offset commit failed (a restart hint only): %s", error)


class ReadFromKafka(beam.PTransform):  # type: ignore[misc]
    """The planned partitions (``plan_partitions``) -> an unbounded PCollection of ``KafkaMessage``."""

    def __init__(self, source: KafkaSource, partitions: list[Partition]) -> None:
        super().__init__()
        if not partitions:
            raise ValueError("ReadFromKafka needs at least one partition (plan_partitions(source))")
        self.source = source
        self.partitions = list(partitions)

    def expand(self, pbegin: Any) -> Any:
        return (
            pbegin
            | "Partitions" >> beam.Create(self.partitions)
            | "SpreadPartitions" >> beam.Reshuffle()
            | "ReadPartitions" >> beam.ParDo(ReadKafkaPartitionsFn(self.source))
        )
