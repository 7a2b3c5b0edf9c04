"""Phone numbers of the EU, the UK and the US (and any valid international number with + or 00).

Candidates are runs of digits, spaces, dots, dashes, slashes and parentheses; phonenumbers
decides. A national number without a '+' or '00' must either sit after a phone word (tel, call,
Handy, téléphone ...) or be grouped the way phonenumbers formats a valid national number of one
of the regions, so order numbers, dates and amounts survive.
"""

from __future__ import annotations

from functools import lru_cache

import phonenumbers
import regex

from scrubber.detectors.base import Example, PatternDetector, compile_pattern, context_words, has_context

REGIONS: tuple[str, ...] = (
    "GB", "US", "DE", "FR", "IT", "ES", "NL", "BE", "AT", "PL", "SE", "DK", "FI", "IE", "PT", "CZ", "SK",
    "HU", "RO", "BG", "HR", "SI", "GR", "CY", "MT", "LU", "EE", "LV", "LT",
)  # fmt: skip
# After a phone word a national number may be from further afield: grouping alone would match too many
# order numbers in so many numbering plans, so these regions count only for labelled numbers.
LABELLED_REGIONS: tuple[str, ...] = (
    *REGIONS,
    "CH", "NO", "IS", "TR", "UA", "RU", "CN", "IN", "JP", "KR", "AU", "NZ", "CA", "MX", "BR", "AR", "ZA",
    "IL", "AE", "SA", "EG", "MA", "NG", "KE", "PK", "BD", "ID", "PH", "VN", "TH", "MY", "SG",
)  # fmt: skip

PATTERN = compile_pattern(
    r"""
    (?<![\w+/.,:-]|\d[ ])                  # not glued to a word, a path, a decimal or another number
    (?P<id>
      (?:\+|\b00)?                         # optional international prefix
      \(?\d                                # first digit, maybe inside an area-code parenthesis
      [\d \u00a0().\/-]{5,22}              # digits and the usual separators
      \d                                   # ends on a digit
    )
    (?![\w]|[.,:/-]\d)                     # not followed by more number
    """
)

PHONE_WORDS = context_words(
    "tel",
    "tel.",
    "telephone",
    "phone",
    "phone number",
    "mobile",
    "mob",
    "cell",
    "call",
    "call me",
    "ring",
    "fax",
    "sms",
    "text me",
    "whatsapp",
    "signal",
    "telefon",
    "telefonnummer",
    "handy",
    "handynummer",
    "mobil",
    "rufnummer",
    "anrufen",
    "téléphone",
    "telephone",
    "portable",
    "appelez",
    "appeler",
    "teléfono",
    "telefono",
    "móvil",
    "movil",
    "cellulare",
    "chiamare",
    "llamar",
    "telefoon",
    "telefoonnummer",
    "mobiel",
    "bellen",
    "telefonu",
    "komórka",
    "zadzwoń",
    "ring mig",
    "puhelin",
    "číslo",
    "telemóvel",
    "telefone",
    "ligue",
    "reach me at",
    "dial",
    "hotline",
    "landline",
    "voicemail",
    # possessive cues: "my number is", in the languages the detectors support
    "my number",
    "my number is",
    "my phone",
    "my cell",
    "my mobile",
    "contact number",
    "call me on",
    "text me on",
    "reach me on",
    "mon numéro",
    "mon numéro est",
    "mon portable",
    "meine nummer",
    "meine nummer ist",
    "meine handynummer",
    "mijn nummer",
    "mijn nummer is",
    "mi número",
    "mi número es",
    "il mio numero",
    "il mio numero è",
    "mój numer",
    "mój numer to",
    "o meu número",
    "o meu número é",
    "mitt nummer",
    "mitt nummer är",
    "min nummer",
    "minun numeroni",
)

# phonenumbers loads a region's metadata on first use; load them now, so that the first labelled number
# of a run does not pay for it (and a benchmark does not count it per record).
for _region in LABELLED_REGIONS:
    phonenumbers.PhoneMetadata.metadata_for_region(_region)

_DATE = regex.compile(r"\d{1,4}([./-])\d{1,2}\1\d{1,4}")
_YEAR_RANGE = regex.compile(r"(?:1[89]|2[01])\d\d[ ]?[-/][ ]?(?:1[89]|2[01])\d\d")  # "Copyright 1999-2004"
_DOTTED_QUAD = regex.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
_AMOUNT = regex.compile(r"\d{1,3}(?:[ .]\d{3})+[.,]\d{2}")  # 1 052 129.58
_GROUPS = regex.compile(r"\d+")


def _groups(text: str) -> tuple[int, ...]:
    return tuple(len(g) for g in _GROUPS.findall(text))


@lru_cache(maxsize=4096)
def _national_match(candidate: str, with_context: bool) -> bool:
    groups = _groups(candidate.replace("(0)", ""))
    if not with_context and len(groups) < 2:  # one run of digits: only a phone word makes it a number
        return False
    for region in LABELLED_REGIONS if with_context else REGIONS:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if not phonenumbers.is_valid_number(number):
            continue
        if with_context:
            return True
        formatted = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        if _groups(formatted.replace("(0)", "")) == groups:
            return True
    return False


@lru_cache(maxsize=4096)
def _international_ok(candidate: str) -> bool:
    text = "+" + candidate[2:] if candidate.startswith("00") else candidate
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number)


def validate(match: regex.Match[str], text: str) -> tuple[int, int] | None:
    start, end = match.span("id")
    candidate = match.group("id")
    if candidate.count("(") != candidate.count(")"):
        if candidate.startswith("(") and ")" not in candidate:  # "(030 1234567)": the bracket wraps the number
            candidate, start = candidate[1:], start + 1
        elif candidate.endswith(")") and "(" not in candidate:
            candidate, end = candidate[:-1], end - 1
        else:
            return None
    digits = sum(ch.isdigit() for ch in candidate)
    if digits < 7 or digits > 15:
        return None
    if candidate.startswith(("+", "00")):
        return (start, _with_extension(text, end)) if _international_ok(candidate) else None
    if _DATE.fullmatch(candidate) or _DOTTED_QUAD.fullmatch(candidate) or _AMOUNT.fullmatch(candidate):
        return None
    if _YEAR_RANGE.fullmatch(candidate) and not has_context(text, start, PHONE_WORDS, 32):
        return None
    context = has_context(text, start, PHONE_WORDS, 32)
    return (start, _with_extension(text, end)) if _national_match(candidate, context) else None


# An extension belongs to its number: "+1 415 555 2671 x123", "030 1234567 ext. 45", "-Durchwahl 12".
_EXTENSION = regex.compile(
    r"[ \u00a0]*(?:,[ ]*)?(?:x|ext\.?|extension|Durchwahl|DW|Nebenstelle|poste|tuin|toestel|interno|int\.|wew\.?)"
    r"[ \u00a0.:]*\d{1,6}(?!\w)",
    regex.IGNORECASE,
)


def _with_extension(text: str, end: int) -> int:
    """``end``, moved past an extension that follows the number."""
    match = _EXTENSION.match(text, end)
    return match.end() if match else end


DETECTOR = PatternDetector(
    name="PHONE",
    pattern=PATTERN,
    validate=validate,
    trigger=r"\d[\d \x{a0}().\/-]{5,22}\d",
    max_len=32,
    priority=40,
    near=True,  # the trigger is the pattern's tail: \d[...]{5,22}\d
    examples=(
        Example("ruf mich an: +49 30 901820 oder", ("+49 30 901820",)),
        Example("call (202) 456-1111 now", ("(202) 456-1111",)),
        Example("Mobile 07700 900123, thanks", ("07700 900123",)),
        Example("appelez le 06 12 34 56 78", ("06 12 34 56 78",)),
        Example("order 2024-05-12 shipped, invoice 1234567, total 1 299 000", ()),
        Example("released 12.05.2024 at 10:15:02", ()),
        Example("Copyright (C) 1999-2004 and 2010 - 2015 the authors", ()),
        Example("call +1 415 555 2671 x123 now", ("+1 415 555 2671 x123",)),
        Example("my number is 0301234567", ("0301234567",)),
    ),
)
