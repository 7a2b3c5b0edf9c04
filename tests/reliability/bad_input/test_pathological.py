"""Pathological inputs for the regexes (timing is the benchmark's job; this checks correctness)."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from tests.reliability.bad_input.line_cases import CARD, wrong_type_line

PATHOLOGICAL = {
    "digits": "7" * 1_000_000,
    "at_signs": "a@" * 500_000,
    "no_spaces": ("abcdefghij" * 100_000),
    "dots_dashes": "1-2." * 250_000,
    "hex": "deadbeef" * 125_000,
    "dots": "a." * 500_000,
    "plus_digits": "+" + "1 " * 499_999,
}


@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_pathological_text_is_scanned_and_planted_identifiers_still_found(name: str, pseudonymous: Any) -> None:
    """1 MB pathological filler with identifiers at the start, middle and end; the benchmark times this."""
    scrubber = pseudonymous
    filler = PATHOLOGICAL[name]
    half = len(filler) // 2
    planted = ["patho.first@example.org", "patho.mid@example.org", "patho.last@example.org"]
    text = f"{planted[0]} , {filler[:half]} , {planted[1]} , {CARD} , {filler[half:]} , {planted[2]}"
    out = scrubber.scrub_text(text)
    assert all(p not in out for p in planted) and CARD not in out
    assert out.startswith("<EMAIL> , ") and out.endswith(" , <EMAIL>")
    assert out.count("<EMAIL>") == 3 and "<CARD>" in out
    record = scrubber.scrub({"ts": 1795428902, "prompt": text[:999_000]})
    assert planted[0] not in record["prompt"]


@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_pathological_values_in_structured_fields_are_rejected_by_length_first(name: str, pseudonymous: Any) -> None:
    """Catalogue patterns (model, coordinates, IPs, timestamps, ints) never see a megabyte: length checks come first."""
    from scrubber import RecordRejected

    scrubber = pseudonymous
    value = PATHOLOGICAL[name]
    for path in ("model", "ts", "status", "retry_count", "client.ip", "geo.lat", "geo.lon", "messages[0].role"):
        record = orjson.loads(wrong_type_line(path, value).replace("@TS@", "1795428902"))
        with pytest.raises(RecordRejected) as info:
            scrubber.scrub(record)
        assert info.value.reason.startswith("invalid_"), (path, info.value.reason)
