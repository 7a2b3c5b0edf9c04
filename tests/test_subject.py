"""``scrubber subject``: a data subject's pseudonyms, the records holding them, and their erasure.

Every test goes through the CLI on a sandbox that ``scrubber run`` made from fixtures/e2e (built once per
format, copied per test). Expected pseudonyms are recomputed from the documented derivation and expected
records are found from the fixture's truth, independently of the code under test.
"""

from __future__ import annotations

import gzip
import io
import re
import shutil
import sys
import unicodedata
import uuid
from pathlib import Path
from typing import Any

import blake3
import orjson
import pyarrow.parquet as pq
import pytest

from scrubber.cli import main as cli
from scrubber.keys import key_id_of
from tests.conftest import TEST_KEY_HEX
from tests.reliability.helpers import pseudonym

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "e2e"
RAW_JSONL = FIXTURES / "e2e-gateway-2026-11-23.jsonl"
RAW_TEXT = RAW_JSONL.read_bytes().decode("utf-8", "replace")  # one line holds invalid UTF-8 on purpose
TRUTH = orjson.loads((FIXTURES / "truth.json").read_bytes())
# A user id in mixed case (the user rule folds case) and a session id of another record, both from the raw lines.
USER = "Sofia.Jansen188@E2E-Mail.Example"
SESSION = "sess_fd8adda68820c894"
# An e-mail that only a quarantined (not JSON) line of the raw fixture holds.
QUARANTINED = "jonas.garcia471@e2e-mail.example"
NEW_KEY_HEX = "ebfc55a6ddf152fa0f671d21ab6331c1588fdaffb5df5820b2942d213d828fe0"
TEST_KEY_ID = key_id_of(bytes.fromhex(TEST_KEY_HEX))
LOOKUP_LINE = re.compile(r"^  (\S+)\s+key ([0-9a-f]{16}) \((current|retired)\)  (\S+)  \[(.*)\]$")


def user_pseudonym(value: str, key_hex: str = TEST_KEY_HEX) -> str:
    return pseudonym("user", unicodedata.normalize("NFKC", value.strip()).lower(), key_hex)


def request_pseudonym(value: str) -> str:
    return pseudonym("request", str(uuid.UUID(value.strip().lower())))


def expected_requests() -> set[str]:
    """request_id pseudonyms of the good records holding USER or SESSION, from the fixture's truth."""
    wanted = []
    for record in TRUTH["records"]:
        user = record["user_id"]
        user_text = str(user) if isinstance(user, int) else unicodedata.normalize("NFKC", user.strip()).lower()
        if user_text == USER.lower() or record["session_id"].strip() == SESSION:
            wanted.append(request_pseudonym(record["request_id"]))
    return set(wanted)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, key_file: Path) -> Any:
    """A function fmt -> the directory holding sandbox/ and quarantine/ of one run (each format run once)."""
    cache: dict[str, Path] = {}

    def build(fmt: str) -> Path:
        if fmt not in cache:
            base = tmp_path_factory.mktemp(f"run-{fmt}")
            code = cli(
                [
                    "run",
                    "--input",
                    str(FIXTURES / "e2e-*"),
                    "--output",
                    str(base / "sandbox"),
                    "--quarantine",
                    str(base / "quarantine"),
                    "--catalogue",
                    "pseudonymous",
                    "--key-file",
                    str(key_file),
                    "--quiet",
                    "--format",
                    fmt,
                ]
            )
            assert code == 0
            cache[fmt] = base
        return cache[fmt]

    return build


@pytest.fixture
def run_copy(built: Any, tmp_path: Path) -> Any:
    """A function fmt -> a private copy of that run's directory, for tests that change it."""

    def copy(fmt: str) -> Path:
        target = tmp_path / fmt
        shutil.copytree(built(fmt), target)
        return target

    return copy


def subject(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = cli(["subject", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def ids_file(tmp_path: Path, *values: str) -> str:
    path = tmp_path / "ids.txt"
    path.write_text("".join(f"  {value}\n\n" for value in values))  # whitespace and blank lines are ignored
    return str(path)


def lookups(out: str) -> list[tuple[str, str, str, str, str]]:
    """(namespace, key id, status, pseudonym, fields) of every lookup line."""
    return [m.groups() for line in out.splitlines() if (m := LOOKUP_LINE.match(line))]  # type: ignore[misc]


def shard(directory: Path) -> Path:
    (path,) = [p for p in directory.iterdir() if p.name.startswith("part-")]
    return path


def rows_of(path: Path) -> list[dict[str, Any]]:
    if path.suffix == ".parquet":
        return list(pq.read_table(path).to_pylist())
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def listed_rows(out: str, path: Path) -> list[int]:
    return sorted(int(m.group(1)) for m in re.finditer(rf"^{re.escape(str(path))}:(\d+): ", out, re.M))


# --- lookups -------------------------------------------------------------------------------------


def test_printed_pseudonyms_are_the_ones_the_run_wrote(
    built: Any, key_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox = built("jsonl") / "sandbox"
    assert USER in RAW_TEXT and SESSION in RAW_TEXT
    code, out, err = subject(
        capsys, "--ids-file", ids_file(tmp_path, USER, SESSION), "--sandbox", str(sandbox), "--key-file", str(key_file)
    )
    assert code == 0, err
    found = {(ns, pseudo) for ns, key_id, status, pseudo, _ in lookups(out) if key_id == TEST_KEY_ID}
    assert ("user", user_pseudonym(USER)) in found
    assert ("session", pseudonym("session", SESSION)) in found
    assert {"request", "session", "user"} == {ns for ns, _ in found}
    written = {r["user_id"] for r in rows_of(shard(sandbox))} | {r["session_id"] for r in rows_of(shard(sandbox))}
    assert user_pseudonym(USER) in written and pseudonym("session", SESSION) in written
    assert "identifier #1 (32 characters)" in out and "identifier #2 (21 characters)" in out
    for text in (out, err):  # identifiers only masked
        assert USER.lower() not in text.lower() and SESSION not in text


def test_lookup_without_sandbox_needs_only_a_catalogue(key_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = subject(capsys, "--id", "99134371507", "--catalogue", "pseudonymous", "--key-file", str(key_file))
    assert code == 0
    assert ("user", TEST_KEY_ID, "current", pseudonym("user", "99134371507"), "user_id") in lookups(out)
    assert "99134371507" not in out


def test_a_key_ring_prints_current_and_retired_key_ids(
    built: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ring = tmp_path / "ring.key"
    ring.write_text(f"# rotated 2026-12\n{NEW_KEY_HEX}\n{TEST_KEY_HEX}  # the key the sandbox was made with\n")
    ring.chmod(0o600)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(f"{USER}\n".encode())))
    sandbox = built("jsonl") / "sandbox"
    code, out, err = subject(
        capsys, "--ids-file", "-", "--namespace", "user", "--sandbox", str(sandbox), "--key-file", str(ring)
    )
    assert code == 0, err
    new_id = key_id_of(bytes.fromhex(NEW_KEY_HEX))
    assert lookups(out) == [
        ("user", new_id, "current", user_pseudonym(USER, NEW_KEY_HEX), "user_id"),
        ("user", TEST_KEY_ID, "retired", user_pseudonym(USER), "user_id"),
    ]
    assert "1 records in 1 of 1 files" in out  # found through the retired key

    code, out, _ = subject(
        capsys, "--id", USER, "--catalogue", "pseudonymous", "--key-file", str(ring), "--key-id", new_id
    )
    assert code == 0
    assert {key_id for _, key_id, *_ in lookups(out)} == {new_id}


def test_salted_rules_cannot_be_looked_up(key_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    catalogue = tmp_path / "salted.yaml"
    catalogue.write_text(
        "catalogue: salted\nextends: pseudonymous\nrules:\n"
        "  - {field: x_debug.owner, op: pseudonymize, namespace: owner, salt: per_record}\n"
    )
    base = ["--id", USER, "--catalogue", str(catalogue), "--key-file", str(key_file)]
    code, out, _ = subject(capsys, *base)
    assert code == 0
    assert "not looked up: namespace owner (x_debug.owner) uses salt: per_record" in out
    assert "owner" not in {ns for ns, *_ in lookups(out)}

    code, out, err = subject(capsys, *base, "--namespace", "owner")
    assert code == 2
    assert "salt: per_record" in err and USER.lower() not in err.lower()


# --- finding records -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_listing_finds_exactly_the_records_with_the_values(
    fmt: str, built: Any, key_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = shard(built(fmt) / "sandbox")
    wanted = expected_requests()
    assert len(wanted) == 2
    rows = [n for n, r in enumerate(rows_of(path), 1) if r["request_id"] in wanted]
    code, out, err = subject(
        capsys,
        "--ids-file",
        ids_file(tmp_path, USER, SESSION),
        "--sandbox",
        str(path.parent),
        "--key-file",
        str(key_file),
    )
    assert code == 0, err
    assert listed_rows(out, path) == rows
    assert f"{path}:{rows[0]}: " in out and ("user_id [user]" in out and "session_id [session]" in out)
    assert f"{path}: 2 records" in out and "2 records in 1 of 1 files" in out


def test_listing_searches_partitions_and_nested_values_and_skips_hidden_paths(
    run_copy: Any, key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox = run_copy("jsonl") / "sandbox"
    line = orjson.dumps({"meta": {"notes": [f"see {user_pseudonym(USER)}"]}}) + b"\n"
    for name in ("dt=2026-11-23/part-x.jsonl", "_private/part-y.jsonl", "dt=2026-11-24/.part-z.jsonl.tmp"):
        (sandbox / name).parent.mkdir(parents=True, exist_ok=True)
        (sandbox / name).write_bytes(b'{"other": "row"}\n' + line)
    (sandbox / ".scrubber-tmp-20261123T000000Z-00000000").mkdir()
    code, out, err = subject(capsys, "--id", USER, "--sandbox", str(sandbox), "--key-file", str(key_file))
    assert code == 0
    assert f"{sandbox}/dt=2026-11-23/part-x.jsonl:2: meta.notes[0] [user]" in out
    assert "_private" not in out and ".part-z" not in out
    assert "2 records in 2 of 2 files" in out
    assert ".scrubber-tmp-20261123T000000Z-00000000" in err and "not searched" in err


def test_nothing_found_is_success_and_says_so(built: Any, key_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sandbox = built("jsonl") / "sandbox"
    code, out, _ = subject(capsys, "--id", "nobody@example.org", "--sandbox", str(sandbox), "--key-file", str(key_file))
    assert code == 0
    assert "no records found in 1 files" in out


# --- erasure -------------------------------------------------------------------------------------


def erasure_of(sandbox: Path) -> dict[str, Any]:
    (path,) = (sandbox / "_erasures").iterdir()
    assert re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{8}\.json", path.name)
    return dict(orjson.loads(path.read_bytes()))


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_delete_removes_exactly_those_rows_and_records_the_erasure(
    fmt: str, run_copy: Any, key_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = run_copy(fmt)
    sandbox = base / "sandbox"
    path = shard(sandbox)
    before_bytes = path.read_bytes()
    before_rows = rows_of(path)
    audit = (sandbox / "_audit.json").read_bytes()
    schema = pq.read_schema(path) if fmt == "parquet" else None
    wanted = expected_requests()
    args = ["--ids-file", ids_file(tmp_path, USER, SESSION), "--sandbox", str(sandbox), "--key-file", str(key_file)]

    code, out, err = subject(capsys, *args, "--delete")
    assert code == 0, err
    after_rows = rows_of(path)
    assert after_rows == [r for r in before_rows if r["request_id"] not in wanted]
    assert len(after_rows) == len(before_rows) - 2
    if fmt == "jsonl":  # the kept lines byte for byte
        kept = [
            line for line in before_bytes.splitlines(keepends=True) if orjson.loads(line)["request_id"] not in wanted
        ]
        assert path.read_bytes() == b"".join(kept)
    else:
        assert schema is not None and pq.read_schema(path).equals(schema, check_metadata=True)
        assert pq.ParquetFile(path).metadata.row_group(0).column(0).compression == "ZSTD"
    assert sorted(p.name for p in sandbox.iterdir()) == ["_audit.json", "_erasures", path.name]  # no temp file
    assert (sandbox / "_audit.json").read_bytes() == audit

    erasure = erasure_of(sandbox)
    assert erasure == {
        "erasure_version": 1,
        "erasure_id": erasure["erasure_id"],
        "at": erasure["at"],
        "key_ids": [TEST_KEY_ID],
        "namespaces": ["request", "session", "user"],
        "identifiers": 2,
        "records_removed": 2,
        "quarantine_entries_removed": 0,
        "shards": [
            {
                "path": path.name,
                "rows_before": len(before_rows),
                "rows_after": len(after_rows),
                "blake3_before": blake3.blake3(before_bytes).hexdigest(),
                "blake3_after": blake3.blake3(path.read_bytes()).hexdigest(),
                "bytes_after": path.stat().st_size,
            }
        ],
        "quarantine_shards": [],
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", erasure["at"])
    assert erasure["erasure_id"].startswith(erasure["at"].replace("-", "").replace(":", ""))
    text = (sandbox / "_erasures").joinpath(f"{erasure['erasure_id']}.json").read_text().lower()
    assert USER.lower() not in text and SESSION not in text
    assert user_pseudonym(USER) not in text and pseudonym("session", SESSION) not in text

    code, out, _ = subject(capsys, *args, "--delete")  # a re-run finds nothing and writes no new record
    assert code == 0
    assert "no records found" in out and "no erasure record written" in out
    assert len(list((sandbox / "_erasures").iterdir())) == 1


def test_delete_refuses_a_file_it_cannot_rewrite_before_changing_anything(
    run_copy: Any, key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox = run_copy("jsonl") / "sandbox"
    part = shard(sandbox)
    before = part.read_bytes()
    (sandbox / "extra.jsonl.gz").write_bytes(gzip.compress(orjson.dumps({"u": user_pseudonym(USER)}) + b"\n"))
    args = ["--id", USER, "--sandbox", str(sandbox), "--key-file", str(key_file)]
    code, out, _ = subject(capsys, *args)
    assert code == 0 and f"{sandbox}/extra.jsonl.gz:1: u [user]" in out  # gzip is searched
    code, _, err = subject(capsys, *args, "--delete")
    assert code == 3
    assert "a gzip file cannot be rewritten" in err and "nothing was deleted" in err
    assert part.read_bytes() == before and not (sandbox / "_erasures").exists()


def test_quarantine_entries_with_the_identifier_are_listed_and_removed(
    run_copy: Any, key_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = run_copy("jsonl")
    sandbox, quarantine = base / "sandbox", base / "quarantine"
    path = shard(quarantine)
    lines = path.read_bytes().splitlines(keepends=True)
    holding = [n for n, line in enumerate(lines, 1) if QUARANTINED in orjson.loads(line)["raw"]]
    assert len(holding) == 1 and QUARANTINED in RAW_TEXT
    hash_only = quarantine / "part-hashed.jsonl"
    hash_only.write_bytes(
        orjson.dumps({"source": "x", "line": 1, "reason": "not_json", "raw_blake3": "0" * 64}) + b"\n"
    )
    args = ["--ids-file", ids_file(tmp_path, QUARANTINED), "--sandbox", str(sandbox), "--quarantine", str(quarantine)]
    args += ["--key-file", str(key_file)]

    code, out, err = subject(capsys, *args)
    assert code == 0
    assert f"{path}:{holding[0]}: raw holds identifier #1" in out
    assert "1 quarantine entries in 1 of 2 files" in out
    assert f'{hash_only}: 1 entries could not be searched: a hash-only entry ("raw_blake3"' in err

    code, out, err = subject(capsys, *args, "--delete")
    assert code == 0, err
    assert path.read_bytes() == b"".join(line for n, line in enumerate(lines, 1) if n not in holding)
    erasure = erasure_of(sandbox)
    assert erasure["records_removed"] == 0 and erasure["shards"] == []
    assert erasure["quarantine_entries_removed"] == 1
    assert erasure["quarantine_shards"] == [
        {
            "path": path.name,
            "rows_before": len(lines),
            "rows_after": len(lines) - 1,
            "blake3_before": blake3.blake3(b"".join(lines)).hexdigest(),
            "blake3_after": blake3.blake3(path.read_bytes()).hexdigest(),
            "bytes_after": path.stat().st_size,
        }
    ]
    assert QUARANTINED not in (sandbox / "_erasures").joinpath(f"{erasure['erasure_id']}.json").read_text()


# --- usage errors --------------------------------------------------------------------------------


def test_an_unknown_key_id_is_a_usage_error(key_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = subject(
        capsys, "--id", USER, "--catalogue", "pseudonymous", "--key-file", str(key_file), "--key-id", "0123456789abcdef"
    )
    assert code == 2
    assert "unknown key id '0123456789abcdef'" in err and TEST_KEY_ID in err
    assert USER.lower() not in (out + err).lower() and TEST_KEY_HEX not in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--id", USER, "--catalogue", "pseudonymous", "--delete"], "--delete needs --sandbox"),
        (["--catalogue", "pseudonymous"], "no identifiers"),
        (["--id", "  ", "--catalogue", "pseudonymous"], "no identifiers"),
        (["--id", USER], "pass --catalogue"),
        (["--id", USER, "--catalogue", "pseudonymous", "--namespace", "email"], "no pseudonymize rule in namespace"),
        (["--catalogue", "pseudonymous", USER], "unrecognized arguments (not shown"),
    ],
)
def test_bad_usage_exits_2_without_showing_identifiers(
    argv: list[str], message: str, key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = subject(capsys, *argv, "--key-file", str(key_file))
    assert code == 2
    assert message in err
    assert USER.lower() not in (out + err).lower()


def test_a_missing_sandbox_is_an_io_failure(key_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = subject(
        capsys,
        "--id",
        USER,
        "--catalogue",
        "pseudonymous",
        "--sandbox",
        str(tmp_path / "nope"),
        "--key-file",
        str(key_file),
    )
    assert code == 3
    assert "no such directory" in err


def test_help_teaches_the_limits(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = subject(capsys, "--help")
    assert code == 0
    for phrase in ("--ids-file", "shell history", "per_record", "raw logs", "brings the", "exit codes", "examples"):
        assert phrase in out
