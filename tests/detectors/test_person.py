"""The PERSON detector's vocabulary: runs of common words are no names."""

from __future__ import annotations

import pytest


def test_the_shipped_vocabulary_holds_words_not_names() -> None:
    """data/common_words.txt: words written in lower case on the build machine, without the lexicon's names."""
    from scrubber.detectors.person_lexicon import load as load_names
    from scrubber.detectors.vocabulary import load

    vocabulary = load()
    first, last, _ = load_names()
    assert len(vocabulary) > 100_000
    assert {"storage", "install", "returns"} <= vocabulary
    assert not {n.casefold() for n in first | last} & vocabulary


@pytest.mark.parametrize(
    "text",
    ["Use Google Cloud Storage for this", "Returns True if x", "- Install the package", "it is called. The next one"],
)
def test_runs_of_common_words_are_no_names(text: str) -> None:
    from scrubber.detectors.scanner import build_scanner

    assert build_scanner(["PERSON"]).find(text) == []


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("we flew to Georgia last week", []),
        ("Florence and Jordan are cities", ["Florence"]),  # Florence is no ISO or tz place name: a known miss
        ("Hi Georgia, thanks", ["Georgia"]),  # a greeting still makes it a name
        ("Jordan Smith said so", ["Jordan Smith"]),
    ],
)
def test_a_first_name_that_is_a_place_needs_a_cue_alone(text: str, names: list[str]) -> None:
    from scrubber.detectors.scanner import build_scanner

    assert [text[s.start : s.end] for s in build_scanner(["PERSON"]).find(text)] == names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("ping oliver laumann - the CI is red again", ["oliver laumann"]),
        ("merci shawn o. pearce !", ["shawn o. pearce"]),
        ("danke matthias walter, das hat geholfen", ["matthias walter"]),
        ("ping b. poettering - can you look?", ["b. poettering"]),
        ("thanks will do", []),
        ("hi all, the build is red", []),
        ("thanks a. lot", []),
        ("thanks for the fix", []),
    ],
)
def test_lower_case_names_after_an_address_word(text: str, names: list[str]) -> None:
    from scrubber.detectors.person import DETECTOR

    assert [text[s.start : s.end] for s in DETECTOR.find(text)] == names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Tom Moody scored twice. Later Moody left the pitch.", ["Tom Moody", "Moody"]),
        # no known first name vouches for the parts, and CamelCase parts are code
        ("Else MandatoryRelease records it. MandatoryRelease may be None.", ["Else MandatoryRelease"]),
    ],
)
def test_a_full_name_vouches_for_its_parts_elsewhere_in_the_text(text: str, names: list[str]) -> None:
    from scrubber.detectors.person import DETECTOR

    assert [text[s.start : s.end] for s in DETECTOR.find(text)] == names


@pytest.mark.parametrize(
    "text",
    [
        "The Montreal Hockey Club won the Stanley Cup.",
        "He moved to North America and joined the United Nations.",
        "She studied at the Université de Montréal.",
        "They met near Smith Tower.",
        "Sie lebten unter der Römischen Herrschaft.",
    ],
)
def test_organisations_places_and_german_nouns_are_no_names(text: str) -> None:
    from scrubber.detectors.scanner import build_scanner

    assert [s for s in build_scanner(["PERSON"]).find(text) if s.kind == "PERSON"] == []


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Anna Hall and Christian Seiler signed.", ["Anna Hall", "Christian Seiler"]),  # first name + place word
        ("Shirley Temple sang.", ["Shirley Temple"]),
        ("Le capitaine Boyenval est arrivé.", ["Boyenval"]),
        ("Graf Haller kam nach Wien.", ["Haller"]),
        ("Yesterday his wife Oluwaseun left.", ["Oluwaseun"]),
    ],
)
def test_ranks_kin_and_first_names_still_mark_names(text: str, names: list[str]) -> None:
    from scrubber.detectors.scanner import build_scanner

    found = [text[s.start : s.end] for s in build_scanner(["PERSON"]).find(text) if s.kind == "PERSON"]
    assert found == names
