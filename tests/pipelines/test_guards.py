"""Guards of ``scrubber run``: a run that produced nothing useful fails loudly and publishes nothing.

Every line quarantined, or more than --max-quarantine-rate of them, means the logs most likely need
another catalogue; the run exits 1, and the shards and the audit stay in the temporary directories.
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import orjson
import pytest

from scrubber.cli import main as cli
from tests.conftest import TEST_KEY_HEX

JUNK = [b"\x00\x01\x02", b"<html>", b"{", b"[]", b'{"status": "x"}', b"\xff" * 10, b"   "]


def run(tmp_path: Path, *extra: str) -> int:
    key = tmp_path / "scrubber.key"
    key.write_text(TEST_KEY_HEX + "\n")
    key.chmod(0o600)
    return cli(
        [
            "run",
            "--input",
            str(tmp_path / "in"),
            "--output",
            str(tmp_path / "s"),
            "--quarantine",
            str(tmp_path / "q"),
            "--catalogue",
            "pseudonymous",
            "--key-file",
            str(key),
            "--quiet",
            *extra,
        ]
    )


def published(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if not p.name.startswith("."))


def kept_audit(tmp_path: Path) -> dict[str, Any]:
    (audit,) = (tmp_path / "s").glob(".scrubber-tmp-*/_audit.json")
    return orjson.loads(audit.read_bytes())  # type: ignore[no-any-return]


def kept_quarantine(tmp_path: Path) -> list[dict[str, Any]]:
    return [
        orjson.loads(line)
        for path in sorted((tmp_path / "q").glob(".scrubber-tmp-*/*.jsonl"))
        for line in path.read_bytes().splitlines()
    ]


def good_lines(n: int) -> list[bytes]:
    return [orjson.dumps({"ts": 1795000000 + i, "status": 200}) for i in range(n)]


def test_a_run_whose_every_line_is_quarantined_fails_and_still_accounts_for_every_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "junk.jsonl").write_bytes(b"\n".join(JUNK) + b"\n")
    (tmp_path / "in" / "empty.jsonl").write_bytes(b"")
    assert run(tmp_path) == 1
    err = capsys.readouterr().err
    assert f"no line could be scrubbed: all {len(JUNK)} went to the quarantine" in err
    assert "Nothing was published" in err
    assert published(tmp_path / "s") == [] and published(tmp_path / "q") == []
    audit = kept_audit(tmp_path)
    assert audit["status"] == "guard_failed"
    counts = audit["counts"]
    assert (counts["records_in"], counts["records_out"], counts["records_quarantined"]) == (len(JUNK), 0, len(JUNK))
    assert sorted(e["line"] for e in kept_quarantine(tmp_path)) == list(range(1, len(JUNK) + 1))


def test_a_fully_corrupt_gzip_is_not_a_successful_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "in").mkdir()
    data = bytearray(gzip.compress(b"\n".join(good_lines(200)) + b"\n", mtime=0))
    data[12:40] = b"\xff" * 28  # the deflate stream's first block
    (tmp_path / "in" / "logs.jsonl.gz").write_bytes(bytes(data))
    assert run(tmp_path) == 1
    assert "went to the quarantine" in capsys.readouterr().err
    assert published(tmp_path / "s") == []


def test_more_than_the_maximum_rate_fails_and_a_higher_limit_lets_it_through(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "in").mkdir()
    lines = good_lines(4) + JUNK[:6]  # 60% quarantined
    (tmp_path / "in" / "mixed.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    assert run(tmp_path) == 1
    err = capsys.readouterr().err
    assert "60.0% of the lines (6 of 10) went to the quarantine, above --max-quarantine-rate 0.5" in err
    assert published(tmp_path / "s") == []
    assert kept_audit(tmp_path)["guard"]["max_quarantine_rate"] == 0.5

    assert run(tmp_path, "--max-quarantine-rate", "0.7") == 0
    assert published(tmp_path / "s") == ["_audit.json", "part-00000-of-00001.parquet"]
    audit = orjson.loads((tmp_path / "s" / "_audit.json").read_bytes())
    assert audit["status"] == "ok" and audit["guard"] == {"max_quarantine_rate": 0.7, "problem": None}
    assert not list((tmp_path / "s").glob(".scrubber-tmp-*"))  # the failed run's leftovers are removed


def test_a_mostly_good_run_passes_the_default_guard(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "mixed.jsonl").write_bytes(b"\n".join(good_lines(6) + JUNK[:4]) + b"\n")  # 40%
    assert run(tmp_path) == 0


@pytest.mark.parametrize("rate", ["-0.1", "1.5"])
def test_a_rate_outside_zero_to_one_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rate: str
) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.jsonl").write_bytes(b"\n".join(good_lines(2)) + b"\n")
    assert run(tmp_path, "--max-quarantine-rate", rate) == 2
    assert "--max-quarantine-rate is a share of the lines, from 0 to 1" in capsys.readouterr().err


@pytest.mark.parametrize("target", ["s", "q"])
def test_a_target_holding_files_that_are_not_ours_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], target: str
) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.jsonl").write_bytes(b"\n".join(good_lines(3)) + b"\n")
    (tmp_path / target).mkdir()
    (tmp_path / target / "notes.txt").write_text("mine")
    (tmp_path / target / "data").mkdir()
    assert run(tmp_path, "--overwrite") == 2
    err = capsys.readouterr().err
    flag = "--output" if target == "s" else "--quarantine"
    assert f"{flag} {tmp_path / target} holds data, notes.txt, which scrubber did not write" in err
    assert sorted(p.name for p in (tmp_path / target).iterdir()) == ["data", "notes.txt"]  # nothing written there
    assert not (tmp_path / ("q" if target == "s" else "s")).exists()


def test_an_earlier_runs_output_and_leftovers_are_ours(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.jsonl").write_bytes(b"\n".join(good_lines(3)) + b"\n")
    assert run(tmp_path) == 0
    (tmp_path / "s" / ".scrubber-tmp-20261201T000000Z-deadbeef").mkdir()  # a killed run's leftovers
    assert run(tmp_path, "--overwrite") == 0
    assert published(tmp_path / "s") == ["_audit.json", "part-00000-of-00001.parquet"]


def test_a_renamed_expected_column_fails_the_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An export whose ts column is called timestamp: every record would publish without ts."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    (tmp_path / "in").mkdir()
    table = pa.table({"timestamp": [1795000000 + i for i in range(5)], "status": [200] * 5})
    pq.write_table(table, tmp_path / "in" / "export.parquet")
    # The shipped catalogues also require ts, so there every record is quarantined (missing_required) and
    # the quarantine-rate guard fails the run; a catalogue that only expects ts fails on the expected field.
    assert run(tmp_path) == 1
    assert "quarantine" in capsys.readouterr().err
    own = tmp_path / "own.yaml"
    own.write_text(
        "catalogue: own\nrules:\n  - {field: ts, op: epoch_second, expected: true}\n"
        "  - {field: status, op: int_range, min: 100, max: 599}\n"
    )
    assert run(tmp_path, "--catalogue", str(own), "--output", str(tmp_path / "s2")) == 1
    err = capsys.readouterr().err
    assert "no record had ts (" in err and "own.yaml:3" in err and "marks as expected" in err
    assert published(tmp_path / "s2") == []
