"""A catalogue's own words: allow-terms survive, deny-terms and patterns are replaced, all validated."""

from __future__ import annotations

import pytest

from scrubber import Scrubber
from scrubber.catalogue import parse_catalogue
from scrubber.errors import CatalogueError
from scrubber.keys import Key
from scrubber.verify import Verifier

CATALOGUE = """\
catalogue: t
text:
  allow_terms: [Apache Beam, Jim Beam Cloud]
  deny_terms: [Quentin Blackwood, {term: Project Nightjar, kind: CODENAME}]
  patterns:
    - {kind: TICKET, regex: 'TCK-\\d{6}'}
rules:
  - {field: text, op: scan_text}
"""


@pytest.fixture(scope="module")
def scrubber(test_key: Key) -> Scrubber:
    return Scrubber(parse_catalogue(CATALOGUE, "t.yaml"), test_key)


def test_without_terms_the_names_detector_would_take_these(test_key: Key) -> None:
    plain = Scrubber(parse_catalogue("catalogue: t\nrules:\n  - {field: text, op: scan_text}\n", "t"), test_key)
    assert plain.scrub_text("Jim Beam Cloud is our product") != "Jim Beam Cloud is our product"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jim Beam Cloud is our product", "Jim Beam Cloud is our product"),
        ("ask quentin blackwood about TCK-123456", "ask <PERSON> about <TICKET>"),
        ("Project Nightjar ships in May; mail ann@example.org", "<CODENAME> ships in May; mail <EMAIL>"),
        ("Apache Beam runs the job for Anna Schmidt", "Apache Beam runs the job for <PERSON>"),
        ("TCK-12345 is too short", "TCK-12345 is too short"),
    ],
)
def test_terms_and_patterns(scrubber: Scrubber, text: str, expected: str) -> None:
    assert scrubber.scrub_text(text) == expected
    assert scrubber.scrub({"text": text}) == {"text": expected}  # scan_text uses the same words


def test_an_allow_term_never_hides_an_e_mail_it_only_touches(scrubber: Scrubber) -> None:
    assert scrubber.scrub_text("Apache Beam:bob@example.org") == "Apache Beam:<EMAIL>"


def test_verify_uses_the_catalogue_words() -> None:
    verifier = Verifier(parse_catalogue(CATALOGUE, "t.yaml"))
    assert verifier.check_record({"text": "Jim Beam Cloud is our product"}) == []
    assert verifier.check_record({"text": "ping Quentin Blackwood"}) == [("text", "PERSON")]


@pytest.mark.parametrize(
    ("text_section", "message"),
    [
        ("  patterns: [{kind: TICKET, regex: '('}]\n", "not a valid regular expression"),
        ("  patterns: [{kind: TICKET, regex: 'a*'}]\n", "matches the empty string"),
        ("  patterns: [{kind: ticket, regex: 'x'}]\n", "should match pattern"),
        ("  deny_terms: [x]\n", "at least 2 characters"),
        ("  allow_terms: ['']\n", "at least 2 characters"),
    ],
)
def test_bad_terms_are_refused_with_the_line(text_section: str, message: str) -> None:
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue("catalogue: t\ntext:\n" + text_section + "rules:\n  - {field: a, op: keep}\n", "t.yaml")
    assert message in str(caught.value) and "t.yaml:3" in str(caught.value)
