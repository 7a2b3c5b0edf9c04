"""`scrubber run` and `scrubber verify` against an S3-compatible server on 127.0.0.1 (moto's server).

moto is not a project dependency: this test is skipped unless it is installed
(`pip install 'moto[server]'`). The real-S3-server test is `make test-engines`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from scrubber.cli import main as cli
from tests.conftest import TEST_KEY_HEX

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "e2e"
TRUTH = orjson.loads((FIXTURES / "truth.json").read_bytes())


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    server_module = pytest.importorskip("moto.server")
    boto3 = pytest.importorskip("boto3")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        env.setenv("AWS_REGION", "us-east-1")
        server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        try:
            host, port = server.get_host_and_port()
            endpoint = f"http://{host}:{port}"
            client = boto3.client("s3", endpoint_url=endpoint)
            for bucket in ("raw", "sandbox", "quarantine"):
                client.create_bucket(Bucket=bucket)
            for path in FIXTURES.glob("e2e-*"):
                client.upload_file(str(path), "raw", f"2026-11-23/{path.name}")
            yield endpoint
        finally:
            server.stop()


def test_run_and_verify_on_s3(s3_endpoint: str, tmp_path: Path) -> None:
    key = tmp_path / "k"
    key.write_text(TEST_KEY_HEX)
    key.chmod(0o600)
    code = cli(
        [
            "run",
            "--input",
            "s3://raw/2026-11-23/*",
            "--output",
            "s3://sandbox/d",
            "--quarantine",
            "s3://quarantine/d",
            "--catalogue",
            "pseudonymous",
            "--key-file",
            str(key),
            "--s3_endpoint_url",
            s3_endpoint,
            "--quiet",
        ]
    )
    assert code == 0
    import boto3

    client = boto3.client("s3", endpoint_url=s3_endpoint)
    audit = orjson.loads(client.get_object(Bucket="sandbox", Key="d/_audit.json")["Body"].read())
    assert audit["counts"]["records_out"] == TRUTH["good_records"]
    assert audit["counts"]["records_quarantined"] == TRUTH["corrupt_lines"]
    keys = sorted(o["Key"] for o in client.list_objects_v2(Bucket="sandbox", Prefix="d/")["Contents"])
    assert "d/part-00000-of-00001.parquet" in keys
    assert not [k for k in keys if ".scrubber-tmp-" in k]
    assert cli(["verify", "s3://sandbox/d", "--s3-endpoint-url", s3_endpoint]) == 0
