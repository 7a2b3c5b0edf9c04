"""Vehicle identification numbers (ISO 3779): 17 characters without I, O, Q; check digit or a label."""

from __future__ import annotations

import regex

from scrubber.detectors.base import Example, PatternDetector, compile_pattern, context_words, has_context

PATTERN = compile_pattern(
    r"""
    (?<![\w-])
    (?P<id>
      [A-HJ-NPR-Z0-9]{3}          # WMI: world manufacturer identifier
      [A-HJ-NPR-Z0-9]{5}          # VDS: vehicle attributes
      [A-HJ-NPR-Z0-9]             # check digit in North America; any character elsewhere
      [A-HJ-NPR-Z0-9]{2}          # model year and plant
      [A-HJ-NPR-Z0-9]{2}\d{4}     # serial number, the last four digits numeric
    )
    (?![\w-])
    """
)

VIN_WORDS = context_words(
    "vin",
    "vin number",
    "vehicle",
    "chassis",
    "fahrgestellnummer",
    "fin",
    "fahrzeug",
    "châssis",
    "véhicule",
    "bastidor",
    "telaio",
    "chassisnummer",
    "vozidla",
    "nadwozia",
    "vin-nummer",
    "vin nr",
    "car",
    "auto",
)

_TRANSLIT = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7, "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}  # fmt: skip
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def check_digit_ok(vin: str) -> bool:
    total = sum(_TRANSLIT[ch] * w for ch, w in zip(vin, _WEIGHTS, strict=True))
    expected = total % 11
    return vin[8] == ("X" if expected == 10 else str(expected))


def validate(match: regex.Match[str], text: str) -> tuple[int, int] | None:
    start, end = match.span("id")
    vin = match.group("id")
    letters = sum(ch.isalpha() for ch in vin)
    if letters < 2 or letters > 12:
        return None
    if check_digit_ok(vin) or has_context(text, start, VIN_WORDS, 40):
        return start, end
    # European VINs need no check digit: accept a WMI with a letter, a letter in the VDS and a numeric serial.
    if any(ch.isalpha() for ch in vin[3:8]) and any(ch.isalpha() for ch in vin[:3]):
        return start, end
    return None


DETECTOR = PatternDetector(
    name="VIN",
    pattern=PATTERN,
    validate=validate,
    trigger=r"[A-HJ-NPR-Z0-9]{13}\d{4}",
    max_len=17,
    priority=70,
    examples=(
        Example("VIN 1M8GDM9AXKP042788 registered", ("1M8GDM9AXKP042788",)),
        Example("Fahrgestellnummer: WVWZZZ1JZ3W386752.", ("WVWZZZ1JZ3W386752",)),
        Example("SKU ABCDEFGHIJKLMNOPQ and 12345678901234567 and 1M8GDM9AXKP04278", ()),
    ),
)
