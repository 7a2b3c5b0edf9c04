"""Whole-run failures (missing input, unwritable output, ...): each case makes its files and says how the run fails."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import TEST_KEY_HEX


@dataclass(frozen=True)
class RunCase:
    name: str
    kind: str
    setup: Callable[[Path], list[str]]  # makes the files; returns the run's argv (after "run")
    code: int
    message: str  # must be in stderr
    privileged: bool = False  # needs permission bits to apply (see no_dac_override)


def common(base: Path, inputs: str, output: str = "sandbox", quarantine: str = "quarantine") -> list[str]:
    (base / "key").write_text(TEST_KEY_HEX + "\n")
    (base / "key").chmod(0o600)
    return [
        "--input",
        inputs,
        "--output",
        str(base / output),
        "--quarantine",
        str(base / quarantine),
        "--catalogue",
        "pseudonymous",
        "--key-file",
        str(base / "key"),
        "--quiet",
    ]


def good_input(base: Path) -> str:
    (base / "in.jsonl").write_text('{"ts": 1795428902, "prompt": "mail run.user@example.org"}\n')
    return str(base / "in.jsonl")


def setup_missing(base: Path) -> list[str]:
    return common(base, str(base / "no-such-dir" / "*.jsonl"))


def setup_missing_file(base: Path) -> list[str]:
    return common(base, str(base / "gone.jsonl"))


def setup_empty_dir(base: Path) -> list[str]:
    (base / "logs").mkdir()
    (base / "logs" / ".hidden.jsonl").write_text('{"ts": 1}\n')
    return common(base, str(base / "logs"))


def setup_output_below_a_file(base: Path) -> list[str]:
    (base / "afile").write_text("not a directory\n")
    return common(base, good_input(base), output="afile/sandbox")


def setup_output_is_a_file(base: Path) -> list[str]:
    (base / "sandbox").write_text("a file where the sandbox should be\n")
    return common(base, good_input(base))


def setup_read_only_output(base: Path) -> list[str]:
    (base / "sandbox").mkdir()
    (base / "sandbox").chmod(0o555)
    return common(base, good_input(base))


def setup_read_only_quarantine(base: Path) -> list[str]:
    (base / "quarantine").mkdir()
    (base / "quarantine").chmod(0o555)
    return common(base, good_input(base))


def setup_unreadable_input(base: Path) -> list[str]:
    path = Path(good_input(base))
    path.chmod(0)
    return common(base, str(path))


RUN_CASES: list[RunCase] = [
    RunCase(
        "missing_input",
        "a missing input path (glob under a missing directory)",
        setup_missing,
        3,
        "no input file matches",
    ),
    RunCase("missing_input_file", "a missing input file", setup_missing_file, 3, "no input file matches"),
    RunCase(
        "empty_input_dir", "an input directory with no (visible) files", setup_empty_dir, 3, "no input file matches"
    ),
    RunCase(
        "output_below_a_file",
        "an unwritable output: its parent is a regular file",
        setup_output_below_a_file,
        3,
        "cannot create directory",
    ),
    RunCase(
        "output_is_a_file",
        "an unwritable output: it is a regular file",
        setup_output_is_a_file,
        3,
        "cannot create directory",
    ),
    RunCase(
        "read_only_output",
        "an unwritable output: a read-only directory",
        setup_read_only_output,
        3,
        "Permission denied",
        privileged=True,
    ),
    RunCase(
        "read_only_quarantine",
        "an unwritable quarantine: a read-only directory",
        setup_read_only_quarantine,
        3,
        "Permission denied",
        privileged=True,
    ),
    RunCase(
        "unreadable_input",
        "an input file without read permission",
        setup_unreadable_input,
        3,
        "Nothing was published",
        privileged=True,
    ),
]
