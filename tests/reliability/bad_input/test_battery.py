"""Bad input battery (issue 7): broken, hostile and odd input through the real ``scrubber run``.

``CASES`` is one table. Each case writes one input file and says, line by line (or Parquet row by
row), what must become of it: quarantined with a reason and field (``Q``), or passed with exactly
this scrubbed record (``Out``). All case files go through ONE ``scrubber run`` in a subprocess (a
fresh interpreter, as an operator runs it). Then, per case:

- no crash: exit 0, no traceback, no ``internal_error_*`` reason;
- in = out + quarantined for the case's own file: every line is in exactly one of the two, at the
  expected place with the expected reason or the expected record;
- no planted identifier reaches the sandbox (its parts and its audit), also after NFKC and removing
  zero-width characters (so a look-alike spelling counts as a leak).

A passing line carries its own ``ts`` (``@TS@`` in a template: BASE + 100_000 * case + line); that is
how a sandbox row is traced back to its case and line. The cases are in ``line_cases.py`` (JSON lines) and
``file_cases.py`` (gzip, Parquet, empty and binary files). Whole-run failures (missing input, unwritable
output, ...) are the second table, ``RUN_CASES`` in ``run_cases.py``, each its own run (``test_whole_run.py``).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest

from scrubber.catalogue import load_catalogue
from tests.conftest import TEST_KEY_HEX
from tests.reliability.bad_input.file_cases import FILE_CASES
from tests.reliability.bad_input.line_cases import LINE_CASES, WRONG_TYPES
from tests.reliability.bad_input.model import BASE_TS, PER_CASE, Case, Out, Q, matches
from tests.reliability.bad_input.run_cases import RUN_CASES
from tests.reliability.helpers import (
    quarantine_entries,
    run_cli,
    sandbox_rows,
    sandbox_text,
    searchable,
)

CASES: list[Case] = [*LINE_CASES, *FILE_CASES]


CASE_INDEX = {case.name: i for i, case in enumerate(CASES)}


def ts_of(case: Case) -> Callable[[int], int]:
    base = BASE_TS + PER_CASE * CASE_INDEX[case.name]
    return lambda line: base + line


def file_name(case: Case) -> str:
    return f"{CASE_INDEX[case.name]:02d}-{case.name}{case.suffix}"


@dataclass
class Battery:
    proc: subprocess.CompletedProcess[str]
    sandbox: Path
    quarantine: Path
    audit: dict[str, Any]
    rows: dict[int, dict[str, Any]]  # ts -> sandbox row
    unattributed: list[dict[str, Any]]
    entries: dict[str, list[dict[str, Any]]]  # input file name -> its quarantine entries
    per_file: dict[str, dict[str, Any]]
    text: str


@pytest.fixture(scope="module")
def battery(tmp_path_factory: pytest.TempPathFactory) -> Battery:
    base = tmp_path_factory.mktemp("battery")
    inputs = base / "inputs"
    inputs.mkdir()
    for case in CASES:
        (inputs / file_name(case)).write_bytes(case.build(ts_of(case)))
    (base / "key").write_text(TEST_KEY_HEX + "\n")
    (base / "key").chmod(0o600)
    proc = run_cli(
        "run",
        "--input",
        str(inputs),
        "--output",
        str(base / "sandbox"),
        "--quarantine",
        str(base / "quarantine"),
        "--catalogue",
        "pseudonymous",
        "--key-file",
        str(base / "key"),
        "--quiet",
        "--batch-size",
        "50",
        "--max-quarantine-rate",
        "1",  # the battery is bad input on purpose: most of its lines belong in the quarantine
        cwd=base,
    )
    shutil.rmtree(inputs)  # 300 MB; everything below reads only the outputs
    sandbox, quarantine = base / "sandbox", base / "quarantine"
    audit = orjson.loads((sandbox / "_audit.json").read_bytes()) if (sandbox / "_audit.json").exists() else {}
    rows: dict[int, dict[str, Any]] = {}
    unattributed = []
    for row in sandbox_rows(sandbox) if proc.returncode == 0 else []:
        ts = row.get("ts")
        if isinstance(ts, int) and ts not in rows and BASE_TS < ts < BASE_TS + PER_CASE * len(CASES):
            rows[ts] = row
        else:
            unattributed.append(row)
    entries: dict[str, list[dict[str, Any]]] = {}
    for entry in quarantine_entries(quarantine):
        entries.setdefault(Path(entry["source"]).name, []).append(entry)
    per_file = {Path(f["uri"]).name: f for f in audit.get("inputs", {}).get("per_file", [])}
    return Battery(proc, sandbox, quarantine, audit, rows, unattributed, entries, per_file, sandbox_text(sandbox))


def test_the_battery_run_succeeds_without_crash(battery: Battery) -> None:
    assert battery.proc.returncode == 0, battery.proc.stderr[-3000:]
    assert "Traceback" not in battery.proc.stderr and "internal_error" not in battery.proc.stderr
    assert not [r for r in battery.audit["quarantine_reasons"] if r.startswith("internal_error")]
    counts = battery.audit["counts"]
    assert counts["accounting"]["ok"], counts["accounting"]["problems"]
    assert counts["records_in"] == sum(len(c.expect) for c in CASES)
    assert battery.unattributed == []  # every sandbox row belongs to one line of one case
    assert sorted(p.name for p in battery.sandbox.iterdir()) == ["_audit.json", "part-00000-of-00001.parquet"]
    assert sorted(p.name for p in battery.quarantine.iterdir()) == ["part-00000-of-00001.jsonl"]


def case_params() -> list[Any]:
    marks = lambda c: [pytest.mark.xfail(strict=True, reason=c.xfail)] if c.xfail else []  # noqa: E731
    return [pytest.param(c, id=c.name, marks=marks(c)) for c in CASES]


@pytest.mark.parametrize("case", case_params())
def test_bad_input(battery: Battery, case: Case) -> None:
    assert battery.proc.returncode == 0, battery.proc.stderr[-3000:]
    name = file_name(case)
    ts = ts_of(case)
    # in = out + quarantined, for this case's own lines
    read = battery.per_file[name]
    assert read["lines"] + read["problems"] == len(case.expect)
    entries = {e["line"]: e for e in battery.entries.get(name, [])}
    assert len(entries) == len(battery.entries.get(name, []))  # one entry per line, never two
    passed = {ts(line) for line, outcome in enumerate(case.expect, start=1) if isinstance(outcome, Out)}
    mine = {t for t in battery.rows if ts(0) < t < ts(0) + PER_CASE}
    assert mine == passed
    assert len(entries) + len(mine) == len(case.expect)
    for line, outcome in enumerate(case.expect, start=1):
        if isinstance(outcome, Q):
            entry = entries.get(line)
            assert entry is not None, f"line {line}: expected in the quarantine"
            reasons = outcome.reason if isinstance(outcome.reason, tuple) else (outcome.reason,)
            assert entry["reason"] in reasons, f"line {line}"
            assert entry["field"] == outcome.field, f"line {line}"
            assert "raw" in entry
        else:
            assert line not in entries, f"line {line}: quarantined as {entries.get(line, {}).get('reason')}"
            row = dict(battery.rows[ts(line)])
            row.pop("ts")
            assert matches(row, outcome.record), f"line {line}: {str(row)[:300]}"
    # nothing planted reaches the sandbox (parts or audit), in any spelling
    leaked = [p for p in case.planted if searchable(p) in battery.text]
    assert leaked == []


def test_the_audit_names_no_unknown_key_and_no_value(battery: Battery) -> None:
    """Unknown fields are counted per parent path: key names (which can be personal data) never appear."""
    text = orjson.dumps(battery.audit).decode()
    assert "keyname.user" not in text and "203.0.113.99" not in text and "cookie.user" not in text
    assert battery.audit["unknown_fields_dropped"]["(record)"] >= 100_000


def test_every_keeping_rule_has_wrong_type_cases() -> None:
    catalogue = load_catalogue("pseudonymous")
    keeping = {r.field for r in catalogue.model.rules if r.op != "drop"}
    covered = {f for _, _, _, f in WRONG_TYPES}
    assert keeping <= covered, f"add WRONG_TYPES rows for {sorted(keeping - covered)}"


def test_the_table_has_at_least_thirty_kinds() -> None:
    assert len(CASES) + len(RUN_CASES) >= 30
    assert len({c.name for c in CASES}) == len(CASES)
    assert all(len(c.expect) < PER_CASE for c in CASES)
