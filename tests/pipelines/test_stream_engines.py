"""``scrubber stream`` end to end on a real Kafka broker and a real Flink cluster, with kill -9 crashes.

Run by `make test-engines`, which starts Kafka and Flink and sets SCRUBBER_TEST_KAFKA_BOOTSTRAP and
SCRUBBER_TEST_FLINK_MASTER. Without them these tests fail: skipping is not passing. Every test produces
its messages (gateway log lines from fixtures/logs, plus malformed ones) to a topic of its own and counts
what the published panes hold: every message exactly once, in the sandbox or the quarantine.
"""

from __future__ import annotations

import gzip
import itertools
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_KEY_HEX
from tests.pipelines.test_engines import required_env

pytestmark = pytest.mark.engines

REPO = Path(__file__).resolve().parents[2]
FLINK_SH = REPO / ".ci" / "engines" / "flink.sh"
MALFORMED = (b"not json at all", b'{"truncated": ', b"\xff\xfe\xfa not utf-8", b"[1, 2, 3]")
MAX_BYTES = 8192


@pytest.fixture(autouse=True)
def no_job_left_running() -> Iterator[None]:
    """A failed test may leave its job running on the shared cluster; cancel it before the next test."""
    yield
    _cancel_running_jobs()


def gateway_lines() -> list[bytes]:
    lines = (REPO / "fixtures" / "logs" / "demo-gateway-2026-11-23.jsonl").read_bytes().splitlines()
    lines += gzip.decompress(
        (REPO / "fixtures" / "logs" / "demo-gateway-2026-11-24.jsonl.gz").read_bytes()
    ).splitlines()
    return [line for line in lines if line.strip() and len(line) < MAX_BYTES]


def messages(n: int) -> list[bytes]:
    """``n`` values: gateway lines, every 97th one malformed and every 500th one too large."""
    good = itertools.cycle(gateway_lines())
    out = []
    for i in range(n):
        if i % 500 == 499:
            out.append(b'{"big": "' + b"x" * (MAX_BYTES + 10) + b'"}')
        elif i % 97 == 96:
            out.append(MALFORMED[i % len(MALFORMED)])
        else:
            out.append(next(good))
    return out


def new_topic(partitions: int = 2) -> str:
    from confluent_kafka.admin import AdminClient, NewTopic

    bootstrap = required_env("SCRUBBER_TEST_KAFKA_BOOTSTRAP")
    name = f"scrub-{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": bootstrap})
    futures = admin.create_topics(
        [NewTopic(name, partitions, 1, config={"message.timestamp.type": "LogAppendTime"})], operation_timeout=30
    )
    futures[name].result(timeout=60)
    return name


def produce(topic: str, values: list[bytes]) -> float:
    """Produce ``values`` round-robin over the partitions; the time the last one was acknowledged."""
    from confluent_kafka import Producer

    producer = Producer({"bootstrap.servers": required_env("SCRUBBER_TEST_KAFKA_BOOTSTRAP"), "linger.ms": 5})
    for i, value in enumerate(values):
        producer.produce(topic, value, partition=i % 2)
        if i % 1000 == 0:
            producer.poll(0)
    assert producer.flush(60) == 0
    return time.time()


def stream_command(tmp_path: Path, topic: str, *extra: str) -> list[str]:
    key = tmp_path / "key"
    key.write_text(TEST_KEY_HEX)
    key.chmod(0o600)
    return [
        sys.executable,
        "-m",
        "scrubber.cli",
        "stream",
        "--bootstrap-servers",
        required_env("SCRUBBER_TEST_KAFKA_BOOTSTRAP"),
        "--topic",
        topic,
        "--group",
        "scrubber-test",
        "--window",
        "5",
        "--idle-grace",
        "3",
        "--max-message-bytes",
        str(MAX_BYTES),
        "--output",
        str(tmp_path / "sandbox"),
        "--quarantine",
        str(tmp_path / "quarantine"),
        "--catalogue",
        "pseudonymous",
        "--key-file",
        str(key),
        "--format",
        "jsonl",
        "--runner",
        "FlinkRunner",
        "--flink_master",
        required_env("SCRUBBER_TEST_FLINK_MASTER"),
        "--flink_version",
        "1.19",
        "--environment_type",
        "LOOPBACK",
        "--checkpointing_interval",
        "2000",
        "--parallelism",
        "2",
        *extra,
    ]


def start_stream(tmp_path: Path, topic: str, *extra: str) -> subprocess.Popen[str]:
    log = (tmp_path / f"launcher-{uuid.uuid4().hex[:6]}.log").open("w")
    return subprocess.Popen(
        stream_command(tmp_path, topic, *extra),
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: the job server Beam starts dies with it
    )


def wait(process: subprocess.Popen[str], timeout: float) -> int:
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        pytest.fail(f"scrubber stream did not end within {timeout:.0f} s")


def audit_files(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "sandbox").glob("window=*/pane-*/_audit.json"))


def audits(tmp_path: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in audit_files(tmp_path)]


def wait_for_panes(tmp_path: Path, at_least: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(audits(tmp_path)) >= at_least:
            return
        time.sleep(0.5)
    pytest.fail(f"fewer than {at_least} panes published within {timeout:.0f} s")


def accounted(tmp_path: Path) -> Counter[tuple[int, int]]:
    """(partition, offset) -> how many times the published panes hold it: records and entries, both read
    from the files the audits name and checked against the audits' offset ranges and counts."""
    seen: Counter[tuple[int, int]] = Counter()
    for path in audit_files(tmp_path):
        audit = json.loads(path.read_text())
        assert audit["counts"]["balanced"], audit["counts"]
        pane = path.parent.relative_to(tmp_path / "sandbox")  # the same folder under the quarantine
        in_files = 0
        for kind, root in (("sandbox", tmp_path / "sandbox"), ("quarantine", tmp_path / "quarantine")):
            for entry in audit["files"][kind]:
                rows = (root / pane / entry["name"]).read_text().splitlines()
                assert len(rows) == entry["rows"]
                in_files += len(rows)
                if kind == "quarantine":
                    for row in map(json.loads, rows):
                        assert {"topic", "partition", "offset", "reason"} <= row.keys()
        assert in_files == audit["counts"]["messages_in"], pane
        for r in audit["offsets"]:
            assert r["last"] - r["first"] + 1 == r["messages"]  # no gaps in these topics
            seen.update((r["partition"], o) for o in range(r["first"], r["last"] + 1))
    return seen


def expected(n: int) -> Counter[tuple[int, int]]:
    return Counter((i % 2, i // 2) for i in range(n))


def test_a_topic_streams_into_windowed_panes_each_message_once(tmp_path: Path) -> None:
    n = 3000
    topic = new_topic()
    produced_at = produce(topic, messages(n))
    result = subprocess.run(
        stream_command(tmp_path, topic, "--stop-when-idle", "8"),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    seen = accounted(tmp_path)
    assert seen == expected(n)
    done = audits(tmp_path)
    quarantined = sum(a["counts"]["records_quarantined"] for a in done)
    assert quarantined >= sum(1 for i in range(n) if i % 500 == 499 or i % 97 == 96)  # and the fixtures' bad lines
    reasons = Counter[str]()
    for a in done:
        reasons.update(a["quarantine_reasons"])
    assert reasons["message_too_large"] == n // 500
    first_file = min(p.stat().st_mtime for p in (tmp_path / "sandbox").rglob("_audit.json"))
    print(
        f"\nstream: {n} messages, {len(done)} panes, quarantined {quarantined}, "
        f"first pane {first_file - produced_at:.1f} s after the last produce"
    )


def test_kill_9_of_the_task_manager_mid_stream_loses_and_repeats_nothing(tmp_path: Path) -> None:
    n = 4000
    topic = new_topic()
    values = messages(n)
    produce(topic, values[: n // 2])
    launcher = start_stream(tmp_path, topic, "--stop-when-idle", "20")
    try:
        wait_for_panes(tmp_path, 1, timeout=240)
        subprocess.run(["bash", str(FLINK_SH), "tm-kill"], check=True)
        produce(topic, values[n // 2 :])
        subprocess.run(["bash", str(FLINK_SH), "tm-start"], check=True)
        assert wait(launcher, timeout=600) == 0
    finally:
        if launcher.poll() is None:
            os.killpg(launcher.pid, signal.SIGKILL)
    seen = accounted(tmp_path)
    twice = [k for k, v in seen.items() if v > 1]
    assert not twice, f"{len(twice)} messages twice"
    assert seen == expected(n)


def test_a_killed_launcher_resumes_from_the_audits(tmp_path: Path) -> None:
    n = 4000
    topic = new_topic()
    values = messages(n)
    produce(topic, values[: n // 2])
    first = start_stream(tmp_path, topic)
    try:
        wait_for_panes(tmp_path, 1, timeout=240)
        os.killpg(first.pid, signal.SIGKILL)  # the launcher, its job server and (LOOPBACK) the job's workers
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    _cancel_running_jobs()  # with LOOPBACK the job cannot go on without its launcher; an operator cancels it
    produce(topic, values[n // 2 :])
    second = start_stream(tmp_path, topic, "--stop-when-idle", "8")
    assert wait(second, timeout=600) == 0
    seen = accounted(tmp_path)
    assert not [k for k, v in seen.items() if v > 1]
    assert seen == expected(n)


def _cancel_running_jobs() -> None:
    """The killed launcher's job may still be restarting on the cluster; cancel it, as an operator would."""
    import urllib.request

    master = required_env("SCRUBBER_TEST_FLINK_MASTER")
    with urllib.request.urlopen(f"http://{master}/jobs", timeout=10) as response:
        jobs = json.load(response)["jobs"]
    for job in jobs:
        if job["status"] in ("RUNNING", "RESTARTING", "CREATED", "INITIALIZING"):
            request = urllib.request.Request(f"http://{master}/jobs/{job['id']}?mode=cancel", method="PATCH")
            urllib.request.urlopen(request, timeout=10).close()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"http://{master}/jobs", timeout=10) as response:
            if all(j["status"] not in ("RUNNING", "RESTARTING", "CANCELLING") for j in json.load(response)["jobs"]):
                return
        time.sleep(1)
