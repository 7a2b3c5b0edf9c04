"""Broken catalogues and their exact error text (file, line, rule and a fix), and the catalogue digest."""

from __future__ import annotations

import hashlib

from scrubber.catalogue import parse_catalogue
from tests.catalogue.helpers import check


def test_unknown_parameter_names_file_line_and_fix(tmp_path, test_key):
    message = check(
        tmp_path,
        test_key,
        """\
        catalogue: t
        rules:
          - field: ts
            op: epoch_second
          - field: client.ip
            op: truncate_ip
            v4_prefx: 24
        """,
    )
    assert message.startswith(f"{tmp_path / 'broken.yaml'}:7: rules[1] (field client.ip, op truncate_ip)")
    assert "truncate_ip has no parameter 'v4_prefx'. Did you mean 'v4_prefix'?" in message
    assert "Example: - {field: client.ip, op: truncate_ip" in message


def test_unknown_operator(tmp_path, test_key):
    message = check(
        tmp_path,
        test_key,
        """\
        catalogue: t
        rules:
          - {field: user_id, op: hash, namespace: user}
        """,
    )
    assert ":3: rules[0] (field user_id, op hash): 'op' must be one of: keep, drop, pseudonymize" in message


def test_wrong_parameter_type(tmp_path, test_key):
    message = check(
        tmp_path,
        test_key,
        """\
        catalogue: t
        rules:
          - field: status
            op: int_range
            min: one hundred
            max: 599
        """,
    )
    assert ":5: rules[0] (field status, op int_range): parameter 'min'" in message
    assert "valid integer" in message


def test_out_of_range_parameter(tmp_path, test_key):
    message = check(
        tmp_path,
        test_key,
        """\
        catalogue: t
        rules:
          - {field: client.ip, op: truncate_ip, v6_prefix: 200}
        """,
    )
    assert ":3: rules[0] (field client.ip, op truncate_ip): parameter 'v6_prefix'" in message
    assert "less than or equal to 128" in message


def test_missing_required_parameter(tmp_path, test_key):
    message = check(
        tmp_path,
        test_key,
        """\
        catalogue: t
        rules:
          - {field: user_id, op: pseudonymize}
        """,
    )
    assert "parameter 'namespace': Field required" in message


def test_key_in_catalogue_is_rejected(tmp_path, test_key):
    message = check(
        tmp_path,
        test_key,
        """\
        catalogue: t
        key: 8f2a1c9e4b7d3f60a5e8c1b29d4f7a36e0b5c8d2f1a4e7b9c3d6f0a2e5b8c1d4
        rules:
          - {field: ts, op: epoch_second}
        """,
    )
    assert ":2: key: unknown key. A catalogue takes:" in message
    assert "8f2a1c9e" not in message


def test_duplicate_yaml_key(tmp_path, test_key):
    message = check(
        tmp_path,
        test_key,
        """\
        catalogue: t
        rules:
          - field: ts
            op: epoch_second
            op: drop
        """,
    )
    assert "broken.yaml:5: the key 'op' appears twice" in message


def test_not_yaml(tmp_path, test_key):
    message = check(tmp_path, test_key, "catalogue: t\nrules: [\n")
    assert "not valid YAML" in message


def test_empty_rules_fail_closed(tmp_path, test_key):
    assert "'rules' is empty" in check(tmp_path, test_key, "catalogue: t\nrules: []\n")
    assert "rules: Field required" in check(tmp_path, test_key, "catalogue: t\n")


def test_unknown_detector(tmp_path, test_key):
    message = check(
        tmp_path,
        test_key,
        """\
        catalogue: t
        rules:
          - {field: prompt, op: scan_text, detectors: [EMAIL, NOPE]}
        """,
    )
    assert "unknown detector(s) NOPE" in message


def test_digest_changes_with_content():
    one = parse_catalogue("catalogue: a\nrules: [{field: ts, op: epoch_second}]\n", "a")
    two = parse_catalogue("catalogue: a\nrules: [{field: ts, op: drop}]\n", "a")
    assert one.digest != two.digest and one.rule_lines == (2,)


def test_plain_digest_is_still_the_blake2b_of_the_text():
    """Audits written before `extends:` existed still verify: a catalogue without a base hashes as before."""
    text = "catalogue: a\nrules: [{field: ts, op: epoch_second}]\n"
    expected = "blake2b:" + hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
    assert parse_catalogue(text, "a").digest == expected
