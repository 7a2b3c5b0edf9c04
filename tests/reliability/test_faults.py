"""Faults (issue 7): kill -9 mid-run, a sink that fails while writing, and a publish step that fails half-way.

What must hold every time: nothing partial is ever visible in the sandbox or the quarantine (no
part files without their audit, no temporary files once a later run has succeeded), an earlier
export survives a run that dies, and a rerun produces the complete output.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import orjson
import pyarrow.dataset as pads
import pytest

from scrubber.cli import main as cli
from tests.conftest import TEST_KEY_HEX
from tests.reliability.helpers import ROOT, quarantine_entries, sandbox_rows

TS0 = 1_790_000_000


def write_logs(directory: Path, n: int, files: int = 4, name: str = "logs") -> dict[str, int]:
    """n lines over ``files`` files; every 10th line is garbage. Each good line has a unique ts."""
    directory.mkdir(parents=True, exist_ok=True)
    lines = []
    for i in range(n):
        if i % 10 == 9:
            lines.append(f"garbage line {i}")
        else:
            lines.append(
                json.dumps(
                    {
                        "ts": TS0 + i,
                        "status": 200,
                        "user_id": f"u{i % 997}@example.org",
                        "client": {"ip": f"203.0.113.{i % 250}"},
                        "prompt": f"note {i} for a@example.org",
                    }
                )
            )
    for f in range(files):
        (directory / f"{name}-{f}.jsonl").write_text("\n".join(lines[f::files]) + "\n")
    return {"in": n, "out": n - n // 10, "quarantined": n // 10}


def argv(base: Path, inputs: Path, *extra: str) -> list[str]:
    key = base / "key"
    if not key.exists():
        key.write_text(TEST_KEY_HEX + "\n")
        key.chmod(0o600)
    return [
        "run",
        "--input",
        str(inputs),
        "--output",
        str(base / "sandbox"),
        "--quarantine",
        str(base / "quarantine"),
        "--catalogue",
        "pseudonymous",
        "--key-file",
        str(key),
        "--quiet",
        *extra,
    ]


def visible(directory: Path) -> list[str]:
    """What a reader listing the directory sees (names starting with '.' or '_' are hidden from readers)."""
    if not directory.exists():
        return []
    return sorted(p.name for p in directory.iterdir() if not p.name.startswith((".", "_")))


def everything(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


def start(args: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCRUBBER_")}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.Popen(
        [sys.executable, "-m", "scrubber.cli", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        **kwargs,
    )


def wait_for_a_shard(sandbox: Path, proc: subprocess.Popen[bytes], timeout: float = 120) -> Path:
    """A temporary shard file of the running job, once one exists and holds data."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            _, err = proc.communicate()
            raise AssertionError(f"the run ended (exit {proc.returncode}) before it could be killed: {err[-2000:]!r}")
        for tmp in sandbox.glob(".scrubber-tmp-*"):
            shards = [p for p in tmp.iterdir() if p.suffix == ".parquet" and p.stat().st_size > 0]
            if shards:
                return shards[0]
        time.sleep(0.02)
    raise AssertionError("no shard appeared")


@pytest.mark.slow
def test_kill_9_mid_run_leaves_the_earlier_export_intact_and_a_rerun_completes(tmp_path: Path) -> None:
    # 1. a complete earlier export
    small = write_logs(tmp_path / "small", 200, files=1)
    assert cli(argv(tmp_path, tmp_path / "small")) == 0
    sandbox, quarantine = tmp_path / "sandbox", tmp_path / "quarantine"
    before_sandbox, before_quarantine = snapshot(sandbox), snapshot(quarantine)
    assert orjson.loads(before_sandbox["_audit.json"])["counts"]["records_in"] == small["in"]

    # 2. a bigger run over it, killed with SIGKILL once it has written a shard
    big = write_logs(tmp_path / "big", 100_000)
    args = argv(tmp_path, tmp_path / "big", "--overwrite", "--records-per-shard", "2000", "--batch-size", "500")
    proc = start(args)
    try:
        shard = wait_for_a_shard(sandbox, proc)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    assert shard.exists()  # it died with partial output on disk ...
    assert snapshot(sandbox) == before_sandbox  # ... none of which is visible: the earlier export is untouched
    assert snapshot(quarantine) == before_quarantine
    assert pads.dataset(str(sandbox), format="parquet").count_rows() == small["out"]  # readers skip .scrubber-tmp-*
    assert [n for n in everything(sandbox) if n.startswith(".")] != []  # the killed run's temp directory is there

    # 3. the rerun: complete output, no temporary files left, earlier temp directories removed
    rerun = start(args)
    _, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err.decode()[-3000:]
    assert all(n == "_audit.json" or n.startswith("part-") for n in everything(sandbox)), everything(sandbox)
    assert all(n.startswith("part-") for n in everything(quarantine)), everything(quarantine)
    audit = orjson.loads((sandbox / "_audit.json").read_bytes())
    assert audit["output"]["files"] == visible(sandbox)
    counts = audit["counts"]
    assert (counts["records_in"], counts["records_out"], counts["records_quarantined"]) == (
        big["in"],
        big["out"],
        big["quarantined"],
    )
    rows = sandbox_rows(sandbox)
    assert sorted(r["ts"] for r in rows) == [TS0 + i for i in range(big["in"]) if i % 10 != 9]  # all, once each
    assert len(quarantine_entries(quarantine)) == big["quarantined"]


def _limit_file_size() -> None:  # runs in the child between fork and exec
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead of killing
    resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, 256 * 1024))


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_a_sink_that_fails_while_writing_publishes_nothing_and_says_why(tmp_path: Path, fmt: str) -> None:
    """A full disk, simulated by a 256 KiB file-size limit: shards cannot be written past it."""
    write_logs(tmp_path / "logs", 20_000, files=1)
    proc = start(argv(tmp_path, tmp_path / "logs", "--format", fmt), preexec_fn=_limit_file_size)
    _, err = proc.communicate(timeout=300)
    message = err.decode()
    assert proc.returncode == 3, message
    assert message.startswith("scrubber run: cannot write ") and "File too large" in message, message
    assert "Nothing was published" in message and "Traceback" not in message
    assert len(message.strip().splitlines()) == 1
    for target in ("sandbox", "quarantine"):
        assert everything(tmp_path / target) == [], target  # no shard, no audit, no temporary directory


def test_a_publish_that_fails_half_way_takes_back_what_it_moved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The rename of the third sandbox shard fails: the two already moved are removed again."""
    import scrubber.io.publish

    write_logs(tmp_path / "logs", 600, files=3)
    real_move = scrubber.io.publish._move
    moves: list[str] = []

    def flaky_move(fs: Any, source: str, destination: str) -> None:
        if Path(destination).name.startswith("part-"):
            moves.append(destination)
            if len(moves) == 3:
                raise OSError(28, "No space left on device")
        real_move(fs, source, destination)

    monkeypatch.setattr(scrubber.io.publish, "_move", flaky_move)
    code = cli(argv(tmp_path, tmp_path / "logs", "--records-per-shard", "100"))
    err = capsys.readouterr().err
    assert code == 3
    assert "cannot move a shard into" in err and "Nothing was published" in err
    assert len(moves) == 3
    for target in ("sandbox", "quarantine"):
        assert everything(tmp_path / target) == [], target


@pytest.mark.parametrize("failing", ["quarantine", "audit"])
def test_a_failure_after_the_sandbox_was_published_unpublishes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], failing: str
) -> None:
    """Parts without the quarantine or without the audit would look like a complete export: all or nothing."""
    import scrubber.pipelines.finish as finish
    from scrubber.io.writers import SinkError

    write_logs(tmp_path / "logs", 300, files=2)
    if failing == "quarantine":
        real_commit = finish.commit_shards

        def commit(fs_config: Any, shards: Any, target: str, *args: Any, **kwargs: Any) -> list[str]:
            if target.endswith("quarantine"):
                raise SinkError(f"cannot move a shard into {target}: OSError: No space left on device")
            return real_commit(fs_config, shards, target, *args, **kwargs)

        monkeypatch.setattr(finish, "commit_shards", commit)
    else:
        real_write = finish.write_json_atomic

        def write(fs_config: Any, uri: str, value: Any) -> None:
            if uri.endswith("_audit.json"):
                raise SinkError(f"cannot write {uri}: OSError: No space left on device")
            real_write(fs_config, uri, value)

        monkeypatch.setattr(finish, "write_json_atomic", write)
    assert cli(argv(tmp_path, tmp_path / "logs")) == 3
    err = capsys.readouterr().err
    assert "No space left on device" in err and "Nothing was published" in err
    for target in ("sandbox", "quarantine"):
        assert everything(tmp_path / target) == [], target


def test_a_successful_run_removes_temporary_directories_of_runs_that_died(tmp_path: Path) -> None:
    write_logs(tmp_path / "logs", 50, files=1)
    for target in ("sandbox", "quarantine"):
        stale = tmp_path / target / ".scrubber-tmp-20260101T000000Z-deadbeef"
        stale.mkdir(parents=True)
        (stale / "0123.parquet").write_bytes(b"PAR1 half a shard")
    assert cli(argv(tmp_path, tmp_path / "logs")) == 0
    assert everything(tmp_path / "sandbox") == ["_audit.json", "part-00000-of-00001.parquet"]
    assert everything(tmp_path / "quarantine") == ["part-00000-of-00001.jsonl"]
