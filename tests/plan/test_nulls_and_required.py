"""nulls: absent | invalid (catalogue default and per rule), and required fields: a record without one is never
published, so an empty ``{}`` cannot reach the sandbox."""

from __future__ import annotations

from typing import Any

import pytest

from scrubber import RecordRejected, Scrubber
from scrubber.catalogue import parse_catalogue
from scrubber.explain import explain
from scrubber.keys import Key
from tests.catalogue.helpers import check

CATALOGUE = """\
catalogue: t
nulls: absent
rules:
  - {field: ts, op: epoch_second, required: true}
  - {field: status, op: int_range, min: 100, max: 599, nulls: invalid}
  - {field: 'messages[*].content', op: scan_text, required: true}
  - {field: 'messages[*].role', op: keep}
  - {field: error, op: keep}
  - {field: client.ip, op: truncate_ip}
"""


@pytest.fixture(scope="module")
def scrubber(test_key: Key) -> Scrubber:
    return Scrubber(parse_catalogue(CATALOGUE, "t.yaml"), test_key)


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ({"ts": 1, "messages": [{"content": "hi"}]}, {"ts": 1, "messages": [{"content": "hi"}]}),
        (
            {"ts": 1, "messages": [{"content": "hi", "role": None}, None], "error": None, "client": None},
            {"ts": 1, "messages": [{"content": "hi"}]},
        ),
        (
            {"ts": 1, "messages": [{"content": "hi"}], "client": {"ip": None}},
            {"ts": 1, "messages": [{"content": "hi"}]},
        ),
    ],
)
def test_null_means_absent(scrubber: Scrubber, record: dict[str, Any], expected: dict[str, Any]) -> None:
    assert scrubber.scrub(record) == expected


@pytest.mark.parametrize(
    ("record", "reason", "field"),
    [
        ({}, "missing_required", "ts"),
        ({"foo": 1}, "missing_required", "ts"),
        ({"ts": None, "messages": [{"content": "x"}]}, "missing_required", "ts"),
        ({"ts": 1}, "missing_required", "messages"),
        ({"ts": 1, "messages": []}, "missing_required", "messages"),
        ({"ts": 1, "messages": [None]}, "missing_required", "messages"),
        ({"ts": 1, "messages": [{"role": "user"}]}, "missing_required", "messages[*].content"),
        ({"ts": 1, "messages": [{"content": "x"}, {"content": None}]}, "missing_required", "messages[*].content"),
        ({"ts": 1, "messages": [{"content": "x"}], "status": None}, "invalid_wrong_type_NoneType", "status"),
    ],
)
def test_required_fields_and_nulls_that_are_invalid(
    scrubber: Scrubber, record: dict[str, Any], reason: str, field: str
) -> None:
    with pytest.raises(RecordRejected) as info:
        scrubber.scrub(record)
    assert (info.value.reason, info.value.field) == (reason, field)


def test_a_required_field_dropped_as_invalid_is_missing(test_key: Key) -> None:
    text = "catalogue: t\nrules:\n  - {field: ts, op: epoch_second, required: true, on_invalid: drop}\n"
    scrubber = Scrubber(parse_catalogue(text, "t.yaml"), test_key)
    with pytest.raises(RecordRejected, match="missing_required at ts"):
        scrubber.scrub({"ts": "not a time"})


def test_the_language_default_is_that_a_null_is_invalid(test_key: Key) -> None:
    scrubber = Scrubber(parse_catalogue("catalogue: t\nrules:\n  - {field: ts, op: epoch_second}\n", "t"), test_key)
    with pytest.raises(RecordRejected, match="invalid_wrong_type_NoneType at ts"):
        scrubber.scrub({"ts": None})
    for shipped in ("strict", "pseudonymous"):  # shipped: a null is absent, and ts is required
        gateway = Scrubber.from_catalogue(shipped, key=test_key)
        assert gateway.scrub({"ts": 1, "status": None}) == {"ts": 1}
        for empty in ({"ts": None}, {}, {"foo": 1}):
            with pytest.raises(RecordRejected, match="missing_required at ts"):
                gateway.scrub(empty)


def test_explain_says_a_null_is_absent(scrubber: Scrubber) -> None:
    steps, output, rejected = explain(scrubber, {"ts": 1, "messages": [{"content": "hi"}], "error": None})
    assert ("error", "(null)", "null means absent here: no output") in [(s.path, s.rule, s.outcome) for s in steps]
    assert output == {"ts": 1, "messages": [{"content": "hi"}]} and rejected is None


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("{field: 'cookies._ga*', op: keep, required: true}", "required needs named fields; '_ga*' is a glob"),
        ("{field: device.mac, op: drop, required: true}", "a dropped field cannot be required"),
        ("{field: ts, op: epoch_second, nulls: sometimes}", "parameter 'nulls'"),
    ],
)
def test_contradicting_required_and_nulls_are_refused(tmp_path, test_key, rule: str, message: str) -> None:
    text = check(tmp_path, test_key, f"catalogue: t\nrules:\n  - {rule}\n")
    assert f"{tmp_path / 'broken.yaml'}:3: " in text and message in text
