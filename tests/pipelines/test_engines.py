"""The real engines: a Flink session cluster and an S3-compatible server (SeaweedFS).

Run by `make test-engines`, which installs and starts both and sets the environment
variables below. Without them these tests fail: skipping is not passing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pytest

from tests.conftest import TEST_KEY_HEX

pytestmark = pytest.mark.engines

REPO = Path(__file__).resolve().parents[2]
LOGS = REPO / "fixtures" / "logs"


def required_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run these tests with `make test-engines`, which starts the engines")
    return value


def scrubber(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrubber.cli", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=1200,
        check=False,
    )


def run_job(tmp_path: Path, output: str, quarantine: str, *extra: str) -> subprocess.CompletedProcess[str]:
    key = tmp_path / "key"
    key.write_text(TEST_KEY_HEX)
    key.chmod(0o600)
    return scrubber(
        "run",
        "--input",
        str(LOGS / "*"),
        "--output",
        output,
        "--quarantine",
        quarantine,
        "--catalogue",
        "pseudonymous",
        "--key-file",
        str(key),
        "--format",
        "jsonl",
        "--quiet",
        *extra,
    )


def local_records(directory: Path) -> list[bytes]:
    return sorted(line for path in directory.glob("part-*") for line in path.read_bytes().splitlines() if line)


def canonical(records: list[dict[str, Any]]) -> list[bytes]:
    return sorted(orjson.dumps(r, option=orjson.OPT_SORT_KEYS) for r in records)


@pytest.fixture(scope="module")
def local_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("local")
    result = run_job(base, str(base / "sandbox"), str(base / "quarantine"))
    assert result.returncode == 0, result.stderr
    return base


def test_flink_cluster_gives_the_local_runners_output(local_run: Path, tmp_path: Path) -> None:
    master = required_env("SCRUBBER_TEST_FLINK_MASTER")
    result = run_job(
        tmp_path,
        str(tmp_path / "sandbox"),
        str(tmp_path / "quarantine"),
        "--runner",
        "FlinkRunner",
        "--flink_master",
        master,
        "--flink_version",
        "1.19",
        "--environment_type",
        "LOOPBACK",
        "--parallelism",
        "2",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    flink = local_records(tmp_path / "sandbox")
    local = local_records(local_run / "sandbox")
    assert flink and len(flink) == len(local)
    assert canonical([orjson.loads(x) for x in flink]) == canonical([orjson.loads(x) for x in local])
    assert local_records(tmp_path / "quarantine") == local_records(local_run / "quarantine")
    audit = orjson.loads((tmp_path / "sandbox" / "_audit.json").read_bytes())
    assert audit["runner"] == "FlinkRunner"
    counts = audit["counts"]
    assert counts["records_in"] == counts["records_out"] + counts["records_quarantined"]


def s3_filesystem() -> pafs.S3FileSystem:
    endpoint = required_env("SCRUBBER_TEST_S3_ENDPOINT")
    return pafs.S3FileSystem(
        endpoint_override=endpoint,
        scheme="http",
        access_key=required_env("AWS_ACCESS_KEY_ID"),
        secret_key=required_env("AWS_SECRET_ACCESS_KEY"),
        region="us-east-1",
        allow_bucket_creation=True,
    )


def test_s3_sandbox_and_quarantine_buckets(local_run: Path, tmp_path: Path) -> None:
    fs = s3_filesystem()
    endpoint = required_env("SCRUBBER_TEST_S3_ENDPOINT")
    for bucket in ("raw", "sandbox", "quarantine"):
        fs.create_dir(bucket)
    for path in LOGS.iterdir():
        if path.is_file():
            with fs.open_output_stream(f"raw/logs/{path.name}", compression=None) as out:
                out.write(path.read_bytes())
    key = tmp_path / "key"
    key.write_text(TEST_KEY_HEX)
    key.chmod(0o600)
    result = scrubber(
        "run",
        "--input",
        "s3://raw/logs/*",
        "--output",
        "s3://sandbox/nightly",
        "--quarantine",
        "s3://quarantine/nightly",
        "--catalogue",
        "pseudonymous",
        "--key-file",
        str(key),
        "--s3_endpoint_url",
        endpoint,
        "--quiet",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    secret = os.environ["AWS_SECRET_ACCESS_KEY"]
    assert secret not in result.stdout and secret not in result.stderr

    written = [info.path for info in fs.get_file_info(pafs.FileSelector("sandbox/nightly", recursive=True))]
    shards = sorted(p for p in written if p.endswith(".parquet"))
    assert shards and not [p for p in written if ".scrubber-tmp-" in p]
    rows = [row for shard in shards for row in pq.read_table(shard, filesystem=fs).to_pylist()]
    local = [orjson.loads(x) for x in local_records(local_run / "sandbox")]

    def without_nulls(value: Any) -> Any:
        """Parquet's typed columns hold a null where JSON lines leave the field out."""
        if isinstance(value, dict):
            pruned = {k: without_nulls(v) for k, v in value.items()}
            return {k: v for k, v in pruned.items() if v is not None and v != {}}
        if isinstance(value, list):
            return [without_nulls(v) for v in value]
        return value

    assert canonical([without_nulls(r) for r in rows]) == canonical(local)

    quarantined = [
        info.path
        for info in fs.get_file_info(pafs.FileSelector("quarantine/nightly", recursive=True))
        if info.type == pafs.FileType.File
    ]
    lines = [
        line for p in quarantined for line in fs.open_input_stream(p, compression=None).read().splitlines() if line
    ]

    def by_file_name(entries: list[bytes]) -> list[dict[str, Any]]:
        decoded = [orjson.loads(e) for e in entries]
        for entry in decoded:
            entry["source"] = entry["source"].rsplit("/", 1)[-1]
        return sorted(decoded, key=lambda e: (e["source"], e["line"]))

    assert by_file_name(lines) == by_file_name(local_records(local_run / "quarantine"))

    audit = orjson.loads(fs.open_input_stream("sandbox/nightly/_audit.json", compression=None).read())
    counts = audit["counts"]
    assert counts["records_in"] == counts["records_out"] + counts["records_quarantined"]
    assert counts["records_out"] == len(rows)
    assert counts["records_quarantined"] == len(lines)

    verify = scrubber("verify", "s3://sandbox/nightly", "--s3-endpoint-url", endpoint)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    # The quarantine holds raw lines, so verify must find identifiers there.
    raw = scrubber("verify", "s3://quarantine/nightly", "--catalogue", "pseudonymous", "--s3-endpoint-url", endpoint)
    assert raw.returncode == 1, raw.stdout + raw.stderr


def test_incremental_runs_on_s3_skip_what_was_published_and_verify_against_their_audits(tmp_path: Path) -> None:
    """The nightly layout on an object store: the manifest, run-named shards in dt= partitions, audits, verify."""
    fs = s3_filesystem()
    endpoint = required_env("SCRUBBER_TEST_S3_ENDPOINT")
    for bucket in ("raw", "sandbox", "quarantine"):
        fs.create_dir(bucket)
    days = sorted((REPO / "fixtures" / "e2e").glob("e2e-gateway-2026-11-2*"))
    key = tmp_path / "key"
    key.write_text(TEST_KEY_HEX)
    key.chmod(0o600)

    def upload(path: Path) -> None:
        with fs.open_output_stream(f"raw/nightly/{path.name}", compression=None) as out:
            out.write(path.read_bytes())

    def nightly() -> subprocess.CompletedProcess[str]:
        return scrubber(
            "run",
            "--incremental",
            "--partition-by",
            "path",
            "--input",
            "s3://raw/nightly/*",
            "--output",
            "s3://sandbox/incremental",
            "--quarantine",
            "s3://quarantine/incremental",
            "--catalogue",
            "pseudonymous",
            "--key-file",
            str(key),
            "--s3_endpoint_url",
            endpoint,
            "--quiet",
        )

    for path in days[:2]:
        upload(path)
    first = nightly()
    assert first.returncode == 0, first.stderr[-3000:]
    again = nightly()
    assert again.returncode == 0 and "nothing new" in again.stderr, again.stderr[-3000:]
    upload(days[2])
    third = nightly()
    assert third.returncode == 0, third.stderr[-3000:]

    manifest = orjson.loads(fs.open_input_stream("sandbox/incremental/_inputs.json", compression=None).read())
    assert len(manifest["runs"]) == 2 and len(manifest["inputs"]) == 3
    written = [i.path for i in fs.get_file_info(pafs.FileSelector("sandbox/incremental", recursive=True))]
    partitions = sorted({p.split("/")[2] for p in written if p.endswith(".parquet")})
    assert partitions == [f"dt=2026-11-{day}" for day in ("23", "24", "25")]
    verify = scrubber("verify", "--audit", "s3://sandbox/incremental", "--s3-endpoint-url", endpoint)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "2 audits, 3 shards checked" in verify.stdout + verify.stderr
