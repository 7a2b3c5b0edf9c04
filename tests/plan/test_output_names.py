"""to: a field's name in the output (startTime -> ts), so one source maps into one output schema."""

from __future__ import annotations

import pytest

from scrubber import Scrubber
from scrubber.catalogue import parse_catalogue
from scrubber.io.writers.parquet import arrow_schema
from scrubber.keys import Key
from scrubber.verify import Verifier
from tests.catalogue.helpers import check

CATALOGUE = """\
catalogue: t
rules:
  - {field: startTime, op: epoch_second, to: ts}
  - {field: status, op: int_range, min: 100, max: 599}
  - {field: metadata.user_api_key_user_id, op: pseudonymize, namespace: user, to: user_id}
  - {field: headers.X-Request-Id, op: pseudonymize, namespace: request, to: request_id}
structures:
  headers: {case_insensitive: true}
"""


@pytest.fixture(scope="module")
def scrubber(test_key: Key) -> Scrubber:
    return Scrubber(parse_catalogue(CATALOGUE, "t.yaml"), test_key)


def test_renamed_fields_carry_their_output_names(scrubber: Scrubber) -> None:
    out = scrubber.scrub(
        {"startTime": "2026-11-23T10:15:02Z", "status": 200, "metadata": {"user_api_key_user_id": "u1"},
         "headers": {"x-request-id": "r1"}}
    )  # fmt: skip
    assert set(out) == {"ts", "status", "metadata", "headers"}
    assert out["ts"] == 1795428902
    assert set(out["metadata"]) == {"user_id"} and len(out["metadata"]["user_id"]) == 64
    assert set(out["headers"]) == {"request_id"}


def test_the_output_shape_and_the_parquet_schema_use_output_names(scrubber: Scrubber) -> None:
    shape = scrubber.plan.output_shape()
    assert shape == {"ts": "int64", "status": "int64", "metadata": {"user_id": "string"},
                     "headers": {"request_id": "string"}}  # fmt: skip
    assert arrow_schema(shape).names == ["ts", "status", "metadata", "headers"]


def test_verify_reads_output_names_and_refuses_the_input_names(scrubber: Scrubber) -> None:
    verifier = Verifier(scrubber.catalogue)
    good = scrubber.scrub({"startTime": 1795428902, "metadata": {"user_api_key_user_id": "u1"}})
    assert verifier.check_record(good) == []
    assert ("startTime", "field_not_allowed") in verifier.check_record({"startTime": 1795428902})
    assert ("metadata.user_api_key_user_id", "field_not_allowed") in verifier.check_record(
        {"metadata": {"user_api_key_user_id": "u1"}}
    )


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        (
            "  - {field: ts, op: epoch_second}\n  - {field: startTime, op: epoch_second, to: ts}\n",
            "its output name 'ts' is already written by the rule at ",
        ),
        (
            "  - {field: startTime, op: epoch_second, to: ts}\n  - {field: ts, op: epoch_second}\n",
            "its output name 'ts' is already written by the rule at ",
        ),
        ("  - {field: x, op: drop}\n  - {field: 'cookies._ga*', op: keep, to: ga}\n", "to: renames one named field"),
        ("  - {field: x, op: drop}\n  - {field: a, op: keep, to: b.c}\n", "parameter 'to'"),
    ],
)
def test_clashing_or_malformed_output_names_are_refused(tmp_path, test_key, rules: str, message: str) -> None:
    text = check(tmp_path, test_key, f"catalogue: t\nrules:\n{rules}")
    assert f"{tmp_path / 'broken.yaml'}:4: " in text and message in text
