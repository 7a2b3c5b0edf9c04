"""Whole-run failures fail loudly with one clear message and publish nothing; an empty input is a successful run."""

from __future__ import annotations

import subprocess
from pathlib import Path

import orjson
import pyarrow.parquet as pq
import pytest

from tests.reliability.bad_input.file_cases import gzip_member
from tests.reliability.bad_input.run_cases import RUN_CASES, RunCase, common
from tests.reliability.helpers import (
    no_dac_override,
    run_cli,
)


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in RUN_CASES])
def test_whole_run_failure(tmp_path: Path, case: RunCase, capsys: pytest.CaptureFixture[str]) -> None:
    """Privileged cases run in a subprocess (permission bits must apply); the others call the same
    entry point in-process, which saves an interpreter start (about 2 s) per case."""
    argv = case.setup(tmp_path)
    if case.privileged:
        proc = run_cli("run", *argv, cwd=tmp_path, prefix=no_dac_override())
    else:
        from scrubber.cli import main

        capsys.readouterr()
        code = main(["run", *argv])
        out, err = capsys.readouterr()
        proc = subprocess.CompletedProcess(["scrubber", "run", *argv], code, out, err)
    try:
        assert proc.returncode == case.code, proc.stderr
        assert case.message in proc.stderr
        assert proc.stderr.startswith("scrubber run: ") and "Traceback" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) <= 2  # one clear message, not a dump
        # nothing published, and no temporary directory left behind
        for target in ("sandbox", "quarantine"):
            directory = tmp_path / target
            if directory.is_dir():
                assert sorted(p.name for p in directory.iterdir()) == [], target
        assert "run.user@example.org" not in proc.stderr + proc.stdout
    finally:
        for path in tmp_path.rglob("*"):
            if not path.is_symlink():
                path.chmod(0o700 if path.is_dir() else 0o600)


def test_an_empty_input_is_a_successful_empty_run(tmp_path: Path) -> None:
    from scrubber.cli import main

    (tmp_path / "empty.jsonl").write_bytes(b"")
    (tmp_path / "empty.jsonl.gz").write_bytes(gzip_member(b""))
    assert main(["run", *common(tmp_path, str(tmp_path / "empty.*"))]) == 0
    audit = orjson.loads((tmp_path / "sandbox" / "_audit.json").read_bytes())
    counts = audit["counts"]
    assert (counts["records_in"], counts["records_out"], counts["records_quarantined"]) == (0, 0, 0)
    assert counts["accounting"]["ok"]
    table = pq.read_table(tmp_path / "sandbox" / "part-00000-of-00001.parquet")
    assert table.num_rows == 0 and "prompt" in table.schema.names  # readers still find the schema
    assert list((tmp_path / "quarantine").iterdir()) == []
