"""The plan tree: conflicting rules (two for one field, one on an object and one inside it) are errors."""

from __future__ import annotations

from tests.catalogue.helpers import check


def test_duplicate_rule_for_a_field(tmp_path, test_key):
    message = check(
        tmp_path,
        test_key,
        """\
        catalogue: t
        rules:
          - {field: ts, op: epoch_second}
          - {field: ts, op: drop}
        """,
    )
    assert "broken.yaml:4: rule for 'ts': 'ts' already has a rule at" in message
    assert "broken.yaml:3" in message


def test_leaf_and_children_conflict(tmp_path, test_key):
    message = check(
        tmp_path,
        test_key,
        """\
        catalogue: t
        rules:
          - {field: client, op: drop}
          - {field: client.ip, op: truncate_ip}
        """,
    )
    assert "broken.yaml:4: rule for 'client.ip': 'client' has a rule of its own at" in message
