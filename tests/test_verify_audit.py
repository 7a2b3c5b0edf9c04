"""scrubber verify --audit: a sandbox's shards against its audits and erasures, and key ids against a key ring.

Sandboxes are written by the real ``scrubber run`` once per module (plain Parquet, and incremental JSON lines
partitioned by day in two runs), then copied per test and damaged on purpose. Erasures are written by hand
following the erasure_version 1 format, and once by the real ``scrubber subject --delete``.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pyarrow.parquet as pq
import pytest

from scrubber.cli import main
from scrubber.io.digests import file_digest
from scrubber.io.fs import FsConfig
from scrubber.keys import key_id_of
from tests.conftest import TEST_KEY_HEX

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "e2e"
SHARD = "part-00000-of-00001.parquet"
OTHER_KEY_HEX = "3b9e0c7f51a2d84e6c0f9a3b7d25e18c4f6a0b9d3e7c1f5a2b8d4e0c6f9a3b71"
TEST_KEY_ID = key_id_of(bytes.fromhex(TEST_KEY_HEX))
OTHER_KEY_ID = key_id_of(bytes.fromhex(OTHER_KEY_HEX))


def scrub(key_file: Path, inputs: str, output: Path, *extra: str) -> None:
    argv = ["run", "--input", inputs, "--output", str(output), "--quarantine", str(output.parent / "quarantine")]
    argv += ["--catalogue", "pseudonymous", "--key-file", str(key_file), "--quiet", *extra]
    assert main(argv) == 0


@pytest.fixture(scope="module")
def plain_built(tmp_path_factory: pytest.TempPathFactory, key_file: Path) -> Path:
    sandbox = tmp_path_factory.mktemp("plain") / "sandbox"
    scrub(key_file, str(FIXTURES / "e2e-*"), sandbox, "--format", "parquet")
    return sandbox


@pytest.fixture(scope="module")
def incremental_built(tmp_path_factory: pytest.TempPathFactory, key_file: Path) -> Path:
    sandbox = tmp_path_factory.mktemp("incremental") / "sandbox"
    for name in ("e2e-gateway-2026-11-23.jsonl", "e2e-export-2026-11.parquet"):
        scrub(key_file, str(FIXTURES / name), sandbox, "--format", "jsonl", "--incremental", "--partition-by", "ts")
    return sandbox


@pytest.fixture
def plain(tmp_path: Path, plain_built: Path) -> Path:
    return Path(shutil.copytree(plain_built, tmp_path / "sandbox"))


@pytest.fixture
def incremental(tmp_path: Path, incremental_built: Path) -> Path:
    return Path(shutil.copytree(incremental_built, tmp_path / "sandbox"))


def verify(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["verify", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def ring(tmp_path: Path, *keys: str) -> str:
    path = tmp_path / "ring.keys"
    path.write_text("# current first\n" + "\n".join(keys) + "\n")
    path.chmod(0o600)
    return str(path)


def read(path: Path) -> Any:
    return orjson.loads(path.read_bytes())


def write(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(orjson.dumps(value, option=orjson.OPT_INDENT_2))


def drop_rows(shard: Path, n: int) -> None:
    """Rewrite a Parquet shard without its last n rows, as an erasure does (schema metadata kept)."""
    table = pq.read_table(shard)
    pq.write_table(table.slice(0, table.num_rows - n), shard)


def erasure(
    sandbox: Path, before: dict[str, Any], shard: Path, erasure_id: str | None = None, name: str | None = None
) -> Path:
    """An erasure record (erasure_version 1) for one rewritten shard, as scrubber subject --delete writes it."""
    erasure_id = erasure_id or datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-0badcafe"
    after = file_digest(FsConfig(), str(shard))
    rows_after = pq.ParquetFile(shard).metadata.num_rows
    record = {
        "erasure_version": 1,
        "erasure_id": erasure_id,
        "at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "key_ids": [TEST_KEY_ID],
        "namespaces": ["user"],
        "identifiers": 1,
        "records_removed": before["rows"] - rows_after,
        "quarantine_entries_removed": 0,
        "shards": [
            {
                "path": before["path"],
                "rows_before": before["rows"],
                "rows_after": rows_after,
                "blake3_before": before["blake3"],
                "blake3_after": after.blake3,
                "bytes_after": after.bytes,
            }
        ],
        "quarantine_shards": [],
    }
    path = sandbox / "_erasures" / (name or f"{erasure_id}.json")
    write(path, record)
    return path


def shard_entry(sandbox: Path) -> dict[str, Any]:
    (entry,) = read(sandbox / "_audit.json")["output"]["shards"]
    return dict(entry)


# --- clean sandboxes -----------------------------------------------------------------------------


def test_a_clean_run_passes_the_audit_and_the_scan(plain: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = verify(capsys, "--audit", str(plain))
    assert code == 0, out + err
    assert "audits: 1 audits, 1 shards checked, 141 rows, 0 erasures applied" in out
    assert f"key ids: {TEST_KEY_ID}: 1 shards, 141 rows" in out
    assert "1 files, 141 records, no findings" in out


def test_an_incremental_sandbox_passes_with_every_committed_run(
    incremental: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert list(incremental.glob("dt=*/part-*.jsonl")), "the runs wrote no dt= partitions"
    code, out, err = verify(capsys, "--audit", str(incremental))
    assert code == 0, out + err
    runs = read(incremental / "_inputs.json")["runs"]
    shards = [s for run in runs for s in read(incremental / run["audit"])["output"]["shards"]]
    assert len(runs) == 2
    rows = sum(s["rows"] for s in shards)
    assert f"audits: 2 audits, {len(shards)} shards checked, {rows:,} rows, 0 erasures applied" in out
    assert f"{len(shards)} files, {rows:,} records, no findings" in out  # the scan reads the partitions too


def test_audit_only_skips_the_scan_and_needs_no_catalogue(plain: Path, capsys: pytest.CaptureFixture[str]) -> None:
    audit = read(plain / "_audit.json")
    audit["catalogue"]["digest"] = "blake2b:0000"  # the scan could not find the catalogue
    write(plain / "_audit.json", audit)
    assert verify(capsys, "--audit", str(plain))[0] == 2
    code, out, _ = verify(capsys, "--audit-only", str(plain))
    assert code == 0
    assert "141 rows (not scanned: --audit-only), no findings" in out


def test_no_key_is_needed_without_a_key_option(
    plain: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCRUBBER_KEY", "not a key")  # never read: verify does not fall back to it
    assert verify(capsys, "--audit-only", str(plain))[0] == 0


# --- shards that differ from their audit ---------------------------------------------------------


def test_a_flipped_byte_is_shard_changed(plain: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = bytearray((plain / SHARD).read_bytes())
    data[len(data) // 2] ^= 0x01
    (plain / SHARD).write_bytes(bytes(data))
    code, out, err = verify(capsys, "--audit-only", str(plain))
    assert code == 1
    assert f"{plain / SHARD}:0: blake3: shard_changed" in out
    assert "shard_changed 1" in err


def test_a_deleted_shard_is_shard_missing(plain: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (plain / SHARD).unlink()
    code, out, _ = verify(capsys, "--audit-only", str(plain))
    assert code == 1
    assert f"{plain / SHARD}:0: (file): shard_missing" in out
    assert "0 shards checked" in out


def test_an_extra_part_file_anywhere_below_is_shard_not_in_audit(
    plain: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = plain / "dt=2026-11-23" / "part-00001-of-00002.parquet"
    extra.parent.mkdir()
    shutil.copy(plain / SHARD, extra)
    shutil.copy(plain / SHARD, plain / "_ignored.parquet")  # '_' and '.' names are not data files
    (plain / ".hidden").mkdir()
    shutil.copy(plain / SHARD, plain / ".hidden" / SHARD)
    code, out, err = verify(capsys, "--audit", str(plain))
    assert code == 1
    assert f"{extra}:0: (file): shard_not_in_audit" in out
    assert "_ignored" not in out + err and ".hidden" not in out + err
    assert "2 files, 282 records" in err  # the extra file is scanned too


def test_fewer_rows_with_a_matching_erasure_pass_and_without_it_fail(
    plain: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = shard_entry(plain)
    drop_rows(plain / SHARD, 5)
    record = erasure(plain, before, plain / SHARD)
    code, out, err = verify(capsys, "--audit", str(plain))
    assert code == 0, out + err
    assert "1 shards checked, 136 rows, 1 erasures applied" in out
    record.unlink()
    code, out, _ = verify(capsys, "--audit", str(plain))
    assert code == 1
    assert f"{plain / SHARD}:0: blake3: shard_changed" in out
    assert f"{plain / SHARD}:0: rows: shard_rows_differ" in out


def test_erasures_apply_in_erasure_id_order(plain: Path, capsys: pytest.CaptureFixture[str]) -> None:
    now = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    before = shard_entry(plain)
    drop_rows(plain / SHARD, 2)
    first = read(erasure(plain, before, plain / SHARD, f"{now}-00000001", name="z.json"))["shards"][0]
    drop_rows(plain / SHARD, 3)
    middle = {"path": SHARD, "rows": first["rows_after"], "blake3": first["blake3_after"]}
    erasure(plain, middle, plain / SHARD, f"{now}-00000002", name="a.json")  # listed first, applied second
    code, out, err = verify(capsys, "--audit-only", str(plain))
    assert code == 0, out + err
    assert "136 rows, 2 erasures applied" in out


def test_an_erasure_from_another_state_does_not_chain(plain: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = shard_entry(plain) | {"blake3": "00" * 32}
    drop_rows(plain / SHARD, 1)
    record = erasure(plain, before, plain / SHARD)
    code, out, err = verify(capsys, "--audit-only", str(plain))
    assert code == 1
    assert f"{record}:0: shards[0].blake3_before: erasure_does_not_chain" in out
    assert "shard_changed" not in out  # the shard is what the erasure wrote: one break, reported once
    assert "changed outside scrubber, or an erasure record is missing" in err


def test_an_erasure_older_than_a_plain_run_belongs_to_the_sandbox_it_replaced(
    plain: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    erasure(plain, shard_entry(plain) | {"blake3": "00" * 32}, plain / SHARD, "20200101T000000Z-00000000")
    code, out, err = verify(capsys, "--audit-only", str(plain))
    assert code == 0, out + err
    assert "0 erasures applied" in out
    assert "older than the run that wrote this sandbox" in err and "subject --delete again" in err


def test_a_real_subject_delete_keeps_the_sandbox_verifiable(
    plain: Path, key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    truth = read(FIXTURES / "truth.json")
    user = truth["records"][0]["user_id"]
    argv = ["subject", "--id", user, "--namespace", "user", "--sandbox", str(plain), "--key-file", str(key_file)]
    assert main([*argv, "--delete"]) == 0
    capsys.readouterr()
    code, out, err = verify(capsys, "--audit", str(plain))
    assert code == 0, out + err
    assert "1 erasures applied" in out


# --- audits ----------------------------------------------------------------------------------------


def test_an_audit_from_before_shard_hashes_is_a_usage_error(plain: Path, capsys: pytest.CaptureFixture[str]) -> None:
    audit = read(plain / "_audit.json")
    audit["audit_version"] = 1
    del audit["output"]["shards"]
    write(plain / "_audit.json", audit)
    code, _, err = verify(capsys, "--audit", str(plain))
    assert code == 2
    assert "predates shard hashes (audit_version 1)" in err and "without --audit" in err
    assert verify(capsys, str(plain))[0] == 0  # the scan alone still works


def test_an_audit_whose_status_is_not_ok(plain: Path, capsys: pytest.CaptureFixture[str]) -> None:
    audit = read(plain / "_audit.json")
    audit["status"] = "counts_mismatch"
    write(plain / "_audit.json", audit)
    code, out, _ = verify(capsys, "--audit-only", str(plain))
    assert code == 1
    assert f"{plain / '_audit.json'}:0: status: audit_not_ok" in out


@pytest.mark.parametrize("damage", ["missing", "garbled", "no_list"])
def test_a_missing_or_garbled_audit_is_audit_unreadable(
    plain: Path, capsys: pytest.CaptureFixture[str], damage: str
) -> None:
    audit = plain / "_audit.json"
    if damage == "missing":
        audit.unlink()
    elif damage == "garbled":
        audit.write_bytes(audit.read_bytes()[:100])
    else:
        write(audit, read(audit) | {"output": {"shards": {"path": SHARD}}})
    code, out, err = verify(capsys, "--audit-only", str(plain))
    assert code == 1
    assert f"{audit}:0: (file): audit_unreadable" in out
    assert "shard_not_in_audit" not in out  # without its audit, no shard can be judged
    assert "re-run scrubber run into a fresh sandbox" in err


def test_an_incremental_run_without_its_audit(incremental: Path, capsys: pytest.CaptureFixture[str]) -> None:
    runs = read(incremental / "_inputs.json")["runs"]
    lost = incremental / runs[0]["audit"]
    lost.unlink()
    code, out, _ = verify(capsys, "--audit-only", str(incremental))
    assert code == 1
    assert f"{lost}:0: (file): audit_unreadable" in out
    assert "shard_not_in_audit" not in out  # the lost run's shards are named by its run id
    assert "audits: 1 audits" in out


def test_a_garbled_manifest_is_audit_unreadable(incremental: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (incremental / "_inputs.json").write_text("{not json")
    code, out, err = verify(capsys, "--audit-only", str(incremental))
    assert code == 1
    assert f"{incremental / '_inputs.json'}:0: (file): audit_unreadable" in out
    assert "scrubber run --incremental" in err


def test_an_uncommitted_run_s_shards_are_not_in_the_audit(
    incremental: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = read(incremental / "_inputs.json")
    dropped = manifest["runs"].pop()
    write(incremental / "_inputs.json", manifest)
    code, out, _ = verify(capsys, "--audit-only", str(incremental))
    assert code == 1
    assert out.count("shard_not_in_audit") == len(read(incremental / dropped["audit"])["output"]["shards"])


def test_a_file_uri_cannot_be_audited(plain: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = verify(capsys, "--audit", str(plain / SHARD))
    assert code == 2 and "sandbox directory" in err


# --- key ids ---------------------------------------------------------------------------------------


def test_a_retired_key_is_reported_but_passes(plain: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = verify(capsys, "--audit", "--key-file", ring(tmp_path, OTHER_KEY_HEX, TEST_KEY_HEX), str(plain))
    assert code == 0, out + err
    assert (
        f"1 shards (141 rows) were made with retired key id {TEST_KEY_ID}; the current key id is {OTHER_KEY_ID}: "
        "pseudonyms there do not join with current ones"
    ) in err
    assert TEST_KEY_HEX not in out + err and OTHER_KEY_HEX not in out + err


def test_the_current_key_is_silent(plain: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = verify(
        capsys, "--audit-only", "--key-file", ring(tmp_path, TEST_KEY_HEX, OTHER_KEY_HEX), str(plain)
    )
    assert code == 0, out + err
    assert "retired" not in err and "key ids:" not in out


def test_a_key_the_ring_does_not_hold_is_unknown_key_id(
    plain: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = verify(capsys, "--audit", "--key-file", ring(tmp_path, OTHER_KEY_HEX), str(plain))
    assert code == 1
    assert f"{plain / '_audit.json'}:0: key_id: unknown_key_id" in out
    assert f"key id {TEST_KEY_ID} (1 shards, 141 rows) is not in the key ring ({OTHER_KEY_ID}" in err


def test_without_audit_the_ring_checks_the_parquet_metadata(
    plain: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = verify(capsys, "--key-file", ring(tmp_path, OTHER_KEY_HEX), str(plain))
    assert code == 1
    assert f"{plain / SHARD}:0: scrubber.key_id: unknown_key_id" in out


def test_parquet_key_id_metadata_must_match_its_audit(plain: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = shard_entry(plain)
    table = pq.read_table(plain / SHARD)
    metadata = dict(table.schema.metadata or {}) | {b"scrubber.key_id": OTHER_KEY_ID.encode()}
    pq.write_table(table.replace_schema_metadata(metadata), plain / SHARD)
    erasure(plain, before, plain / SHARD)  # hashes chain: only the key id is wrong
    code, out, _ = verify(capsys, "--audit-only", str(plain))
    assert code == 1
    assert f"{plain / SHARD}:0: scrubber.key_id: key_id_differs" in out


def test_a_bad_key_ring_is_a_usage_error(plain: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.key"
    bad.write_text("too short\n")
    code, _, err = verify(capsys, "--audit", "--key-file", str(bad), str(plain))
    assert code == 2 and "key file" in err


def test_help_names_the_new_options_and_kinds(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = verify(capsys, "--help")
    assert code == 0
    for word in ("--audit-only", "--key-file", "shard_changed", "erasure_does_not_chain", "unknown_key_id"):
        assert word in out, word
