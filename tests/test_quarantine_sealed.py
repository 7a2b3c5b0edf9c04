"""The sealed quarantine (issue 16), through the CLI: ``scrubber run --quarantine-key-file``, ``scrubber quarantine
show`` and replay.

The run is on fixtures/e2e; the raw lines a sealed entry must give back are read here from the inputs themselves,
at the entry's source and line, not from the quarantine.
"""

from __future__ import annotations

import base64
import shutil
from pathlib import Path
from typing import Any

import orjson
import pytest

from scrubber.cli import main as cli
from scrubber.io.fs import FsConfig
from scrubber.io.lines import ReadProblem
from scrubber.io.readers import read_source
from scrubber.keys import key_id_of, make_key
from scrubber.sealing import NONCE_BYTES, TAG_BYTES
from tests.conftest import TEST_KEY_HEX
from tests.pipelines.test_incremental import DAY_FILES, NARROW
from tests.reliability.helpers import quarantine_entries

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "e2e"
TRUTH = orjson.loads((FIXTURES / "truth.json").read_bytes())
QUARANTINE_KEY_HEX = "a3f0481fbd8534eb85650616dd8c6991ecff81bad738f8b96f92d7c5c39a83d1"
OTHER_KEY_HEX = "3181a053c600b58287579c561a5aaa049f6f6d88a7de69dd43af4871354e9ee1"
QUARANTINE_KEY_ID = key_id_of(bytes.fromhex(QUARANTINE_KEY_HEX))
OTHER_KEY_ID = key_id_of(bytes.fromhex(OTHER_KEY_HEX))


def key_file(directory: Path, name: str, hex_key: str) -> Path:
    path = directory / name
    path.write_text(hex_key + "\n")
    path.chmod(0o600)
    return path


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("keys")
    return {
        "pseudonym": key_file(base, "scrubber.key", TEST_KEY_HEX),
        "quarantine": key_file(base, "quarantine.key", QUARANTINE_KEY_HEX),
        "other": key_file(base, "other.key", OTHER_KEY_HEX),
    }


def run(out: Path, keys: dict[str, Path], *extra: str, inputs: str = str(FIXTURES / "e2e-*")) -> int:
    return cli(
        [
            "run",
            "--input",
            inputs,
            "--output",
            str(out / "sandbox"),
            "--quarantine",
            str(out / "quarantine"),
            "--catalogue",
            "pseudonymous",
            "--key-file",
            str(keys["pseudonym"]),
            "--format",
            "jsonl",
            "--quiet",
            *extra,
        ]
    )


@pytest.fixture(scope="module")
def sealed_run(tmp_path_factory: pytest.TempPathFactory, keys: dict[str, Path]) -> Path:
    out = tmp_path_factory.mktemp("sealed")
    assert run(out, keys, "--quarantine-key-file", str(keys["quarantine"])) == 0
    return out


def input_lines(entries: list[dict[str, Any]]) -> dict[tuple[str, int], bytes]:
    """The bytes of each quarantined input line, as the readers give them (read problems: what was read)."""
    found: dict[tuple[str, int], bytes] = {}
    for source in sorted({e["source"] for e in entries}):
        for item in read_source(source, FsConfig()):
            line = item.line if isinstance(item, ReadProblem) else item
            found[(source, line.line_no)] = line.data
    return {(e["source"], e["line"]): found[(e["source"], e["line"])] for e in entries}


def files_bytes(*directories: Path) -> bytes:
    return b"\n".join(p.read_bytes() for d in directories for p in sorted(d.rglob("*")) if p.is_file())


def show(capsysbinary: pytest.CaptureFixture[bytes], *argv: str) -> tuple[int, bytes, str]:
    capsysbinary.readouterr()
    code = cli(["quarantine", "show", *argv])
    captured = capsysbinary.readouterr()
    return code, captured.out, captured.err.decode()


# --- what the run writes -------------------------------------------------------------------------


def test_a_sealed_quarantine_holds_no_raw_line_and_no_planted_identifier(sealed_run: Path) -> None:
    quarantine, sandbox = sealed_run / "quarantine", sealed_run / "sandbox"
    entries = quarantine_entries(quarantine)
    assert len(entries) == TRUTH["corrupt_lines"]
    raws = input_lines(entries)
    for entry in entries:
        assert set(entry) == {"source", "line", "reason", "field", "raw_sealed", "seal_key_id"}
        assert entry["seal_key_id"] == QUARANTINE_KEY_ID
        sealed = base64.b64decode(entry["raw_sealed"])  # nonce, ciphertext as long as the line, tag
        assert len(sealed) == NONCE_BYTES + len(raws[(entry["source"], entry["line"])]) + TAG_BYTES
    stored = files_bytes(quarantine, sandbox)
    for raw in raws.values():
        if len(raw.strip()) < 12:  # an empty line or "[1, 2, 3]" is no secret, and could occur by chance
            continue
        text = raw.decode("utf-8", "backslashreplace")
        for form in (raw, text.encode(), orjson.dumps(text)[1:-1]):  # as read, decoded, JSON-escaped (as "raw")
            assert form not in stored
    planted = [p.strip() for p in TRUTH["planted"]]
    assert not [p for p in planted if p.encode() in stored]
    # case-insensitive too, outside the ciphertexts (random base64, which a short id could match by chance)
    readable = stored.decode("utf-8", "replace")
    for entry in entries:
        readable = readable.replace(entry["raw_sealed"], "")
    readable = readable.lower()
    assert not [p for p in planted if p.lower() in readable]
    assert QUARANTINE_KEY_HEX not in readable and TEST_KEY_HEX not in readable


def test_the_same_line_seals_differently_each_time(sealed_run: Path, keys: dict[str, Path], tmp_path: Path) -> None:
    """A random nonce per entry: the quarantine's bytes are not deterministic under a quarantine key."""
    assert run(tmp_path, keys, "--quarantine-key-file", str(keys["quarantine"])) == 0
    first = {(e["source"], e["line"]): e["raw_sealed"] for e in quarantine_entries(sealed_run / "quarantine")}
    again = {(e["source"], e["line"]): e["raw_sealed"] for e in quarantine_entries(tmp_path / "quarantine")}
    assert first.keys() == again.keys()
    assert all(first[k] != again[k] for k in first)


def test_the_run_says_what_its_quarantine_stores(keys: dict[str, Path], tmp_path: Path) -> None:
    """What the audit's quarantine.stores and quarantine.seal_key_id are made from (pipelines/finish.py)."""
    from scrubber.pipelines.prepare import prepare

    def prepared(name: str, *extra: str) -> tuple[str, str | None]:
        where = ["--output", str(tmp_path / name / "s"), "--quarantine", str(tmp_path / name / "q")]
        key = ["--key-file", str(keys["pseudonym"])]
        prep = prepare(["--input", str(FIXTURES / DAY_FILES[0]), *where, "--catalogue", "strict", *key, *extra])
        return prep.quarantine_stores, prep.seal_key_id

    assert prepared("sealed", "--quarantine-key-file", str(keys["quarantine"])) == ("sealed_line", QUARANTINE_KEY_ID)
    assert prepared("hashed", "--quarantine-hash-only") == ("keyed_hash", None)
    assert prepared("clear") == ("line", None)


# --- scrubber quarantine show --------------------------------------------------------------------


def test_show_with_the_key_gives_back_every_raw_line_byte_for_byte(
    sealed_run: Path, keys: dict[str, Path], capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    entries = quarantine_entries(sealed_run / "quarantine")
    raws = input_lines(entries)
    key = ["--quarantine-key-file", str(keys["quarantine"])]
    code, out, err = show(capsysbinary, *key, "--raw", str(sealed_run / "quarantine"))
    assert code == 0, err
    assert out.split(b"\n")[:-1] == [raws[(e["source"], e["line"])] for e in entries]
    assert f"{len(entries)} sealed lines opened with key id {QUARANTINE_KEY_ID}" in err
    # one entry by its input file's name and line, in the readable form: source:line, reason, field, line
    entry = next(e for e in entries if e["field"])
    name = Path(entry["source"]).name
    code, out, _ = show(
        capsysbinary, *key, str(sealed_run / "quarantine"), "--source", name, "--line", str(entry["line"])
    )
    raw = raws[(entry["source"], entry["line"])].decode("utf-8", "backslashreplace")
    assert code == 0
    assert out.decode() == f"{entry['source']}:{entry['line']}\t{entry['reason']}\t{entry['field']}\t{raw}\n"
    code, out, _ = show(capsysbinary, *key, str(sealed_run / "quarantine"), "--reason", "not_json")
    assert code == 0 and len(out.splitlines()) == sum(e["reason"] == "not_json" for e in entries) > 0


def test_show_without_the_key_names_the_key_and_shows_no_line(
    sealed_run: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    entries = quarantine_entries(sealed_run / "quarantine")
    code, out, err = show(capsysbinary, str(sealed_run / "quarantine"))
    assert code == 0
    rows = out.decode().splitlines()
    assert len(rows) == len(entries)
    assert all(row.endswith(f"\t<sealed with key id {QUARANTINE_KEY_ID}>") for row in rows)
    assert [row.split("\t")[0] for row in rows] == [f"{e['source']}:{e['line']}" for e in entries]  # still readable
    assert "--quarantine-key-file" in err


def test_show_with_another_key_is_a_clean_key_error(
    sealed_run: Path, keys: dict[str, Path], capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    for wrong in ("other", "pseudonym"):
        code, out, err = show(capsysbinary, "--quarantine-key-file", str(keys[wrong]), str(sealed_run / "quarantine"))
        gave = key_id_of(bytes.fromhex(OTHER_KEY_HEX if wrong == "other" else TEST_KEY_HEX))
        assert code == 2
        assert f"entry sealed with key id {QUARANTINE_KEY_ID}, you gave key id {gave}" in err
        assert "Traceback" not in err and b"<sealed with key id" in out


def test_a_changed_ciphertext_or_a_moved_seal_is_reported_per_entry(
    sealed_run: Path, keys: dict[str, Path], tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    shard = next((sealed_run / "quarantine").glob("part-*.jsonl"))
    lines = shard.read_bytes().splitlines()
    entries = [orjson.loads(line) for line in lines]
    flipped = bytearray(base64.b64decode(entries[2]["raw_sealed"]))
    flipped[NONCE_BYTES + 3] ^= 0x01
    entries[2]["raw_sealed"] = base64.b64encode(bytes(flipped)).decode()
    broken = tmp_path / "broken" / shard.name
    broken.parent.mkdir()
    broken.write_bytes(b"\n".join(orjson.dumps(e) for e in entries) + b"\n")
    key = ["--quarantine-key-file", str(keys["quarantine"])]
    code, out, err = show(capsysbinary, *key, str(broken))
    assert code == 1
    assert f"{broken}:3 (entry for {entries[2]['source']} line {entries[2]['line']}" in err
    assert "does not open" in err and err.count("does not open") == 1 and "Traceback" not in err
    assert len(out.splitlines()) == len(entries) and b"<seal broken>" in out.splitlines()[2]
    # a sealed line moved to another entry (here: the next one's) does not open either: it is bound to its entry
    entries = [orjson.loads(line) for line in lines]
    entries[5]["raw_sealed"] = entries[4]["raw_sealed"]
    broken.write_bytes(b"\n".join(orjson.dumps(e) for e in entries) + b"\n")
    code, _, err = show(capsysbinary, *key, str(broken))
    assert code == 1 and f"{broken}:6 (entry for" in err and err.count("does not open") == 1


# --- refusals ------------------------------------------------------------------------------------


def test_the_pseudonym_key_cannot_be_the_quarantine_key(
    keys: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = key_file(tmp_path, "copy.key", TEST_KEY_HEX)  # the same material in another file
    monkeypatch.setenv("QUARANTINE_KEY", TEST_KEY_HEX.upper())
    for option in (["--quarantine-key-file", str(copy)], ["--quarantine-key-env", "QUARANTINE_KEY"]):
        capsys.readouterr()
        assert run(tmp_path, keys, *option) == 2
        err = capsys.readouterr().err
        assert "quarantine key: it is the pseudonym key" in err and TEST_KEY_HEX not in err.lower()
    assert not (tmp_path / "sandbox").exists() and not (tmp_path / "quarantine").exists()


def test_hash_only_and_a_quarantine_key_exclude_each_other(
    keys: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tmp_path, keys, "--quarantine-hash-only", "--quarantine-key-file", str(keys["quarantine"])) == 2
    assert "--quarantine-hash-only and --quarantine-key-file exclude each other" in capsys.readouterr().err
    assert not (tmp_path / "sandbox").exists()


def test_a_quarantine_key_file_others_can_read_is_refused(
    keys: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    loose = key_file(tmp_path, "loose.key", QUARANTINE_KEY_HEX)
    loose.chmod(0o644)
    assert run(tmp_path, keys, "--quarantine-key-file", str(loose)) == 2
    assert f"quarantine key: key file {loose} has mode 0644" in capsys.readouterr().err
    assert run(tmp_path, keys, "--quarantine-key-env", "SCRUBBER_NO_SUCH_VARIABLE") == 2
    assert "environment variable SCRUBBER_NO_SUCH_VARIABLE (--quarantine-key-env) is not set" in capsys.readouterr().err


def test_stream_refuses_the_same_key_and_hash_only_with_a_key(
    keys: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["stream", "--bootstrap-servers", "127.0.0.1:1", "--topic", "t", "--group", "g", "--catalogue", "strict"]
    base += ["--key-file", str(keys["pseudonym"]), "--output", str(tmp_path / "s"), "--quarantine", str(tmp_path / "q")]
    base += ["--stop-when-idle", "1"]
    assert cli([*base, "--quarantine-key-file", str(keys["pseudonym"])]) == 2
    assert "quarantine key: it is the pseudonym key" in capsys.readouterr().err
    assert cli([*base, "--quarantine-key-file", str(keys["quarantine"]), "--quarantine-hash-only"]) == 2
    assert "exclude each other" in capsys.readouterr().err
    assert not (tmp_path / "s").exists()


def test_stream_seals_a_rejected_message_with_its_topic_partition_and_offset() -> None:
    from scrubber.catalogue import load_catalogue
    from scrubber.pipelines.stream import ScrubMessagesFn
    from scrubber.sealing import Sealer
    from scrubber.streaming.messages import KafkaMessage

    quarantine_key = make_key(bytes.fromhex(QUARANTINE_KEY_HEX))
    fn = ScrubMessagesFn(
        load_catalogue("strict"), make_key(bytes.fromhex(TEST_KEY_HEX)), 1000, False, quarantine_key=quarantine_key
    )
    assert QUARANTINE_KEY_HEX not in repr(fn) + repr(vars(fn)).lower()
    fn.setup()
    (scrubbed,) = fn.process(KafkaMessage("logs", 3, 41, 0, b"user=ingrid@example.com not json"))
    entry = scrubbed.quarantine
    assert entry is not None and "raw" not in entry and entry["seal_key_id"] == QUARANTINE_KEY_ID
    assert (entry["topic"], entry["partition"], entry["offset"], entry["line"]) == ("logs", 3, 41, 41)
    assert Sealer(quarantine_key).open_entry(entry) == b"user=ingrid@example.com not json"


def test_the_quarantine_key_is_never_shown_by_the_objects_that_carry_it() -> None:
    from scrubber.catalogue import load_catalogue
    from scrubber.pipelines.transforms import ScrubFn
    from scrubber.records import Quarantiner
    from scrubber.sealing import Sealer

    quarantine_key = make_key(bytes.fromhex(QUARANTINE_KEY_HEX))
    fn = ScrubFn(load_catalogue("strict"), key=make_key(bytes.fromhex(TEST_KEY_HEX)), quarantine_key=quarantine_key)
    fn.setup()
    shown = [
        repr(fn),
        str(fn),
        repr(vars(fn)),
        repr(Quarantiner(seal_key=quarantine_key)),
        repr(Sealer(quarantine_key)),
    ]
    assert not [text for text in shown if QUARANTINE_KEY_HEX in text.lower()]
    assert QUARANTINE_KEY_ID in repr(Quarantiner(seal_key=quarantine_key))


# --- replay --------------------------------------------------------------------------------------


@pytest.fixture
def narrow_site(tmp_path: Path, keys: dict[str, Path]) -> Path:
    """A sealed quarantine from the narrow catalogue (it rejects a status of 400 or more), ready to replay."""
    (tmp_path / "raw").mkdir()
    for name in DAY_FILES[:2]:
        shutil.copy(FIXTURES / name, tmp_path / "raw" / name)
    (tmp_path / "narrow.yaml").write_text(NARROW)
    code = replay(
        tmp_path, keys, "raw/", "--quarantine-key-file", str(keys["quarantine"]), "--max-quarantine-rate", "0.9"
    )
    assert code == 0
    return tmp_path


def replay(site: Path, keys: dict[str, Path], inputs: str, *extra: str) -> int:
    catalogue = str(site / "narrow.yaml") if inputs == "raw/" else "strict"
    return cli(
        [
            "run",
            "--incremental",
            "--input",
            str(site / inputs),
            "--output",
            str(site / "sandbox"),
            "--quarantine",
            str(site / "quarantine"),
            "--catalogue",
            catalogue,
            "--key-file",
            str(keys["pseudonym"]),
            "--format",
            "jsonl",
            "--quiet",
            *extra,
        ]
    )


def sandbox_count(site: Path) -> int:
    return sum(len(p.read_bytes().splitlines()) for p in (site / "sandbox").glob("part-*.jsonl"))


def latest_audit(site: Path) -> dict[str, Any]:
    return orjson.loads((site / "sandbox" / "_audit.json").read_bytes())


def sorted_entries(site: Path) -> list[bytes]:
    return sorted(orjson.dumps(e, option=orjson.OPT_SORT_KEYS) for e in quarantine_entries(site / "quarantine"))


def test_a_replay_with_the_quarantine_key_recovers_records_and_seals_the_rest_again(
    narrow_site: Path, keys: dict[str, Path]
) -> None:
    before = quarantine_entries(narrow_site / "quarantine")
    raws = input_lines(before)
    out_before = sandbox_count(narrow_site)
    assert replay(narrow_site, keys, "quarantine/", "--quarantine-key-file", str(keys["quarantine"])) == 0
    after = quarantine_entries(narrow_site / "quarantine")
    recovered = sandbox_count(narrow_site) - out_before
    assert recovered > 0 and recovered + len(after) == len(before)
    assert all("raw" not in e and e["seal_key_id"] == QUARANTINE_KEY_ID for e in after)  # sealed again
    old = {(e["source"], e["line"]): e["raw_sealed"] for e in before}
    assert all(old[(e["source"], e["line"])] != e["raw_sealed"] for e in after)  # a new nonce
    stored = files_bytes(narrow_site / "quarantine", narrow_site / "sandbox")
    assert not [raw for raw in raws.values() if len(raw.strip()) >= 12 and raw in stored]


def test_a_replay_without_the_key_or_with_another_keeps_the_entries_unchanged(
    narrow_site: Path, keys: dict[str, Path]
) -> None:
    before = sorted_entries(narrow_site)
    out_before = sandbox_count(narrow_site)
    assert replay(narrow_site, keys, "quarantine/") == 0
    assert sorted_entries(narrow_site) == before and sandbox_count(narrow_site) == out_before
    assert latest_audit(narrow_site)["quarantine_reasons"] == {"replay_sealed_without_key": len(before)}
    assert replay(narrow_site, keys, "quarantine/", "--quarantine-key-file", str(keys["other"])) == 0
    assert sorted_entries(narrow_site) == before and sandbox_count(narrow_site) == out_before
    assert latest_audit(narrow_site)["quarantine_reasons"] == {"replay_sealed_with_other_key": len(before)}


def test_a_replayed_entry_whose_seal_was_changed_stays_as_it_was(narrow_site: Path, keys: dict[str, Path]) -> None:
    shard = next((narrow_site / "quarantine").glob("part-*.jsonl"))
    entries = [orjson.loads(line) for line in shard.read_bytes().splitlines()]
    entries[0]["reason"] = "edited"  # the reason is bound to the sealed line: it no longer opens
    shard.write_bytes(b"\n".join(orjson.dumps(e) for e in entries) + b"\n")
    assert replay(narrow_site, keys, "quarantine/", "--quarantine-key-file", str(keys["quarantine"])) == 0
    assert latest_audit(narrow_site)["quarantine_reasons"].get("replay_seal_broken") == 1
    assert orjson.dumps(entries[0], option=orjson.OPT_SORT_KEYS) in sorted_entries(narrow_site)
