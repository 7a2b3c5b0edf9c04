"""``scrubber stream`` without engines: --help, and the usage errors that come before any Kafka connection."""

from __future__ import annotations

from pathlib import Path

import pytest

from scrubber.cli import main
from tests.conftest import TEST_KEY_HEX


def test_help_teaches_runners_timestamps_and_flushing(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stream", "--help"]) == 0
    text = capsys.readouterr().out
    for words in ("--bootstrap-servers", "--stop-when-idle", "LogAppendTime", "LOOPBACK", "exit codes"):
        assert words in text


def _args(tmp_path: Path, *extra: str) -> list[str]:
    key = tmp_path / "key"
    key.write_text(TEST_KEY_HEX)
    key.chmod(0o600)
    return [
        "stream",
        "--bootstrap-servers",
        "127.0.0.1:1",
        "--topic",
        "t",
        "--group",
        "g",
        "--catalogue",
        "pseudonymous",
        "--key-file",
        str(key),
        *extra,
    ]


def test_a_local_runner_needs_a_bounded_catch_up(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(_args(tmp_path, "--output", str(tmp_path / "s"), "--quarantine", str(tmp_path / "q")))
    assert code == 2
    assert "--stop-when-idle" in capsys.readouterr().err
    assert not (tmp_path / "s").exists()


def test_the_quarantine_is_never_inside_the_sandbox(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = _args(tmp_path, "--output", str(tmp_path / "s"), "--quarantine", str(tmp_path / "s" / "q"))
    assert main([*args, "--stop-when-idle", "1"]) == 2
    assert "separate directories" in capsys.readouterr().err


def test_missing_options_are_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stream", "--topic", "t"]) == 2
    assert "--bootstrap-servers" in capsys.readouterr().err
