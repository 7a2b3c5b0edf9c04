"""The small commands: check-rules, explain, keygen, help and exit codes."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest

from scrubber.cli import EXIT_OK, EXIT_USAGE, main
from tests.conftest import TEST_KEY_HEX


def test_check_rules_prints_rules_and_output_fields(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-rules", "rules/strict.yaml", "pseudonymous"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "epoch_second" in out and "truncate_ip" in out
    assert '"client":{"ip":"string"}' in out.replace(" ", "")
    assert "default deny" in out


def test_check_rules_fails_with_the_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("catalogue: t\nrules:\n  - {field: ts, op: epoch_secnd}\n")
    assert main(["check-rules", str(bad)]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert f"{bad}:3:" in err and "'op' must be one of" in err and "Did you mean 'epoch_second'" in err


def test_explain_masks_inputs_and_shows_rule_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record = tmp_path / "r.json"
    record.write_text(
        '{"ts": 1763892902, "user_id": "alice.secret@example.com", "client": {"ip": "203.0.113.9"},'
        ' "favourite": "alice.secret@example.com"}'
    )
    key = tmp_path / "k"
    key.write_text(TEST_KEY_HEX)
    key.chmod(0o600)
    assert main(["explain", "--catalogue", "pseudonymous", "--key-file", str(key), str(record)]) == EXIT_OK
    out = capsys.readouterr().out
    assert "alice.secret" not in out
    assert "203.0.113.0" in out and "dropped by default deny" in out
    assert re.search(r"pseudonymize\s*\(line \d+\)", out.replace("\n", " "))


def test_explain_reports_a_rejection(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record = tmp_path / "r.json"
    record.write_bytes(orjson.dumps({"status": "teapot"}))
    assert main(["explain", "--catalogue", "strict", str(record)]) == EXIT_OK
    out = capsys.readouterr().out
    assert "record rejected" in out and "status" in out and "teapot" not in out


def test_keygen_makes_a_usable_key(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keygen"]) == EXIT_OK
    first = capsys.readouterr().out.strip()
    assert main(["keygen"]) == EXIT_OK
    second = capsys.readouterr().out.strip()
    assert re.fullmatch(r"[0-9a-f]{64}", first) and first != second


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == EXIT_USAGE
    out = capsys.readouterr().out
    assert "check-rules" in out and "exit codes" in out


@pytest.mark.parametrize("command", ["check-rules", "explain", "keygen"])
def test_help_teaches_with_an_example(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    assert "example" in capsys.readouterr().out


def test_run_and_verify_help(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("run", "verify"):
        try:
            code = main([command, "--help"])
        except SystemExit as exc:
            code = exc.code  # type: ignore[assignment]
        assert code == 0
        assert "example" in capsys.readouterr().out.lower()


def test_check_rules_names_the_select_case_of_each_rule(capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")
    assert main(["check-rules", "openai-batch-input"]) == 0
    out = capsys.readouterr().out
    assert "body.prompt  [url: /v1/completions]" in out
    assert "quarantined (unlisted_value)" in out
