"""Incremental nightly runs through the CLI: the manifest, skipping, date partitions, quarantine replay, retention.

Counts are checked against the input files themselves (lines counted here), not against the audit alone.
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import blake3
import orjson
import pytest

from scrubber.cli import main as cli
from tests.conftest import TEST_KEY_HEX
from tests.reliability.helpers import quarantine_entries, without_nulls

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "e2e"
DAY_FILES = ["e2e-gateway-2026-11-23.jsonl", "e2e-gateway-2026-11-24.jsonl.gz", "e2e-gateway-2026-11-25.cut.jsonl.gz"]
# strict, but a status of 400 or more is invalid: those records are quarantined; strict itself recovers them
NARROW = """\
catalogue: strict-narrow
on_invalid: reject
nulls: absent
rules:
  - {field: ts, op: epoch_second, required: true}
  - {field: status, op: int_range, min: 100, max: 399}
  - {field: retry_count, op: int_range, min: 0, max: 99}
"""


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """raw/ with the first two days, a key file, and room for sandbox/ and quarantine/."""
    (tmp_path / "raw").mkdir()
    for name in DAY_FILES[:2]:
        shutil.copy(FIXTURES / name, tmp_path / "raw" / name)
    key = tmp_path / "scrubber.key"
    key.write_text(TEST_KEY_HEX + "\n")
    key.chmod(0o600)
    (tmp_path / "narrow.yaml").write_text(NARROW)
    return tmp_path


def run(site: Path, *extra: str, catalogue: str = "strict", inputs: str = "raw/", fmt: str = "jsonl") -> int:
    return cli(
        [
            "run",
            "--input",
            str(site / inputs),
            "--output",
            str(site / "sandbox"),
            "--quarantine",
            str(site / "quarantine"),
            "--catalogue",
            catalogue,
            "--key-file",
            str(site / "scrubber.key"),
            "--format",
            fmt,
            "--quiet",
            "--incremental",
            *extra,
        ]
    )


def manifest(site: Path) -> dict[str, Any]:
    return orjson.loads((site / "sandbox" / "_inputs.json").read_bytes())


def audit_of(site: Path, run_id: str) -> dict[str, Any]:
    return orjson.loads((site / "sandbox" / "_audits" / f"{run_id}.json").read_bytes())


def sandbox_records(site: Path) -> list[dict[str, Any]]:
    rows = []
    for path in sorted((site / "sandbox").rglob("part-*.jsonl")):
        rows += [without_nulls(orjson.loads(line)) for line in path.read_bytes().splitlines()]
    return rows


def lines_in(path: Path) -> int:
    """Lines of an input as a reader counts them (a gzip cut short counts its damage as one more)."""
    from scrubber.io.fs import FsConfig
    from scrubber.io.readers import read_source

    return sum(1 for _ in read_source(str(path), FsConfig()))


def test_a_rerun_skips_what_was_published_and_a_new_file_is_read_alone(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(site) == 0
    first = manifest(site)
    assert len(first["runs"]) == 1 and len(first["inputs"]) == 2
    for entry in first["inputs"]:  # the hash is of the file's stored bytes, recomputed here
        assert entry["blake3"] == blake3.blake3(Path(entry["uri"]).read_bytes()).hexdigest()
        assert entry["size"] == Path(entry["uri"]).stat().st_size
    files_before = sorted(p.relative_to(site) for p in site.rglob("*"))
    capsys.readouterr()

    assert run(site) == 0  # nothing new: says so, writes nothing
    assert "nothing new: all 2 matched inputs were published by earlier runs" in capsys.readouterr().err
    assert sorted(p.relative_to(site) for p in site.rglob("*")) == files_before

    shutil.copy(FIXTURES / DAY_FILES[2], site / "raw" / DAY_FILES[2])
    assert run(site) == 0
    second = manifest(site)
    assert [r["run_id"] for r in second["runs"]][:1] == [first["runs"][0]["run_id"]] and len(second["runs"]) == 2
    audit = audit_of(site, second["runs"][1]["run_id"])
    assert [f["uri"] for f in audit["inputs"]["per_file"]] == [str(site / "raw" / DAY_FILES[2])]
    assert sorted(s["uri"] for s in audit["incremental"]["skipped"]) == [str(site / "raw" / n) for n in DAY_FILES[:2]]
    # nothing lost and nothing twice over the two runs: every input line is in exactly one place
    total = sum(lines_in(site / "raw" / name) for name in DAY_FILES)
    assert len(sandbox_records(site)) + len(quarantine_entries(site / "quarantine")) == total
    assert orjson.loads((site / "sandbox" / "_audit.json").read_bytes())["run_id"] == audit["run_id"]


def test_a_touched_file_with_the_same_bytes_is_skipped(site: Path) -> None:
    assert run(site) == 0
    target = site / "raw" / DAY_FILES[0]
    os.utime(target, ns=(target.stat().st_atime_ns, target.stat().st_mtime_ns + 5_000_000_000))
    assert run(site) == 0
    assert len(manifest(site)["runs"]) == 1  # the hash matched: no second run


def test_an_input_that_changed_since_it_was_published_is_refused(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(site) == 0
    target = site / "raw" / DAY_FILES[0]
    target.write_bytes(target.read_bytes() + target.read_bytes().splitlines(keepends=True)[0])
    capsys.readouterr()
    assert run(site) == 2
    err = capsys.readouterr().err
    assert f"input {target} changed since run" in err and "--reprocess-changed" in err
    assert len(manifest(site)["runs"]) == 1
    assert run(site, "--reprocess-changed") == 0
    assert len(manifest(site)["runs"]) == 2


@pytest.mark.parametrize("garbage", [b"{not json", b'{"manifest_version": 7, "output": "x"}', b"[]"])
def test_a_manifest_that_is_not_ours_is_refused(site: Path, garbage: bytes, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(site) == 0
    (site / "sandbox" / "_inputs.json").write_bytes(garbage)
    capsys.readouterr()
    assert run(site) == 2
    err = capsys.readouterr().err
    assert "_inputs.json" in err and "Restore it from a backup" in err


def test_plain_and_incremental_sandboxes_do_not_mix(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--quarantine", str(site / "q2"), "--catalogue", "strict", "--key-file", str(site / "scrubber.key")]
    assert cli(["run", "--input", str(site / "raw"), "--output", str(site / "plain"), *argv, "--quiet"]) == 0
    capsys.readouterr()
    assert cli(["run", "--input", str(site / "raw"), "--output", str(site / "plain"), *argv, "--incremental"]) == 2
    assert "holds a plain run's output" in capsys.readouterr().err
    assert run(site) == 0
    assert cli(["run", "--input", str(site / "raw"), "--output", str(site / "sandbox"), *argv, "--overwrite"]) == 2
    assert "is an incremental sandbox" in capsys.readouterr().err


@pytest.mark.parametrize("flag", [["--partition-by", "ts"], ["--quarantine-retention-days", "30"]])
def test_incremental_options_need_incremental(site: Path, flag: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code = cli(
        [
            "run",
            "--input",
            str(site / "raw"),
            "--output",
            str(site / "s"),
            "--quarantine",
            str(site / "q"),
            "--catalogue",
            "strict",
            "--key-file",
            str(site / "scrubber.key"),
            *flag,
        ]
    )
    assert code == 2
    assert "works only with --incremental" in capsys.readouterr().err


def test_partitions_by_record_time(site: Path) -> None:
    assert run(site, "--partition-by", "ts") == 0
    folders = sorted(p.name for p in (site / "sandbox").iterdir() if p.name.startswith("dt="))
    assert folders
    for folder in folders:
        for path in (site / "sandbox" / folder).glob("part-*.jsonl"):
            for line in path.read_bytes().splitlines():
                ts = orjson.loads(line)["ts"]
                assert folder == "dt=" + datetime.fromtimestamp(ts, UTC).date().isoformat()


def test_partitions_by_input_path(site: Path) -> None:
    assert run(site, "--partition-by", "path", fmt="parquet") == 0
    audit = orjson.loads((site / "sandbox" / "_audit.json").read_bytes())
    assert sorted({s["path"].split("/")[0] for s in audit["output"]["shards"]}) == ["dt=2026-11-23", "dt=2026-11-24"]
    for shard in audit["output"]["shards"]:  # the audit's hash and size are the stored file's
        data = (site / "sandbox" / shard["path"]).read_bytes()
        assert shard["blake3"] == blake3.blake3(data).hexdigest() and shard["bytes"] == len(data)


def test_replay_recovers_with_a_fixed_catalogue_and_links_the_runs(site: Path) -> None:
    assert run(site, "--max-quarantine-rate", "0.9", catalogue=str(site / "narrow.yaml")) == 0
    first_run = manifest(site)["runs"][0]["run_id"]
    before = quarantine_entries(site / "quarantine")
    out_before = len(sandbox_records(site))
    rejected_status = [e for e in before if e["reason"].startswith("invalid") and e["field"] == "status"]
    assert rejected_status  # the narrow catalogue rejected some 4xx/5xx records

    assert run(site, inputs="quarantine/") == 0  # the fixed catalogue: strict
    replay = manifest(site)["runs"][1]
    audit = audit_of(site, replay["run_id"])
    assert audit["replay"]["from_runs"] == [first_run]
    assert audit["replay"]["entries"] == len(before)
    assert replay["consumed_quarantine"] == [str(p) for p in audit["replay"]["quarantine_shards"]]
    after = quarantine_entries(site / "quarantine")
    recovered = len(sandbox_records(site)) - out_before
    assert recovered + len(after) == len(before)  # nothing lost or doubled
    # the narrow run could not write a status of 400 or more: every such record came from the replay
    assert recovered == sum(1 for r in sandbox_records(site) if r.get("status", 0) >= 400) > 0
    assert not any(first_run in p.name for p in (site / "quarantine").iterdir())  # the replayed shard is gone
    # an entry quarantined again keeps the file and line it first came from
    first_origin = {(e["source"], e["line"]) for e in before}
    assert {(e["source"], e["line"]) for e in after} <= first_origin


def test_replay_keeps_hash_only_entries_as_they_were(site: Path) -> None:
    assert run(site, "--quarantine-hash-only", "--max-quarantine-rate", "0.9", catalogue=str(site / "narrow.yaml")) == 0
    before = quarantine_entries(site / "quarantine")
    assert run(site, inputs="quarantine/") == 0
    after = quarantine_entries(site / "quarantine")
    assert sorted(orjson.dumps(e, option=orjson.OPT_SORT_KEYS) for e in after) == sorted(
        orjson.dumps(e, option=orjson.OPT_SORT_KEYS) for e in before
    )


def test_replay_refuses_files_that_are_not_ours(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(site) == 0
    (site / "quarantine" / "notes.txt").write_text("someone's notes\n")
    capsys.readouterr()
    assert run(site, inputs="quarantine/") == 2
    assert "notes.txt is inside --quarantine but is not a quarantine shard scrubber wrote" in capsys.readouterr().err
    (site / "quarantine" / "notes.txt").unlink()
    assert run(site, "--max-quarantine-rate", "1", inputs="quarantine/") == 0


def test_replay_needs_incremental_and_its_own_run(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(site) == 0
    shard = next((site / "quarantine").glob("part-*.jsonl"))
    code = cli(
        [
            "run",
            "--input",
            str(shard),
            "--output",
            str(site / "s2"),
            "--quarantine",
            str(site / "quarantine"),
            "--catalogue",
            "strict",
            "--key-file",
            str(site / "scrubber.key"),
            "--quiet",
        ]
    )
    assert code == 2 and "add --incremental" in capsys.readouterr().err
    mixed = cli(
        [
            "run",
            "--input",
            str(shard),
            "--input",
            str(site / "raw"),
            "--output",
            str(site / "sandbox"),
            "--quarantine",
            str(site / "quarantine"),
            "--catalogue",
            "strict",
            "--key-file",
            str(site / "scrubber.key"),
            "--incremental",
            "--quiet",
        ]
    )
    assert mixed == 2 and "a replay reads only quarantine shards" in capsys.readouterr().err


def test_retention_removes_old_quarantine_shards_and_the_audit_says_so(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import scrubber.pipelines.prepare as prepare

    old_run = "20200101T000000Z-0000abcd"  # a run long ago: older than any retention from now on
    monkeypatch.setattr(prepare, "new_run_id", lambda: old_run)
    assert run(site) == 0
    monkeypatch.undo()
    old_shards = sorted(p.name for p in (site / "quarantine").iterdir())
    assert old_shards and all(old_run in name for name in old_shards)

    shutil.copy(FIXTURES / DAY_FILES[2], site / "raw" / DAY_FILES[2])
    assert run(site, "--quarantine-retention-days", "30") == 0
    latest = manifest(site)["runs"][-1]["run_id"]
    retention = audit_of(site, latest)["quarantine_retention"]
    assert retention == {"days": 30, "removed": [{"path": name, "run_id": old_run} for name in old_shards]}
    assert all(latest in p.name for p in (site / "quarantine").iterdir())  # this run's shard stays
    assert (site / "sandbox" / "_audits" / f"{old_run}.json").exists()  # the sandbox and its audits are kept


def test_a_run_that_never_committed_is_tidied_away(site: Path) -> None:
    assert run(site) == 0
    ghost = "20261130T000000Z-deadbeef"  # shards of a run killed before it wrote the manifest
    (site / "sandbox" / f"part-{ghost}-00000-of-00001.jsonl").write_text('{"ts": 1}\n')
    (site / "quarantine" / f"part-{ghost}-00000-of-00001.jsonl").write_text("{}\n")
    (site / "sandbox" / "_audits" / f"{ghost}.json").write_text("{}\n")
    shutil.copy(FIXTURES / DAY_FILES[2], site / "raw" / DAY_FILES[2])
    assert run(site) == 0
    assert not list(site.rglob(f"*{ghost}*"))


def test_an_input_edited_on_purpose_is_recorded_without_reading_it(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(site) == 0
    files_before = sorted(p.relative_to(site) for p in (site / "sandbox").rglob("part-*"))
    target = site / "raw" / DAY_FILES[0]
    target.write_bytes(b"".join(target.read_bytes().splitlines(keepends=True)[1:]))  # a person erased at the source
    capsys.readouterr()
    assert run(site) == 2
    assert "--accept-changed" in capsys.readouterr().err
    assert run(site, "--accept-changed", "--reprocess-changed") == 2

    assert run(site, "--accept-changed") == 0
    assert "recorded the new content of 1 edited inputs in the manifest, unread" in capsys.readouterr().err
    entry = next(e for e in manifest(site)["inputs"] if e["uri"] == str(target))
    assert entry["blake3"] == blake3.blake3(target.read_bytes()).hexdigest() and entry["accepted_change"]
    assert len(manifest(site)["runs"]) == 1  # nothing was read or published
    assert sorted(p.relative_to(site) for p in (site / "sandbox").rglob("part-*")) == files_before
    assert run(site) == 0  # from now on it is an input published before
    assert "nothing new" in capsys.readouterr().err

    target.write_bytes(target.read_bytes()[:-200])  # edited again, with a new file on the same night
    shutil.copy(FIXTURES / DAY_FILES[2], site / "raw" / DAY_FILES[2])
    assert run(site, "--accept-changed") == 0
    latest = manifest(site)["runs"][-1]["run_id"]
    audit = audit_of(site, latest)
    assert audit["incremental"]["accepted_changed"] == [str(target)]
    assert [f["uri"] for f in audit["inputs"]["per_file"]] == [str(site / "raw" / DAY_FILES[2])]
