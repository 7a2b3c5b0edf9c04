"""scan_json: JSON inside a string, or a subtree of any depth, decoded and scanned leaf by leaf.

Scanned as text, escaped JSON hid identifiers: ``"Bj\\u00f6rn Dupont"`` got through, and a non-ASCII
e-mail left ``tom\\`` in front of ``<EMAIL>``. Decoded first, both are caught; verify decodes too.
"""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest

from scrubber.operators import OPERATORS, Invalid
from scrubber.verify import Verifier
from tests.operators.helpers import make

ARGUMENTS = json.dumps(  # ensure_ascii: every non-ASCII letter escaped, as OpenAI tool arguments are
    {
        "name": "Björn Dupont",
        "email": "tomé@example.org",
        "note": "call +41 44 668 18 00 tomorrow",
        "card": 4111111111111111,
        "count": 3,
        "nested": {"deep": [{"ip": "203.0.113.7", "ok": True, "none": None}]},
        "anna.berg@example.org": "a key can be personal data too",
    }
)


def test_escaped_json_in_a_string_is_decoded_scanned_and_written_back_as_json(ctx) -> None:
    assert "\\u00f6" in ARGUMENTS and "\\u00e9" in ARGUMENTS
    out = make(ctx, op="scan_json")(ARGUMENTS)
    assert isinstance(out, str)
    decoded = orjson.loads(out)
    text = out.lower()
    for planted in ("björn", "dupont", "tomé", "tom\\", "668 18 00", "4111111111111111", "203.0.113.7", "anna.berg"):
        assert planted not in text, planted
    assert decoded["email"] == "<EMAIL>"
    assert decoded["card"] == "<CARD>" and decoded["count"] == 3
    assert decoded["nested"]["deep"][0]["ok"] is True and decoded["nested"]["deep"][0]["none"] is None
    assert "<EMAIL>" in decoded  # the key itself was replaced
    assert decoded["note"] == "call <PHONE> tomorrow"


def test_a_subtree_is_scanned_and_written_as_json_text(ctx) -> None:
    tree = {"type": "object", "properties": {"to": {"description": "mail bob@example.org"}}}
    out = make(ctx, op="scan_json")(tree)
    assert orjson.loads(out) == {"type": "object", "properties": {"to": {"description": "mail <EMAIL>"}}}


def test_a_string_that_is_not_json_is_invalid_or_scanned_as_text(ctx) -> None:
    with pytest.raises(Invalid, match="not_json"):
        make(ctx, op="scan_json")('{"cut": "mail bob@exa')
    assert make(ctx, op="scan_json", not_json="scan_text")('{"cut": "mail bob@example.org') == '{"cut": "mail <EMAIL>'


def test_limits(ctx) -> None:
    with pytest.raises(Invalid, match="too_long"):
        make(ctx, op="scan_json", max_length=10)('{"a": "0123456789"}')
    deep: object = "x"
    for _ in range(300):
        deep = [deep]
    with pytest.raises(Invalid, match="too_deep"):
        make(ctx, op="scan_json")(deep)


def test_it_writes_a_string_column() -> None:
    rule = OPERATORS["scan_json"].rule_model.model_validate({"field": "x", "op": "scan_json"})
    assert rule.arrow_type() == "string"


def test_verify_decodes_escaped_json_before_it_scans(tmp_path: Path) -> None:
    from scrubber.catalogue import parse_catalogue

    text = "catalogue: t\nrules:\n  - {field: args, op: scan_json}\n  - {field: prompt, op: scan_text}\n"
    verifier = Verifier(parse_catalogue(text, "t.yaml"))
    escaped = json.dumps({"to": "tomé@example.org"})  # {"to": "tom\u00e9@example.org"}
    assert ("args", "EMAIL") in verifier.check_record({"args": escaped})
    assert ("prompt", "EMAIL") in verifier.check_record({"prompt": escaped})  # any kept string holding JSON
    assert verifier.check_record({"args": json.dumps({"to": "<EMAIL>"}), "prompt": "fine"}) == []
