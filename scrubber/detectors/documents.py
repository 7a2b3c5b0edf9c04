"""Document and account numbers that have no checksum to find them by: passport and driver-licence
numbers and bank account numbers outside IBAN. Taken only right after a label that names them, in the
languages the other detectors support; the shape then is enough (a label makes shape enough)."""

from __future__ import annotations

import regex

from scrubber.detectors.base import Example, PatternDetector, compile_pattern


def _labelled(labels: tuple[str, ...], value: str) -> regex.Pattern[str]:
    """A label, an optional "number"/"no"/":"/"is", then the value as group ``id``."""
    alternatives = "|".join(sorted((regex.escape(label) for label in labels), key=len, reverse=True))
    return compile_pattern(
        rf"""
        (?<![\p{{L}}])(?i:{alternatives})
        (?:[ ](?i:number|no\.?|nr\.?|n°|nº|num\.?|nummer|numéro|número|numero|numer))?
        [ ]?(?:[:#]|(?i:is|ist|est|es|è|jest|é|är|er))?[ ]{{0,3}}
        (?P<id>{value})
        (?![\p{{L}}\p{{N}}])
        """
    )


PASSPORT_LABELS = (
    "passport", "passports", "passport's", "reisepass", "reisepassnummer", "pass-nr", "passnummer", "passeport",
    "pasaporte", "passaporto", "paspoort", "paspoortnummer", "paszport", "passaporte", "passin numero",
)  # fmt: skip
DRIVER_LICENSE_LABELS = (
    "driver's license", "driver's licence", "drivers license", "drivers licence", "driver license",
    "driver licence", "driving licence", "driving license", "licence", "license", "führerschein",
    "führerscheinnummer", "permis de conduire", "permis", "licencia de conducir", "carnet de conducir",
    "patente di guida", "patente", "rijbewijs", "rijbewijsnummer", "prawo jazdy", "carta de condução",
    "carta de conducao", "körkort", "kørekort", "førerkort", "ajokortti",
)  # fmt: skip
ACCOUNT_LABELS = (
    "account number", "account", "bank account", "acct", "a/c", "kontonummer", "konto", "bankkonto",
    "numéro de compte", "compte", "número de cuenta", "cuenta", "numero di conto", "conto", "rekeningnummer",
    "rekening", "numer konta", "konta", "número de conta", "conta", "tilinumero", "kontonr",
)  # fmt: skip

# Identity cards and identity numbers named by their label, in shapes the checksum schemes of national_id do
# not cover: a German ID card (LM2N3P4T5), an Austrian SVNR with its letter, a spaced SSN (109 99 6000).
ID_LABELS = (
    "identity card", "id card", "id code", "id-code", "identity number", "identity code", "personal code",
    "personal identity code", "personal id", "national id", "national identity number", "personalausweis",
    "personalausweisnummer", "ausweis", "ausweisnummer", "identitätskarte", "carte d'identité",
    "carte nationale d'identité", "cni", "carta d'identità", "carta di identità", "documento de identidad",
    "documento nacional de identidad", "dowód osobisty", "numer dowodu", "identiteitskaart", "identiteitsbewijs",
    "id-kort", "id-kortti", "henkilökortti", "henkilötunnus", "personnummer", "cpr", "cartão de cidadão",
    "bilhete de identidade", "social security", "social security number", "sozialversicherungsnummer", "svnr",
    "versicherungsnummer", "national insurance number", "nhs number", "tax id", "steuer-id", "aadhaar", "rrn",
    "resident registration number", "nric", "tfn", "medicare",
)  # fmt: skip
_ID_VALUE = r"(?=.{6})(?=(?:[A-Za-z/ -]{0,3}\d){4})[A-Za-z0-9]{2,}(?:[ /-]\d[A-Za-z0-9]*){0,4}"
_PASSPORT_ID = r"(?=[A-Z]{0,3}\d)[A-Z0-9]{6,9}"  # letters and digits, at least one digit
_LICENSE_ID = r"(?=(?:[A-Z-]*\d){2})[A-Z0-9][A-Z0-9-]{4,18}[A-Z0-9]"  # at least two digits
# Digits in groups (a French RIB ends in letters): at least six digits, at most 34 characters.
_ACCOUNT_ID = r"(?=(?:[^\d\n]{0,3}\d){6})\d[\dA-Z -]{4,32}[\dA-Z]"


def labelled_detector(
    name: str,
    labels: tuple[str, ...],
    value: str,
    max_len: int,
    priority: int,
    examples: tuple[Example, ...],
    kind: str = "",
) -> PatternDetector:
    """A detector of ``value`` right after one of ``labels``. Its trigger is a label followed by a digit
    within a few characters, so "account" alone, common in prose, does not wake it."""
    alternatives = "|".join(regex.escape(label).replace(r"\ ", " ") for label in labels)
    return PatternDetector(
        name=name,
        pattern=_labelled(labels, value),
        trigger=rf"(?:{alternatives})[^\n]{{0,24}}\d",
        trigger_caseless=True,
        max_len=max_len,
        priority=priority,
        examples=examples,
        kind=kind,
    )


PASSPORT = labelled_detector(
    "PASSPORT",
    PASSPORT_LABELS,
    _PASSPORT_ID,
    max_len=80,
    priority=86,
    examples=(
        Example("my passport number is C01X00T47, valid until 2030", ("C01X00T47",)),
        Example("Reisepassnummer: L01X00T47", ("L01X00T47",)),
        Example("pass the test 123456 times", ()),
    ),
)
DRIVER_LICENSE = labelled_detector(
    "DRIVER_LICENSE",
    DRIVER_LICENSE_LABELS,
    _LICENSE_ID,
    max_len=90,
    priority=85,
    examples=(
        Example("driver's license: D123-4567-8901", ("D123-4567-8901",)),
        Example("Führerscheinnummer B072RRE2I55", ("B072RRE2I55",)),
        Example("licensed under the MIT License 2.0", ()),
    ),
)
ACCOUNT = labelled_detector(
    "ACCOUNT_NUMBER",
    ACCOUNT_LABELS,
    _ACCOUNT_ID,
    max_len=90,
    priority=84,
    examples=(
        Example("account number 12345678, sort code elsewhere", ("12345678",)),
        Example("Kontonummer: 0532013000", ("0532013000",)),
        Example("my account has 3 items", ()),
        Example("numéro de compte 30002 00550 0000157845Z", ("30002 00550 0000157845Z",)),
    ),
)
ID_CARD = labelled_detector(
    "ID_CARD",
    ID_LABELS,
    _ID_VALUE,
    max_len=90,
    priority=87,
    kind="NATIONAL_ID",
    examples=(
        Example("Personalausweis: LM2N3P4T5", ("LM2N3P4T5",)),
        Example("my social security number is 109 99 6000", ("109 99 6000",)),
        Example("My SVNR is 12150485M004 here", ("12150485M004",)),
        Example("the identity card reader 2 is broken", ()),
    ),
)
