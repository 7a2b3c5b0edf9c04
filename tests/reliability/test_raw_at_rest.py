"""Raw data at rest: owner-only modes for the quarantine and temporary folders whatever the umask, the key-file
rule (refused when group or others can read it, or another user owns it), and keygen --out."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from scrubber.cli import main as cli
from scrubber.io.fs import FsConfig
from scrubber.io.writers import WRITERS
from scrubber.streaming.panes import Pane, PaneTargets, Scrubbed, publish_pane
from tests.conftest import TEST_KEY_HEX

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "e2e"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    previous = os.umask(0)  # every file 0666 and folder 0777 unless scrubber sets the mode itself
    try:
        yield
    finally:
        os.umask(previous)


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "scrubber.key"
    path.write_text(TEST_KEY_HEX + "\n")
    path.chmod(0o600)
    return path


def run(tmp_path: Path, key: Path, *extra: str) -> int:
    return cli(
        [
            "run",
            "--input",
            str(FIXTURES / "e2e-*"),
            "--output",
            str(tmp_path / "sandbox"),
            "--quarantine",
            str(tmp_path / "quarantine"),
            "--catalogue",
            "pseudonymous",
            "--key-file",
            str(key),
            "--quiet",
            *extra,
        ]
    )


def test_the_quarantine_is_owner_only_under_a_permissive_umask(
    tmp_path: Path, key_file: Path, permissive_umask: None
) -> None:
    assert run(tmp_path, key_file, "--incremental") == 0
    quarantine = tmp_path / "quarantine"
    shards = list(quarantine.glob("part-*.jsonl"))
    assert shards and any(b'"raw"' in p.read_bytes() for p in shards)  # raw lines: what must be protected
    assert mode(quarantine) == 0o700
    assert {mode(p) for p in shards} == {0o600}
    # the sandbox is the scrubbed export: it keeps the umask, for whoever it is shared with
    assert {mode(p) for p in (tmp_path / "sandbox").rglob("part-*")} == {0o666}


def test_temporary_folders_and_their_raw_shards_are_owner_only(
    tmp_path: Path, key_file: Path, permissive_umask: None
) -> None:
    # every line quarantined: nothing is published, and the temporary folders stay for inspection
    assert run(tmp_path, key_file, "--max-quarantine-rate", "0") == 1
    temporaries = [p for p in tmp_path.rglob(".scrubber-tmp-*") if p.is_dir()]
    assert len(temporaries) == 2
    assert {mode(p) for p in temporaries} == {0o700}
    raw_shards = [p for p in (tmp_path / "quarantine").rglob("*.jsonl")]
    assert raw_shards and {mode(p) for p in raw_shards} == {0o600}


def test_an_existing_quarantine_loses_group_and_other_access(tmp_path: Path, key_file: Path) -> None:
    quarantine = tmp_path / "quarantine"
    quarantine.mkdir()
    quarantine.chmod(0o755)
    assert run(tmp_path, key_file) == 0
    assert mode(quarantine) == 0o700


def test_stream_panes_keep_the_quarantine_owner_only(tmp_path: Path, permissive_umask: None) -> None:
    targets = PaneTargets(
        FsConfig(), str(tmp_path / "sandbox"), str(tmp_path / "quarantine"), "jsonl", None, "0" * 16, {}, {}
    )
    items = [Scrubbed("logs", 0, 1, {"n": 1}, None), Scrubbed("logs", 0, 2, None, {"reason": "not_json", "raw": "x"})]
    publish_pane(Pane.of(1_764_600_000_000, 1_764_600_060_000, 0, "ON_TIME", items), targets)
    folders = [p for p in (tmp_path / "quarantine").rglob("*") if p.is_dir()]
    files = [p for p in (tmp_path / "quarantine").rglob("*") if p.is_file()]
    assert folders and files
    assert {mode(p) for p in folders} == {0o700} and {mode(p) for p in files} == {0o600}


@pytest.mark.parametrize("bits", [0o644, 0o640, 0o604, 0o660, 0o602])
def test_a_key_file_others_can_read_or_change_is_refused_with_the_fix(
    tmp_path: Path, key_file: Path, bits: int, capsys: pytest.CaptureFixture[str]
) -> None:
    key_file.chmod(bits)
    assert run(tmp_path, key_file) == 2
    err = capsys.readouterr().err
    assert f"has mode {bits:04o}" in err and f"chmod 600 {key_file}" in err and "--allow-insecure-key-file" in err
    assert TEST_KEY_HEX not in err and TEST_KEY_HEX[:16] not in err
    assert not (tmp_path / "sandbox").exists()  # refused before anything is written
    assert run(tmp_path, key_file, "--allow-insecure-key-file") == 0


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_a_key_file_another_user_owns_is_refused(
    tmp_path: Path, key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    os.chown(key_file, 65534, 65534)  # nobody
    assert run(tmp_path, key_file) == 2
    assert "is owned by uid 65534, not by you" in capsys.readouterr().err
    assert run(tmp_path, key_file, "--allow-insecure-key-file") == 0


@pytest.mark.parametrize("command", ["verify", "subject"])
def test_the_other_commands_apply_the_same_rule(
    tmp_path: Path, key_file: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tmp_path, key_file) == 0
    key_file.chmod(0o644)
    capsys.readouterr()
    argv = {
        "verify": ["verify", "--audit", str(tmp_path / "sandbox"), "--key-file", str(key_file)],
        "subject": [
            "subject",
            "--id",
            "x@example.org",
            "--sandbox",
            str(tmp_path / "sandbox"),
            "--key-file",
            str(key_file),
        ],
    }[command]
    assert cli(argv) == 2
    assert f"chmod 600 {key_file}" in capsys.readouterr().err
    assert cli([*argv, "--allow-insecure-key-file"]) == 0


def test_keygen_out_makes_a_0600_key_and_never_overwrites(
    tmp_path: Path, permissive_umask: None, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "new.key"
    assert cli(["keygen", "--out", str(path)]) == 0
    captured = capsys.readouterr()
    material = path.read_text().strip()
    assert mode(path) == 0o600 and len(bytes.fromhex(material)) == 32
    assert material not in captured.out + captured.err and "key id" in captured.err
    assert cli(["keygen", "--out", str(path)]) == 2
    assert "exists; a key is never overwritten" in capsys.readouterr().err
    assert path.read_text().strip() == material
    assert run(tmp_path, path) == 0  # the file it made is accepted as it is
    audit = orjson.loads((tmp_path / "sandbox" / "_audit.json").read_bytes())
    from scrubber.keys import key_id_of

    assert audit["key_id"] == key_id_of(bytes.fromhex(material))


def test_parquet_shards_name_their_key(tmp_path: Path, key_file: Path) -> None:
    import pyarrow.parquet as pq

    from scrubber.keys import key_id_of

    assert run(tmp_path, key_file) == 0
    for shard in (tmp_path / "sandbox").glob("part-*.parquet"):
        metadata = pq.read_schema(shard).metadata
        assert metadata[b"scrubber.key_id"].decode() == key_id_of(bytes.fromhex(TEST_KEY_HEX))
    assert WRITERS["parquet"].extension == ".parquet"


def test_a_quarantine_shard_rewritten_by_an_erasure_stays_owner_only(
    tmp_path: Path, key_file: Path, permissive_umask: None
) -> None:
    assert run(tmp_path, key_file) == 0
    shard = next((tmp_path / "quarantine").glob("part-*.jsonl"))
    entry = orjson.loads(shard.read_bytes().splitlines()[0])
    needle = next(word for word in entry["raw"].replace('"', " ").split() if len(word) > 8)
    ids = tmp_path / "ids.txt"
    ids.write_text(needle + "\n")
    before = len(shard.read_bytes().splitlines())
    code = cli(
        [
            "subject",
            "--ids-file",
            str(ids),
            "--sandbox",
            str(tmp_path / "sandbox"),
            "--quarantine",
            str(tmp_path / "quarantine"),
            "--key-file",
            str(key_file),
            "--delete",
        ]
    )
    assert code == 0
    assert len(shard.read_bytes().splitlines()) < before  # the entry holding it was removed
    assert mode(shard) == 0o600
