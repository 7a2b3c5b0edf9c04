"""Street addresses and postcodes: one row per word order and language, and the near misses that must stay."""

from __future__ import annotations

import pytest

from scrubber.detectors.scanner import TextScanner, build_scanner


@pytest.fixture(scope="module")
def scanner() -> TextScanner:
    return build_scanner(None)


@pytest.mark.parametrize(
    ("text", "scrubbed"),
    [
        # number first, type last (US, UK, IE, AU)
        ("Ship it to 1600 Pennsylvania Ave NW please", "Ship it to <ADDRESS> please"),
        ("we moved to 42 Wallaby Way, Sydney", "we moved to <ADDRESS>, Sydney"),
        ("my address is 10 Downing Street, London SW1A 2AA", "my address is <ADDRESS>, London <POSTCODE>"),
        ("i live at 42 main street now", "i live at <ADDRESS> now"),
        ("Office: 500 Oracle Pkwy, Redwood City, CA 94065", "Office: <ADDRESS>, Redwood City, CA <POSTCODE>"),
        ("deliver to 77 Sunset Blvd Apt 4B tomorrow", "deliver to <ADDRESS> tomorrow"),
        # type first, number last (IT, ES, PT, PL)
        ("abito in Via Giuseppe Garibaldi 12, 00184 Roma", "abito in <ADDRESS>, <POSTCODE> Roma"),
        ("Vivo en la Calle Mayor 5, 28013 Madrid", "Vivo en la <ADDRESS>, <POSTCODE> Madrid"),
        ("Moro na Rua das Flores, 27, 4050-262 Porto", "Moro na <ADDRESS>, <POSTCODE> Porto"),
        ("Mieszkam przy ul. Długa 7 m. 3, 80-831 Gdańsk", "Mieszkam przy <ADDRESS>, <POSTCODE> Gdańsk"),
        # number first, type first (FR, BE)
        ("J'habite au 8 boulevard Saint-Michel, 75006 Paris", "J'habite au <ADDRESS>, <POSTCODE> Paris"),
        # one word with a street suffix, then the number (DE, AT, NL, Nordic, FI)
        ("Lieferadresse: Hauptstraße 5a, 80331 München", "Lieferadresse: <ADDRESS>, <POSTCODE> München"),
        ("Wir wohnen Am Rathausplatz 2", "Wir wohnen <ADDRESS>"),
        ("Mijn adres is Prinsengracht 263, 1016 GV Amsterdam", "Mijn adres is <ADDRESS>, <POSTCODE> Amsterdam"),
        ("Jeg bor på Nørrebrogade 14, 2200 København", "Jeg bor på <ADDRESS>, <POSTCODE> København"),
        ("Osoite: Hämeenkatu 10, 33100 Tampere", "Osoite: <ADDRESS>, <POSTCODE> Tampere"),
        ("Jag bor på Storgatan 3, 411 38 Göteborg", "Jag bor på <ADDRESS>, <POSTCODE> Göteborg"),
        # a postcode on the line after the street
        ("Berliner Str. 12\n10715 Berlin", "<ADDRESS>\n<POSTCODE> Berlin"),
        # a labelled postcode alone
        ("zip code 94105, thanks", "zip code <POSTCODE>, thanks"),
    ],
)
def test_addresses_are_replaced(scanner: TextScanner, text: str, scrubbed: str) -> None:
    assert scanner.scrub(text) == scrubbed


@pytest.mark.parametrize(
    "text",
    [
        "See chapter 3 of the Apache Way for details",
        "The street has 3 lanes and 2 sidewalks",
        "In 2019 Apple Park opened in Cupertino",
        "Copyright (C) 2000, 2001 Fabio Fiorina",
        "Mac OS X 10.15 and Google Drive 2 TB",
        "the SIZE extension via the RFC 1870 parameter",
        "we had 2000 Users and 8080 Port open",
        "Step 2 Main Road closure is in the plan",
        "Use Python 3.11 via pip 23 or later",
        "Returns 404 Not Found on Route 66",
    ],
)
def test_look_alikes_stay(scanner: TextScanner, text: str) -> None:
    spans = [s for s in scanner.find(text) if s.kind in ("ADDRESS", "POSTCODE")]
    assert spans == [], [text[s.start : s.end] for s in spans]


@pytest.mark.parametrize(
    ("text", "scrubbed"),
    [
        ("Brooklyn, NY 11226", "Brooklyn, NY <POSTCODE>"),  # the town of a postal line is no name
        ("10 Main St, Little Rock, AR 72201", "<ADDRESS>, Little Rock, AR <POSTCODE>"),
        ("John Smith, NY 10001", "<PERSON>, NY <POSTCODE>"),  # a name that starts with a first name stays one
    ],
)
def test_towns_of_postal_lines_stay_and_names_do_not(scanner: TextScanner, text: str, scrubbed: str) -> None:
    assert scanner.scrub(text) == scrubbed
