"""Bank and card identifiers: IBAN (mod 97), BIC/SWIFT (country code plus context) and payment cards (Luhn + IIN)."""

from __future__ import annotations

import importlib.resources
from functools import lru_cache

import regex

from scrubber.detectors.base import (
    DOCUMENT_NUMBER_LABELS,
    Example,
    PatternDetector,
    compile_pattern,
    context_words,
    has_context,
)
from scrubber.detectors.checksums import iban_ok, luhn_ok


def _iban_lengths() -> dict[str, int]:
    """Country code -> IBAN length, from python-stdnum's copy of the SWIFT IBAN registry."""
    lengths: dict[str, int] = {}
    text = importlib.resources.files("stdnum").joinpath("iban.dat").read_text(encoding="utf-8")
    for line in text.splitlines():
        match = regex.match(r'([A-Z]{2}) .*bban="([^"]+)"', line)
        if match:
            lengths[match.group(1)] = 4 + sum(int(n) for n in regex.findall(r"(\d+)!", match.group(2)))
    return lengths


IBAN_LENGTHS = _iban_lengths()

IBAN_PATTERN = compile_pattern(
    r"""
    (?<![\w-])                            # starts a word
    (?P<id>
      [A-Za-z]{2}\d{2}                    # country code and check digits
      (?:[ \u00a0-]?[A-Za-z0-9]){10,30}   # BBAN, optionally in groups separated by a space or dash
    )
    """
)


def validate_iban(match: regex.Match[str], text: str) -> tuple[int, int] | None:
    start = match.start("id")
    raw = match.group("id")
    country = raw[:2].upper()
    length = IBAN_LENGTHS.get(country)
    if length is None:
        return None
    count = 0
    for offset, ch in enumerate(raw):  # cut the candidate at the registry length for its country
        if ch.isalnum():
            count += 1
            if count == length:
                end = start + offset + 1
                break
    else:
        return None
    if end < len(text) and text[end].isalnum():
        return None
    compact = "".join(ch for ch in text[start:end] if ch.isalnum()).upper()
    return (start, end) if iban_ok(compact) else None


IBAN = PatternDetector(
    name="IBAN",
    pattern=IBAN_PATTERN,
    validate=validate_iban,
    trigger=r"[A-Za-z]{2}\d{2}[ \x{a0}-]?[A-Za-z0-9]{2}",
    trigger_caseless=False,
    max_len=48,
    priority=80,
    examples=(
        Example("IBAN DE89 3704 0044 0532 0130 00 BIC COBADEFFXXX", ("DE89 3704 0044 0532 0130 00",)),
        Example("pay to GB82WEST12345698765432.", ("GB82WEST12345698765432",)),
        Example("fr76 3000 6000 0112 3456 7890 189 ok", ("fr76 3000 6000 0112 3456 7890 189",)),
        Example("DE89 3704 0044 0532 0130 01 fails mod 97; so does NL91ABNA0417164301", ()),
    ),
)


def _bic_countries() -> frozenset[str]:
    from stdnum import bic

    return frozenset(bic._country_codes)


BIC_COUNTRIES = _bic_countries()

BIC_PATTERN = compile_pattern(
    r"""
    (?<![\w-])
    (?P<id>
      [A-Z]{4}                # bank code: letters
      [A-Z]{2}                # ISO country code
      [A-Z0-9]{2}             # location code
      (?:[A-Z0-9]{3})?        # optional branch code
    )
    (?![\w-])
    """
)

BIC_WORDS = context_words(
    "bic",
    "swift",
    "swift code",
    "swift/bic",
    "bic/swift",
    "bic code",
    "bank code",
    "bankleitzahl",
    "code bic",
    "código bic",
    "codice bic",
    "code swift",
    "iban",
    "routing",
    "bank",
    "banque",
    "banca",
    "banco",
)


_UPPER_WORD = regex.compile(r"\b[A-Z]{8}(?:[A-Z]{3})?\b")  # another upper-case word between label and value


def validate_bic(match: regex.Match[str], text: str) -> tuple[int, int] | None:
    start, end = match.span("id")
    value = match.group("id")
    if value[4:6] not in BIC_COUNTRIES or value[:4].isdigit():
        return None
    labelled = has_context(text, start, BIC_WORDS, 24) and _UPPER_WORD.search(text, max(0, start - 24), start) is None
    if labelled:
        return start, end
    # Without a label: a digit in the location or branch code, or the "XXX" primary-office branch.
    if any(ch.isdigit() for ch in value[6:]) or value[8:] == "XXX":
        return start, end
    return None


BIC = PatternDetector(
    name="BIC",
    pattern=BIC_PATTERN,
    validate=validate_bic,
    trigger=r"[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}",
    max_len=11,
    priority=60,
    examples=(
        Example("BIC: COBADEFF, danke", ("COBADEFF",)),
        Example("swift code is DEUTDEDB500", ("DEUTDEDB500",)),
        Example("use BNPAFRPPXXX for transfers", ("BNPAFRPPXXX",)),
        Example("FEEDBACK and INVESTIGATIONS are uppercase words; so is CONFIRMED", ()),
    ),
)

CARD_PATTERN = compile_pattern(
    r"""
    (?<![\w.,/+-])                 # not inside a word, decimal, path or longer number
    (?P<id>
      \d                           # first digit
      (?:[ \u00a0-]?\d){11,18}     # 11-18 more digits, optionally grouped by spaces or dashes
    )
    (?![\w]|[.,/-]\d)              # not followed by more number
    """
)

NOT_CARD_WORDS = context_words(*DOCUMENT_NUMBER_LABELS, "imei", "imsi", "imei-sv", "imeisv")
UATP_WORDS = context_words("uatp", "uatp card", "airline card", "card", "card number", "karte", "carte")
# A card word right before the number wins over a document word further back ("the invoice from card 4111 ...").
CARD_WORDS = context_words(
    "card", "credit card", "debit card", "visa", "mastercard", "amex", "carte", "karte", "kaart", "tarjeta", "carta"
)


def _iin_ok(digits: str) -> bool:
    """The issuer prefix and length fit a card network (Visa, Mastercard, Amex, Discover, JCB, Diners, Maestro ...)."""
    n = len(digits)
    two, four = int(digits[:2]), int(digits[:4])
    if digits[0] == "4":
        return n in (13, 16, 19)
    if 51 <= two <= 55 or 2221 <= four <= 2720:
        return n == 16
    if two in (34, 37):
        return n == 15
    if 2200 <= four <= 2204:
        return 16 <= n <= 19
    if digits[:4] == "6011" or 644 <= int(digits[:3]) <= 649 or two == 65:
        return 16 <= n <= 19
    if two == 35:  # JCB (3528-3589; issuers print other 35xx too); 15-digit 35... numbers are IMEIs
        return 16 <= n <= 19
    if 300 <= int(digits[:3]) <= 305 or two in (36, 38, 39):
        return 14 <= n <= 19
    if two == 62 or two == 81:
        return 16 <= n <= 19
    if two == 50 or 56 <= two <= 69 or digits[:4] == "0604":
        return 12 <= n <= 19
    if digits[:4] in ("1800", "2131"):  # the old 15-digit JCB ranges
        return n == 15
    return False


def _uatp_ok(digits: str) -> bool:
    """A UATP airline card (15 digits from 1): too broad a shape to take without a card word before it."""
    return len(digits) == 15 and digits[0] == "1" and luhn_ok(digits)


@lru_cache(maxsize=4096)
def _card_ok(raw: str) -> bool:
    digits = "".join(ch for ch in raw if ch.isdigit())
    if not 12 <= len(digits) <= 19 or len(set(digits)) < 2:
        return False
    separators = {ch for ch in raw if not ch.isdigit()}
    if len(separators) > 1:
        return False
    return _iin_ok(digits) and luhn_ok(digits)


_GROUPED_CODE_BEFORE = regex.compile(r"[A-Za-z]{2}\d{2}(?:[ -][A-Za-z0-9]{4})*[ -]\Z")


def validate_card(match: regex.Match[str], text: str) -> tuple[int, int] | None:
    start, end = match.span("id")
    if not _card_ok(match.group("id")):
        digits = "".join(ch for ch in match.group("id") if ch.isdigit())
        if _uatp_ok(digits) and has_context(text, start, UATP_WORDS, 24):
            return start, end
        return None
    if has_context(text, start, NOT_CARD_WORDS, 24) and not has_context(text, start, CARD_WORDS, 24):
        return None
    if _GROUPED_CODE_BEFORE.search(text, max(0, start - 40), start):  # the tail of an IBAN-shaped code
        return None
    return start, end


CARD = PatternDetector(
    name="CARD",
    pattern=CARD_PATTERN,
    validate=validate_card,
    trigger=r"\d(?:[ \x{a0}-]?\d){11,18}",
    max_len=40,
    priority=70,
    examples=(
        Example("card 4111 1111 1111 1111 exp 12/27", ("4111 1111 1111 1111",)),
        Example("Amex 3782-822463-10005.", ("3782-822463-10005",)),
        Example("pan=5555555555554444&x", ("5555555555554444",)),
        Example("4111 1111 1111 1112 fails Luhn; order 1234567812345670 is no card", ()),
        Example("Pay the open invoice from card 4111 1111 1111 1111 today", ("4111 1111 1111 1111",)),
        Example("JCB 180000000000002 and UATP card 135412345678911", ("180000000000002", "135412345678911")),
        Example("order 135412345678911 is no card", ()),
    ),
)

DETECTORS = (IBAN, BIC, CARD)
