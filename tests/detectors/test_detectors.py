"""Detectors: every runnable example, the registry, and words that must survive."""

from __future__ import annotations

import pytest

from scrubber.detectors import DETECTORS, KINDS, all_parts, examples
from scrubber.detectors.scanner import build_scanner

EXAMPLES = list(examples())


@pytest.fixture(scope="module")
def scanner():
    return build_scanner(None)


@pytest.mark.parametrize(("part", "example"), EXAMPLES, ids=[f"{p.name}-{i}" for i, (p, _) in enumerate(EXAMPLES)])
def test_example_on_its_own(part, example):
    found = tuple(example.text[s.start : s.end] for s in part.find(example.text))
    assert found == example.found


@pytest.mark.parametrize(("part", "example"), EXAMPLES, ids=[f"{p.name}-{i}" for i, (p, _) in enumerate(EXAMPLES)])
def test_example_through_the_scanner(scanner, part, example):
    """The one-pass scanner (hyperscan triggers, then validators) finds every positive, with its placeholder."""
    spans = {(example.text[s.start : s.end], s.kind) for s in scanner.find(example.text)}
    for value in example.found:
        assert (value, part.label) in spans


def test_every_detector_has_positive_and_near_miss_examples():
    for part in all_parts():
        assert any(e.found for e in part.examples), part.name
        assert any(not e.found for e in part.examples), part.name


def test_registry_covers_every_placeholder_of_the_issue():
    assert set(KINDS) == {
        "EMAIL", "PHONE", "IBAN", "BIC", "CARD", "IMEI", "IMSI", "MAC", "UUID", "IP", "CRYPTO_WALLET", "SIP_URI",
        "HANDLE", "COORDINATES", "NATIONAL_ID", "VIN", "SECRET", "URL", "PERSON",
        "PASSPORT", "DRIVER_LICENSE", "ACCOUNT_NUMBER",  # labelled only (issue 13)
        "ADDRESS", "POSTCODE",  # street part and postcode (issue 13)
    }  # fmt: skip
    assert DETECTORS["IP"].name == "IP"


def test_triggers_compile_into_one_hyperscan_database(scanner):
    assert scanner.accelerated


@pytest.mark.parametrize(
    "word",
    ["FEEDBACK", "CONFIRMED", "DELIVERED", "BACKORDER", "TRANSACTION", "RECLAMATION", "INVESTIGATE", "PRIORITY"],
)
def test_uppercase_words_survive(scanner, word):
    assert scanner.scrub(f"subject: {word} - please read") == f"subject: {word} - please read"


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("RT @LanaDelRey: new video, thanks @bob_k", ["@LanaDelRey", "@bob_k"]),
        ("@dataclass(frozen=True)\nclass A: ...", []),
        ("@property\ndef name(self): ...", []),
        ("    @param value the value to check", []),
        ('[training.logger]\n@loggers = "spacy.MLflowLogger.v2"', []),
        ("npm i @types/node and mail anna@example.org", []),
    ],
)
def test_bare_mentions_are_handles_but_code_is_not(text: str, found: list[str]) -> None:
    from scrubber.detectors.scanner import build_scanner

    assert [text[s.start : s.end] for s in build_scanner(["HANDLE"]).find(text)] == found
