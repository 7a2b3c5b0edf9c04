"""Key hygiene (issue 7): a canary key never shows up anywhere, and bad keys are refused clearly.

The canary is searched for as lower- and upper-case hex, every 16-character piece of its hex, its raw
32 bytes and their base64 forms, in stdout, stderr (with Beam's DEBUG logging on), every file the run
wrote (sandbox parts, audit, quarantine, temporary files under TMPDIR) and decoded Parquet rows,
on successful runs and on every error path.
"""

from __future__ import annotations

import base64
import os
import resource
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import orjson
import pyarrow.parquet as pq
import pytest

from scrubber import Scrubber
from scrubber.cli import main as cli
from scrubber.errors import KeyMaterialError
from scrubber.keys import load_key, make_key
from tests.reliability.helpers import no_dac_override, run_cli

CANARY_HEX = "c0ffee5ca1ab1e0d15ea5e7e1105deadbeef0b5e55ed1dea5a1e5ca1ab1ec0de"
CANARY = bytes.fromhex(CANARY_HEX)
ROOT = Path(__file__).resolve().parents[2]
INPUT = ROOT / "fixtures" / "e2e"


def canary_forms() -> list[bytes]:
    forms = [
        CANARY,
        CANARY_HEX.encode(),
        CANARY_HEX.upper().encode(),
        base64.b64encode(CANARY),
        base64.urlsafe_b64encode(CANARY),
        base64.b64encode(CANARY).rstrip(b"="),
    ]
    forms += [CANARY_HEX[i : i + 16].encode() for i in range(len(CANARY_HEX) - 15)]
    return forms


FORMS = canary_forms()


def canary_in(data: bytes) -> list[str]:
    lowered = data.lower()
    return [form.decode("latin-1") for form in FORMS if form in data or (form.isascii() and form.lower() in lowered)]


def files_under(base: Path, skip: set[Path]) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for path in sorted(base.rglob("*")):
        if path.is_file() and path not in skip:
            data = path.read_bytes()
            found[str(path.relative_to(base))] = data
            if path.suffix == ".parquet" and data.startswith(b"PAR1"):
                found[f"{path.relative_to(base)} (rows)"] = orjson.dumps(pq.read_table(path).to_pylist())
    return found


def assert_no_canary(label: str, out: str, err: str, files: dict[str, bytes]) -> None:
    hits = {name: canary_in(data) for name, data in {"stdout": out.encode(), "stderr": err.encode(), **files}.items()}
    assert {name: h for name, h in hits.items() if h} == {}, label


# --- runs with the canary key -----------------------------------------------------------------------


@dataclass
class Scenario:
    name: str
    code: int
    out: str
    err: str
    files: dict[str, bytes]


def limit_file_size() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


def launch(
    base: Path,
    name: str,
    argv: list[str],
    *,
    env: dict[str, str] | None = None,
    key_in_file: bool = True,
    preexec: Callable[[], None] | None = None,
) -> Callable[[], Scenario]:
    """Start one CLI process (all scenarios run at once); the returned function waits for it."""
    home = base / name
    (home / "tmp").mkdir(parents=True)
    skip: set[Path] = set()
    if key_in_file:
        (home / "scrubber.key").write_text(CANARY_HEX + "\n")
        (home / "scrubber.key").chmod(0o600)
        skip.add(home / "scrubber.key")
    argv = [a.replace("{home}", str(home)) for a in argv]
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SCRUBBER_")}
    environ.update({"PYTHONPATH": str(ROOT), "TMPDIR": str(home / "tmp"), "SCRUBBER_LOG_LEVEL": "DEBUG", **(env or {})})
    proc = subprocess.Popen(
        [sys.executable, "-m", "scrubber.cli", *argv],
        cwd=home,
        env=environ,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=preexec,
    )

    def finish() -> Scenario:
        out, err = proc.communicate(timeout=600)
        return Scenario(name, proc.returncode, out, err, files_under(home, skip))

    return finish


RUN = [
    "run",
    "--input",
    str(INPUT / "e2e-*"),
    "--output",
    "{home}/sandbox",
    "--quarantine",
    "{home}/quarantine",
    "--catalogue",
    "pseudonymous",
]


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Scenario]:
    base = tmp_path_factory.mktemp("canary")
    bad_catalogue = base / "leaky.yaml"
    bad_catalogue.write_text(f"catalogue: leaky\nkey: {CANARY_HEX}\nrules:\n  - {{field: ts, op: epoch_second}}\n")
    broken_yaml = base / "broken.yaml"
    broken_yaml.write_text(f"catalogue: broken\nrules:\n  - {{field: ts, op: epoch_second, key: {CANARY_HEX}\n")
    record = base / "record.json"
    record.write_bytes((INPUT / "e2e-gateway-2026-11-23.jsonl").read_bytes().splitlines()[0])
    started = [
        launch(base, "file_debug_hash_only", [*RUN, "--key-file", "{home}/scrubber.key", "--quarantine-hash-only"]),
        launch(
            base,
            "env_default_with_table",
            [*RUN, "--format", "jsonl"],
            env={"SCRUBBER_KEY": CANARY_HEX, "SCRUBBER_LOG_LEVEL": ""},
            key_in_file=False,
        ),
        launch(
            base,
            "env_named_sink_fails",
            [*RUN, "--key-env", "MY_KEY", "--quiet"],
            env={"MY_KEY": CANARY_HEX},
            key_in_file=False,
            preexec=limit_file_size,
        ),
        launch(base, "bad_catalogue", [*RUN[:-1], str(bad_catalogue), "--key-file", "{home}/scrubber.key"]),
        launch(base, "broken_yaml", [*RUN[:-1], str(broken_yaml), "--key-file", "{home}/scrubber.key"]),
        launch(
            base,
            "missing_input",
            ["run", "--input", "{home}/nothing/*.jsonl", *RUN[3:], "--key-file", "{home}/scrubber.key"],
        ),
        launch(
            base,
            "explain",
            ["explain", "--catalogue", "pseudonymous", "--key-file", "{home}/scrubber.key", str(record)],
        ),
        launch(base, "check_rules_leaky", ["check-rules", str(bad_catalogue)], key_in_file=False),
    ]
    found = [finish() for finish in started]
    return {s.name: s for s in found}


EXPECTED_CODES = {
    "file_debug_hash_only": 0,
    "env_default_with_table": 0,
    "env_named_sink_fails": 3,
    "bad_catalogue": 2,
    "broken_yaml": 2,
    "missing_input": 3,
    "explain": 0,
    "check_rules_leaky": 2,
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(EXPECTED_CODES))
def test_the_canary_key_appears_nowhere(scenarios: dict[str, Scenario], name: str) -> None:
    s = scenarios[name]
    assert s.code == EXPECTED_CODES[name], s.err[-2000:]
    assert_no_canary(name, s.out, s.err, s.files)


@pytest.mark.slow
def test_the_scenarios_really_exercised_output_logs_and_errors(scenarios: dict[str, Scenario]) -> None:
    """Guards the test above against passing vacuously."""
    debug = scenarios["file_debug_hash_only"]
    assert "DEBUG:apache_beam" in debug.err  # Beam's own logging was on and searched
    names = set(debug.files)
    assert {
        "sandbox/_audit.json",
        "sandbox/part-00000-of-00001.parquet (rows)",
        "quarantine/part-00000-of-00001.jsonl",
    } <= names
    audit = orjson.loads(debug.files["sandbox/_audit.json"])
    assert len(audit["key_id"]) == 16 and audit["key_id"] not in CANARY_HEX
    assert "records out" in scenarios["env_default_with_table"].out  # the summary table was printed
    assert "cannot write" in scenarios["env_named_sink_fails"].err
    assert "unknown key" in scenarios["bad_catalogue"].err
    assert "not valid YAML" in scenarios["broken_yaml"].err
    assert "no input file matches" in scenarios["missing_input"].err
    assert "output" in scenarios["explain"].out


def test_key_objects_and_scrubbers_never_show_the_key() -> None:
    from scrubber.catalogue import load_catalogue
    from scrubber.pipelines.transforms import ScrubFn

    key = make_key(CANARY)
    scrubber = Scrubber.from_catalogue("pseudonymous", key=key)
    fn = ScrubFn(load_catalogue(ROOT / "rules" / "strict.yaml"), key=key)
    for text in (repr(key), str(key), repr(scrubber.key), repr(fn), str(fn), repr(vars(key)), f"{key!r:>10}"):
        assert not canary_in(text.encode()), text


# --- refusals --------------------------------------------------------------------------------------


SHORT_31 = CANARY_HEX[:62]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("31_bytes_hex", SHORT_31, "expected 64 hex characters or 32 raw bytes (found 62 characters"),
        ("16_bytes_hex", CANARY_HEX[:32], "32 characters of text are not a 32-byte key (a 16-byte key in hex"),
        ("passphrase_32", "correct horse battery staple 123", "32 characters of text are not a 32-byte key"),
        ("16_bytes_hex_newline", CANARY_HEX[:32] + "\n", "expected 64 hex characters or 32 raw bytes (found 32 char"),
        ("31_raw_bytes", CANARY[:31], "expected 64 hex characters or 32 raw bytes (found 31 characters"),
        ("33_raw_bytes", CANARY + b"!", "expected 64 hex characters or 32 raw bytes (found 33 characters"),
        ("not_hex", CANARY_HEX[:63] + "g", "expected 64 hex characters or 32 raw bytes"),
        ("empty", "", "found 0 characters"),
        ("weak", "00" * 32, "looks like a test or placeholder key"),
        ("two_keys", CANARY_HEX + "\n" + CANARY_HEX, "the same key is in the ring twice"),
    ],
)
def test_a_bad_key_file_is_refused_with_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: str | bytes, message: str
) -> None:
    key = tmp_path / "scrubber.key"
    key.write_bytes(content if isinstance(content, bytes) else content.encode())
    key.chmod(0o600)
    code = cli(
        [
            "run",
            "--input",
            str(INPUT / "e2e-*"),
            "--output",
            str(tmp_path / "s"),
            "--quarantine",
            str(tmp_path / "q"),
            "--catalogue",
            "strict",
            "--key-file",
            str(key),
            "--quiet",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"scrubber run: key file {key}: ") and message in err
    assert "secrets.token_hex(32)" in err or "Generate a random one" in err  # says how to fix it
    assert not canary_in(err.encode())
    assert not (tmp_path / "s").exists() and not (tmp_path / "q").exists()  # refused before anything is written


@pytest.mark.parametrize(
    ("env", "argv", "message"),
    [
        ({"SCRUBBER_KEY": SHORT_31}, [], "environment variable SCRUBBER_KEY: expected 64 hex characters"),
        ({"SCRUBBER_KEY": ""}, [], "environment variable SCRUBBER_KEY is not set"),
        ({}, [], "environment variable SCRUBBER_KEY is not set"),
        ({"MY_KEY": CANARY_HEX[:40]}, ["--key-env", "MY_KEY"], "environment variable MY_KEY: expected 64 hex"),
        ({"MY_KEY": CANARY_HEX}, ["--key-env", "MY_KEY", "--key-file", "x.key"], "give only one of"),
    ],
)
def test_a_bad_key_in_the_environment_is_refused_with_a_clear_message(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    argv: list[str],
    message: str,
) -> None:
    monkeypatch.delenv("SCRUBBER_KEY", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code = cli(
        [
            "run",
            "--input",
            str(INPUT / "e2e-*"),
            "--output",
            str(tmp_path / "s"),
            "--quarantine",
            str(tmp_path / "q"),
            "--catalogue",
            "strict",
            "--quiet",
            *argv,
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and message in err, err
    assert not canary_in(err.encode())
    assert not (tmp_path / "s").exists()


@pytest.mark.parametrize("kind", ["missing", "directory", "no_permission"])
def test_an_unreadable_key_file_is_refused_with_a_clear_message(tmp_path: Path, kind: str) -> None:
    key = tmp_path / "scrubber.key"
    prefix: list[str] = []
    reason = {
        "missing": "No such file or directory",
        "directory": "Is a directory",
        "no_permission": "Permission denied",
    }[kind]
    if kind == "directory":
        key.mkdir()
    elif kind == "no_permission":
        key.write_text(CANARY_HEX + "\n")
        key.chmod(0o600)
        key.chmod(0)
        prefix = no_dac_override()
    proc = run_cli(
        "run",
        "--input",
        str(INPUT / "e2e-*"),
        "--output",
        str(tmp_path / "s"),
        "--quarantine",
        str(tmp_path / "q"),
        "--catalogue",
        "strict",
        "--key-file",
        str(key),
        prefix=prefix,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip() == (
        f"scrubber run: cannot read key file {key}: {reason}. Check the path and its permissions."
    )
    assert not canary_in((proc.stdout + proc.stderr).encode())
    assert not (tmp_path / "s").exists()


def test_the_library_refuses_short_keys_without_echoing_them() -> None:
    for material in (CANARY[:31], CANARY[:16], b""):
        with pytest.raises(KeyMaterialError) as info:
            Scrubber.from_catalogue("strict", key=material)
        assert "exactly 32 bytes" in str(info.value) and not canary_in(str(info.value).encode())
    with pytest.raises(KeyMaterialError) as info:
        load_key(key_env="NO_SUCH_VARIABLE_FOR_SCRUBBER")
    assert "NO_SUCH_VARIABLE_FOR_SCRUBBER is not set" in str(info.value)
