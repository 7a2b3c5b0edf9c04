"""Mobile and telephony identifiers: IMEI and IMEI-SV (Luhn, TAC), IMSI (known MCC + MNC) and SIP URIs."""

from __future__ import annotations

from functools import lru_cache

import regex
from stdnum import imsi as stdnum_imsi

from scrubber.detectors.base import Example, PatternDetector, compile_pattern, context_words, has_context
from scrubber.detectors.checksums import luhn_ok

IMEI_WORDS = context_words(
    "imei",
    "imei-sv",
    "imeisv",
    "imei sv",
    "imei/sv",
    "imei number",
    "device id",
    "handset",
    "seriennummer",
    "numéro imei",
    "número imei",
    "codice imei",
    "imei-nummer",
    "imei nr",
)

IMEI_PATTERN = compile_pattern(
    r"""
    (?<![\w.,/+-])              # not inside a word or a longer number
    (?P<id>
      \d{2}[ /-]?\d{6}          # TAC: reporting body (2 digits) and type (6 digits)
      [ /-]?\d{6}               # serial number
      (?:[ /-]?\d{1,2})?        # check digit (IMEI) or software version (IMEI-SV, 2 digits)
    )
    (?![\w]|[.,/-]\d)
    """
)

# Reporting-body identifiers of TACs seen in practice (GSMA: 01, 35, 86, 99 and a few older ones).
TAC_BODIES = frozenset(
    {"01", "10", "30", "33", "35", "44", "45", "49", "50", "51", "52", "53", "54", "86", "91", "98", "99"}
)


def validate_imei(match: regex.Match[str], text: str) -> tuple[int, int] | None:
    start, end = match.span("id")
    raw = match.group("id")
    digits = "".join(ch for ch in raw if ch.isdigit())
    context = has_context(text, start, IMEI_WORDS, 40)
    grouped = len(digits) != len(raw)
    if len(digits) == 15:
        if not luhn_ok(digits):
            return None
        return (start, end) if context or grouped or digits[:2] in TAC_BODIES else None
    if len(digits) in (14, 16):  # IMEI without check digit, IMEI-SV: only with a label
        return (start, end) if context else None
    return None


IMEI = PatternDetector(
    name="IMEI",
    pattern=IMEI_PATTERN,
    validate=validate_imei,
    trigger=r"\d{2}[ /-]?\d{6}[ /-]?\d{6}",
    max_len=24,
    priority=85,
    examples=(
        Example("IMEI: 490154203237518", ("490154203237518",)),
        Example("device 35-209900-176148-1 lost", ("35-209900-176148-1",)),
        Example("IMEISV 3520990017614823", ("3520990017614823",)),
        Example("imei 490154203237517 fails Luhn", ()),
    ),
)

IMSI_WORDS = context_words(
    "imsi",
    "sim",
    "subscriber",
    "subscriber id",
    "subscriber identity",
    "teilnehmerkennung",
    "abonné",
    "identité",
    "abbonato",
    "abonado",
    "imsi-nummer",
    "imsi nr",
    "msin",
)

IMSI_PATTERN = compile_pattern(
    r"""
    (?<![\w.,/+-])
    (?P<id>[2-7]\d{13,14})      # MCC (first digit 2-7), MNC and MSIN: 14 or 15 digits in all
    (?![\w]|[.,/-]\d)
    """
)


def validate_imsi(match: regex.Match[str], text: str) -> tuple[int, int] | None:
    start, end = match.span("id")
    if not has_context(text, start, IMSI_WORDS, 40):
        return None
    return (start, end) if _imsi_ok(match.group("id")) else None


@lru_cache(maxsize=4096)
def _imsi_ok(value: str) -> bool:
    return bool(stdnum_imsi.is_valid(value))


IMSI = PatternDetector(
    name="IMSI",
    pattern=IMSI_PATTERN,
    validate=validate_imsi,
    trigger=r"[2-7]\d{13}",
    max_len=15,
    priority=86,
    examples=(
        Example("IMSI=262011234567890;", ("262011234567890",)),
        Example("the SIM (imsi 310150123456789) roams", ("310150123456789",)),
        Example("order 262011234567890 and imsi 001011234567890", ()),
    ),
)

SIP_PATTERN = compile_pattern(
    r"""
    (?<![\w.+-])
    (?P<id>
      (?i:sips?):                          # scheme
      [\w.!~*'()&=+$,;?/%-]{1,64}          # user part (name or number)
      (?::[^\s@]{1,64})?                   # optional password
      @
      [\w.-]{1,253}\w                      # host
      (?::\d{1,5})?                        # port
      (?:;[\w.=~+%-]{1,64}){0,8}           # URI parameters
    )
    """
)

SIP = PatternDetector(
    name="SIP_URI",
    pattern=SIP_PATTERN,
    trigger=r"sips?:[^\s@]{1,64}@",
    trigger_caseless=True,
    max_len=512,
    priority=90,
    examples=(
        Example(
            "P-Asserted-Identity: <sip:+4930123456@ims.example.net;user=phone>",
            ("sip:+4930123456@ims.example.net;user=phone",),
        ),
        Example("call sips:alice@atlanta.example.com:5061", ("sips:alice@atlanta.example.com:5061",)),
        Example("gossip: nothing here; sip of coffee", ()),
    ),
)

DETECTORS = (IMEI, IMSI, SIP)
