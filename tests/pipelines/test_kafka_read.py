"""The Kafka reader: its restriction logic against a fake consumer, and a real Kafka into a real Flink cluster.

The engine test needs SCRUBBER_TEST_FLINK_MASTER and SCRUBBER_TEST_KAFKA_BOOTSTRAP (a Flink session cluster
and a Kafka broker, `.ci/engines/flink.sh start` and `.ci/engines/kafka.sh start`); without them it fails:
skipping is not passing.
"""

from __future__ import annotations

import hashlib
import os
import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import apache_beam as beam
import orjson
import pytest
from apache_beam.io.restriction_trackers import OffsetRange
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.runners.portability.fn_api_runner import FnApiRunner
from apache_beam.runners.runner import PipelineState
from apache_beam.runners.sdf_utils import RestrictionTrackerView, ThreadsafeRestrictionTracker
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.transforms import window
from apache_beam.utils.timestamp import Timestamp
from confluent_kafka import TIMESTAMP_LOG_APPEND_TIME, Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from scrubber.pipelines.kafka_read import (
    MAX_OFFSET,
    KafkaReadError,
    KafkaSource,
    PartitionRestrictions,
    PartitionWatermark,
    ReadFromKafka,
    ReadKafkaPartitionsFn,
    plan_partitions,
)
from scrubber.streaming.messages import KafkaMessage


def source(**changes: Any) -> KafkaSource:
    fields: dict[str, Any] = {
        "bootstrap": "127.0.0.1:1",
        "topics": ("t",),
        "group": "g",
        "start": {},
        "start_default": "earliest",
        "poll_timeout_s": 0.0,
    }
    return KafkaSource(**{**fields, **changes})


# --- restriction logic, no engines -------------------------------------------------------------------------------


def test_restriction_is_open_splits_only_at_a_checkpoint_and_a_drain_ends_it() -> None:
    provider = PartitionRestrictions()
    restriction = provider.initial_restriction(("t", 0, 7))
    assert (restriction.start, restriction.stop) == (7, MAX_OFFSET)
    assert list(provider.split(("t", 0, 7), restriction)) == [restriction]  # no initial split
    assert provider.truncate(("t", 0, 7), restriction) is None
    tracker = provider.create_tracker(restriction)
    assert not tracker.is_bounded()
    assert tracker.try_claim(7) and tracker.try_claim(9)  # gaps (compaction, transaction markers) are fine
    assert tracker.try_split(0.5) is None  # a fraction of [start, MAX) is beyond the log
    primary, residual = tracker.try_split(0)
    assert (primary.start, primary.stop, residual.start, residual.stop) == (7, 10, 10, MAX_OFFSET)
    tracker.check_done()


def test_source_checks_its_fields_and_hides_its_config() -> None:
    with pytest.raises(ValueError, match="start_default"):
        source(start_default="newest")
    with pytest.raises(ValueError, match=r"group\.id"):
        source(config={"group.id": "other"})
    with pytest.raises(ValueError, match="topic"):
        source(topics=())
    secret = source(config={"sasl.password": "hunter2"})
    assert "hunter2" not in repr(secret) and "hunter2" not in repr(ReadKafkaPartitionsFn(secret))
    config = secret.consumer_config()
    assert config["enable.auto.commit"] is False and config["auto.offset.reset"] == "error"
    assert config["group.id"] == "g" and config["sasl.password"] == "hunter2"


class FakeError:
    def __init__(self, code: int) -> None:
        self._code = code

    def code(self) -> int:
        return self._code

    def name(self) -> str:
        return "FAKE"

    def str(self) -> str:
        return "fake failure"


class FakeMessage:
    def __init__(self, topic: str, partition: int, offset: int, error: FakeError | None = None) -> None:
        self._t, self._p, self._o, self._e = topic, partition, offset, error

    def topic(self) -> str:
        return self._t

    def partition(self) -> int:
        return self._p

    def offset(self) -> int:
        return self._o

    def timestamp(self) -> tuple[int, int]:
        return TIMESTAMP_LOG_APPEND_TIME, 1_000_000 + 10 * self._o

    def value(self) -> bytes:
        return b"m%d" % self._o

    def error(self) -> FakeError | None:
        return self._e


COMMITS: list[tuple[str, int, int]] = []  # what the fake consumers committed (one process: the FnApiRunner's)


class FakeConsumer:
    """A partition log per (topic, partition): offsets in ``logs``, high watermark one past the last."""

    def __init__(self, logs: dict[tuple[str, int], list[int]], errors: dict[int, FakeError] | None = None) -> None:
        self.logs, self.errors = logs, errors or {}
        self.queue: list[FakeMessage] = []
        self.assigns = 0

    def assign(self, partitions: list[Any]) -> None:
        (tp,) = partitions
        self.assigns += 1
        offsets = [o for o in self.logs[(tp.topic, tp.partition)] if o >= tp.offset]
        self.queue = [FakeMessage(tp.topic, tp.partition, o, self.errors.get(o)) for o in offsets]

    def poll(self, timeout: float) -> FakeMessage | None:
        return self.queue.pop(0) if self.queue else None

    def consume(self, n: int, timeout: float) -> list[FakeMessage]:
        batch, self.queue = self.queue[:n], self.queue[n:]
        return batch

    def get_watermark_offsets(self, tp: Any, timeout: float, cached: bool) -> tuple[int, int]:
        log = self.logs[(tp.topic, tp.partition)]
        return (log[0], log[-1] + 1) if log else (0, 0)

    def commit(self, offsets: list[Any], asynchronous: bool) -> None:
        COMMITS.extend((tp.topic, tp.partition, tp.offset) for tp in offsets)

    def close(self) -> None:
        pass


class FakeReadFn(ReadKafkaPartitionsFn):
    def __init__(self, src: KafkaSource, logs: dict[tuple[str, int], list[int]]) -> None:
        super().__init__(src)
        self.logs = logs

    def new_consumer(self) -> Any:
        return FakeConsumer(self.logs)


class Finalizer:
    def __init__(self) -> None:
        self.callbacks: list[Any] = []

    def register(self, callback: Any) -> None:
        self.callbacks.append(callback)


def call(fn: ReadKafkaPartitionsFn, element: tuple[str, int, int], start: int, estimator: Any) -> Any:
    """One process call on [start, MAX): (outputs, tracker, finalizer)."""
    tracker = ThreadsafeRestrictionTracker(PartitionRestrictions().create_tracker(OffsetRange(start, MAX_OFFSET)))
    finalizer = Finalizer()
    out = list(fn.process(element, finalizer, RestrictionTrackerView(tracker), estimator))
    return out, tracker, finalizer


def test_a_call_claims_one_batch_moves_the_watermark_and_hands_back_the_rest() -> None:
    COMMITS.clear()
    fn = FakeReadFn(source(poll_max=3), {("t", 0): [0, 1, 3, 4, 5]})
    fn.setup()
    estimator = PartitionWatermark(None)
    out, tracker, finalizer = call(fn, ("t", 0, 0), 0, estimator)
    assert [v.value.offset for v in out] == [0, 1, 3]
    assert out[2].value == KafkaMessage("t", 0, 3, 1_000_030, b"m3")
    assert out[2].timestamp == Timestamp(micros=1_000_030_000)
    assert estimator.current_watermark() == Timestamp(micros=1_000_030_000)
    residual, _ = tracker.deferred_status()
    assert (residual.start, residual.stop) == (4, MAX_OFFSET)
    tracker.check_done()
    assert not COMMITS
    for callback in finalizer.callbacks:
        callback()
    assert COMMITS == [("t", 0, 4)]  # the next offset after the bundle's last message
    out, tracker, _ = call(fn, ("t", 0, 0), 4, estimator)  # the same position: no new assignment
    assert [v.value.offset for v in out] == [4, 5] and fn._consumer.assigns == 1  # type: ignore[union-attr]


def test_an_idle_partition_at_its_end_advances_the_watermark_then_finishes() -> None:
    fn = FakeReadFn(source(idle_grace_s=30.0, stop_when_idle_s=0.3), {("t", 1): [0]})
    fn.setup()
    estimator = PartitionWatermark(None)
    out, tracker, _ = call(fn, ("t", 1, 1), 1, estimator)
    assert out == [] and tracker.deferred_status() is not None
    assert abs(estimator.current_watermark().micros / 1e6 - (time.time() - 30.0)) < 5
    time.sleep(0.4)
    out, tracker, _ = call(fn, ("t", 1, 1), 1, estimator)
    assert out == [] and tracker.deferred_status() is None
    tracker.check_done()  # the whole range is claimed: the element ends


def test_the_idle_clock_travels_with_the_restriction_not_the_dofn_instance() -> None:
    src = source(stop_when_idle_s=5.0)
    now = time.time()
    state = PartitionWatermark((Timestamp.of(now - 60), now - 1.0)).get_estimator_state()  # delivered 1 s ago
    for fn in (FakeReadFn(src, {("t", 0): [0]}), FakeReadFn(src, {("t", 0): [0]})):  # any instance, even a fresh one
        fn.setup()
        estimator = PartitionWatermark(state)
        _, tracker, _ = call(fn, ("t", 0, 1), 1, estimator)
        assert tracker.deferred_status() is not None  # not idle for 5 s yet: keeps reading
        state = estimator.get_estimator_state()
    assert state[1] == now - 1.0
    _, tracker, _ = call(fn, ("t", 0, 1), 1, PartitionWatermark((state[0], now - 6.0)))
    assert tracker.deferred_status() is None  # idle for 6 s at the end: finished


def test_no_idle_watermark_before_the_end_of_the_partition() -> None:
    fn = FakeReadFn(source(stop_when_idle_s=0.0), {("t", 0): [0, 1]})
    fn.setup()
    fn._consumer.poll = lambda timeout: None  # type: ignore[union-attr,method-assign]  # a fetch that is late
    estimator = PartitionWatermark(None)
    out, tracker, _ = call(fn, ("t", 0, 0), 0, estimator)
    assert out == [] and estimator.current_watermark() is None and tracker.deferred_status() is not None


def test_message_errors_raise_except_partition_eof() -> None:
    fn = FakeReadFn(source(), {("t", 0): [0, 1, 2]})
    fn.setup()
    consumer: Any = fn._consumer
    consumer.errors = {1: FakeError(KafkaError._PARTITION_EOF)}
    out, _, _ = call(fn, ("t", 0, 0), 0, PartitionWatermark(None))
    assert [v.value.offset for v in out] == [0, 2]
    consumer.errors = {0: FakeError(KafkaError._AUTO_OFFSET_RESET)}
    fn._at = None
    with pytest.raises(KafkaReadError, match=r"t/0 from offset 0 .*FAKE"):
        call(fn, ("t", 0, 0), 0, PartitionWatermark(None))


def test_the_sdf_runs_to_the_end_on_the_fn_api_runner() -> None:
    """The whole splittable-DoFn protocol (checkpoints, residuals, the finish) on Beam's own harness."""
    COMMITS.clear()
    logs = {("t", 0): list(range(0, 25)), ("t", 1): [0, 2, 4]}
    src = source(poll_max=4, stop_when_idle_s=0.0, idle_delay_s=0.0)
    with beam.Pipeline(runner=FnApiRunner()) as p:
        got = (
            p
            | beam.Create([("t", 0, 5), ("t", 1, 0)])
            | beam.ParDo(FakeReadFn(src, logs))
            | beam.Map(lambda m: (m.topic, m.partition, m.offset))
        )
        assert_that(got, equal_to([("t", 0, o) for o in range(5, 25)] + [("t", 1, o) for o in (0, 2, 4)]))
    assert max(o for t, p, o in COMMITS if p == 0) == 25 and max(o for t, p, o in COMMITS if p == 1) == 5


# --- a real Kafka into a real Flink cluster ----------------------------------------------------------------------

N = 2000
BACKLOG = N // 2  # produced before the job starts; the rest arrives while it runs


def required_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: start the engines (.ci/engines/flink.sh start, kafka.sh start)")
    return value


def create_topic(bootstrap: str, name: str, partitions: int) -> None:
    admin = AdminClient({"bootstrap.servers": bootstrap})
    topic = NewTopic(
        name, num_partitions=partitions, replication_factor=1, config={"message.timestamp.type": "LogAppendTime"}
    )
    admin.create_topics([topic])[name].result(timeout=30)


def produce(producer: Producer, topic: str, numbers: range, sent: dict[tuple[str, int, int], float]) -> None:
    """Messages ``{"n": i}`` to partition ``i % 2``; ``sent`` maps each (topic, partition, offset) to its send time."""

    def delivered(err: Any, msg: Any, at: float) -> None:
        assert err is None, err
        sent[(msg.topic(), msg.partition(), msg.offset())] = at

    for i in numbers:
        at = time.time()
        producer.produce(
            topic, orjson.dumps({"n": i}), partition=i % 2, on_delivery=lambda e, m, at=at: delivered(e, m, at)
        )
    assert producer.flush(30) == 0


class WritePaneFn(beam.DoFn):  # type: ignore[misc]
    """One JSON file per window pane, named by window and pane index; every write also logged to writes.log."""

    def __init__(self, out: str) -> None:
        self.out = out

    def process(self, element: Any, win: Any = beam.DoFn.WindowParam, pane: Any = beam.DoFn.PaneInfoParam) -> Any:
        _, messages = element
        rows = sorted([m.topic, m.partition, m.offset, m.timestamp_ms] for m in messages)
        name = f"{win.start.micros // 1000}-{win.end.micros // 1000}-{pane.index}.json"
        tmp = os.path.join(self.out, f".{name}.{uuid.uuid4().hex}")
        content = orjson.dumps({"pane": pane.index, "timing": int(pane.timing), "messages": rows})
        with open(tmp, "wb") as f:
            f.write(content)
        os.replace(tmp, os.path.join(self.out, name))
        with open(os.path.join(self.out, "writes.log"), "a") as f:
            f.write(f"{time.time():.3f} {name} {len(rows)} {hashlib.sha256(content).hexdigest()[:12]}\n")
        yield name


def build(p: Any, src: KafkaSource, partitions: list[tuple[str, int, int]], out: Path) -> None:
    _ = (
        p
        | "Read" >> ReadFromKafka(src, partitions)
        | "Window" >> beam.WindowInto(window.FixedWindows(10))
        | "OneKey" >> beam.Map(lambda m: ("all", m))
        | "Group" >> beam.GroupByKey()
        | "Write" >> beam.ParDo(WritePaneFn(str(out)))
    )


def flink_options(master: str, *extra: str) -> PipelineOptions:
    return PipelineOptions(
        [
            "--runner=FlinkRunner",
            f"--flink_master={master}",
            "--flink_version=1.19",
            "--environment_type=LOOPBACK",
            "--streaming",
            "--checkpointing_interval=5000",
            "--parallelism=2",
            # With checkpointing, Flink ends a job only once its sources (here the Impulse) shut down, and from then
            # on no checkpoint completes until the reads end (with 1000 ms: checkpoint 1 took 37 s, done at the end).
            "--shutdown_sources_after_idle_ms=30000",
            # Else a checkpoint during the Impulse's bundle can hold the partitions back until the Impulse shuts down,
            # and reads that start only then end after one batch, the job DONE with half the messages (BEAM-10558).
            "--finish_bundle_before_checkpointing",
            *extra,
        ]
    )


def read_panes(out: Path) -> tuple[list[tuple[str, int, int]], dict[tuple[str, int, int], float]]:
    """Every (topic, partition, offset) in the pane files, and when each one's file was written."""
    triples: list[tuple[str, int, int]] = []
    written: dict[tuple[str, int, int], float] = {}
    for path in sorted(out.glob("*.json")):
        mtime = path.stat().st_mtime
        for topic, partition, offset, _ in orjson.loads(path.read_bytes())["messages"]:
            triples.append((topic, partition, offset))
            written[(topic, partition, offset)] = mtime
    return triples, written


def wait_for(condition: Any, timeout_s: float, what: str) -> None:
    deadline = time.time() + timeout_s
    while not condition():
        if time.time() > deadline:
            pytest.fail(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(0.5)


def stream_once(master: str, bootstrap: str, out: Path, during: Any = None, *options: str) -> dict[str, Any]:
    """Produce N messages (half before the job, half while it runs), read them on Flink into pane files.

    ``during``, if given, is called in a thread once the first pane file is out (a fault to inject).
    """
    topic = f"scrubber-read-{uuid.uuid4().hex[:8]}"
    create_topic(bootstrap, topic, 2)
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5})
    sent: dict[tuple[str, int, int], float] = {}
    produce(producer, topic, range(BACKLOG), sent)
    src = KafkaSource(bootstrap, (topic,), f"test-{topic}", {}, "earliest", idle_grace_s=2.0, stop_when_idle_s=5.0)
    partitions = plan_partitions(src)
    assert sorted(partitions) == [(topic, 0, 0), (topic, 1, 0)]
    out.mkdir()
    p = beam.Pipeline(options=flink_options(master, *options))
    build(p, src, partitions, out)

    def live() -> None:  # 25 messages a second for 40 s, across window ends; never a pause near stop_when_idle_s
        for n in range(BACKLOG, N, 25):
            produce(producer, topic, range(n, min(n + 25, N)), sent)
            time.sleep(1.0)

    t0 = time.time()
    result = p.run()
    with ThreadPoolExecutor(2) as pool:
        try:
            producing = pool.submit(live)
            wait_for(lambda: any(out.glob("*.json")), 300, "the first pane file")
            first_file = time.time()
            fault = pool.submit(during) if during is not None else None
            state = result.wait_until_finish(duration=600_000)
            job_s = time.time() - t0
            producing.result()
            if fault is not None:
                fault.result()
        finally:
            if not PipelineState.is_terminal(result.state):
                result.cancel()
    triples, written = read_panes(out)
    committed = Consumer({"bootstrap.servers": bootstrap, "group.id": src.group})
    try:
        hints = {tp.partition: tp.offset for tp in committed.committed([TopicPartition(topic, i) for i in (0, 1)], 10)}
    finally:
        committed.close()
    after_first = [written[k] - at for k, at in sent.items() if at >= first_file and k in written]
    return {
        "topic": topic,
        "state": state,
        "sent": sent,
        "triples": triples,
        "files": len(list(out.glob("*.json"))),
        "job_s": job_s,
        "first_file_s": first_file - t0,
        "latency_s": after_first,
        "committed": hints,
    }


@pytest.mark.engines
def test_flink_streaming_reads_every_offset_exactly_once(tmp_path: Path) -> None:
    master = required_env("SCRUBBER_TEST_FLINK_MASTER")
    bootstrap = required_env("SCRUBBER_TEST_KAFKA_BOOTSTRAP")
    with pytest.raises(KafkaReadError, match=rf"'no-such-topic' does not exist at {bootstrap}"):
        plan_partitions(KafkaSource(bootstrap, ("no-such-topic",), "g", {}, "latest"))
    run = stream_once(master, bootstrap, tmp_path / "panes")
    assert run["state"] == PipelineState.DONE, run["state"]
    triples, sent = run["triples"], run["sent"]
    assert len(sent) == N
    assert len(triples) == len(set(triples)), "an offset is in two pane files"
    assert set(triples) == set(sent), f"{len(set(sent) - set(triples))} offsets missing"
    assert all(0 < run["committed"][i] <= N // 2 for i in (0, 1)), run["committed"]  # finalizers ran; a hint only
    latency = run["latency_s"]
    print(
        f"\n{N} messages, {run['files']} pane files, job {run['job_s']:.1f} s, first file {run['first_file_s']:.1f} s"
        f" after submit; produce -> file for the {len(latency)} sent after it: min {min(latency):.1f} s,"
        f" median {statistics.median(latency):.1f} s, max {max(latency):.1f} s; committed {run['committed']}"
    )


def test_plan_partitions_without_a_broker_names_the_servers() -> None:
    with pytest.raises(KafkaReadError, match=r"127\.0\.0\.1:1"):
        plan_partitions(source(request_timeout_s=1.0))
