"""National identity numbers of the EU countries, the UK and the US, confirmed by python-stdnum validators.

Numbers with a strong shape (letters, separators or a wide check) are taken on their own: codice fiscale,
DNI/NIE, NIR, henkilötunnus, personnummer, NINO, SSN (dashed), PPS, cartão de cidadão, rodné číslo,
personas kods, Belgian national number (dotted). Plain digit runs whose check catches only one in ten or
eleven random numbers (BSN, PESEL, Steuer-ID, OIB, EGN, CNP, AMKA, isikukood, asmens kodas, EMŠO, SVNR,
CPR, NHS, raw SSN ...) are taken only next to a word that names them, so order numbers survive.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import regex
from stdnum import luhn as _luhn  # noqa: F401  (kept importable for tests that compare validators)
from stdnum.at import vnr as at_vnr
from stdnum.be import nn as be_nn
from stdnum.bg import egn as bg_egn
from stdnum.cz import rc as cz_rc
from stdnum.de import idnr as de_idnr
from stdnum.dk import cpr as dk_cpr
from stdnum.ee import ik as ee_ik
from stdnum.es import dni as es_dni
from stdnum.es import nie as es_nie
from stdnum.fr import nir as fr_nir
from stdnum.gb import nhs as gb_nhs
from stdnum.gr import amka as gr_amka
from stdnum.hr import oib as hr_oib
from stdnum.ie import pps as ie_pps
from stdnum.it import codicefiscale as it_cf
from stdnum.lt import asmens as lt_asmens
from stdnum.lv import pvn as lv_pvn
from stdnum.nl import bsn as nl_bsn
from stdnum.pl import pesel as pl_pesel
from stdnum.pt import cc as pt_cc
from stdnum.ro import cnp as ro_cnp
from stdnum.se import personnummer as se_pnr
from stdnum.si import emso as si_emso
from stdnum.us import ssn as us_ssn

from scrubber.detectors.base import (
    Example,
    PatternDetector,
    compile_pattern,
    context_words,
    has_context,
    has_context_after,
)
from scrubber.detectors.checksums import hetu_ok, nino_ok

PATTERN = compile_pattern(
    r"""
    (?<![\w.,/+-])
    (?P<id>
      [A-Z]{6}[\dLMNP-V]{2}[A-Z][\dLMNP-V]{2}[A-Z][\dLMNP-V]{3}[A-Z]  # IT codice fiscale
    | [A-Z]{2}[ ]?\d{2}[ ]?\d{2}[ ]?\d{2}[ ]?[A-D]             # GB National Insurance number
    | [XYZxyz]-?\d{7}-?[A-Za-z]                                 # ES NIE
    | \d{8}-?[A-Za-z]                                           # ES DNI
    | \d{7}[A-Wa-w][A-IWa-iw]?                                  # IE PPS
    | \d{8}[ ]?\d[ ]?[A-Za-z]{2}\d                              # PT cartão de cidadão
    | \d{6}[-+A-FU-Ya-fu-y]\d{3}[0-9A-Ya-y]                     # FI henkilötunnus (also SE / DK with - or +)
    | [12][ ]?\d{2}[ ]?\d{2}[ ]?(?:\d{2}|2[ABab])[ ]?\d{3}[ ]?\d{3}[ ]?\d{2}  # FR NIR with its key
    | \d{2}\.\d{2}\.\d{2}-\d{3}\.\d{2}                          # BE national number, dotted
    | \d{3}-\d{2}-\d{4}                                         # US SSN, dashed
    | (?:\d{2})?\d{6}[-+]\d{4,5}                                # SE personnummer, DK CPR, LV personas kods
    | \d{6}/\d{3,4}                                             # CZ / SK rodné číslo
    | \d{3}[ ]\d{3}[ ]\d{4}                                     # GB NHS number, spaced
    | \d{9,13}                                                  # plain digits (only next to a label)
    )
    (?![\w]|[.,/-]\d)
    """
)

ID_WORDS = context_words(
    "ssn",
    "social security",
    "social security number",
    "sozialversicherungsnummer",
    "svnr",
    "sv-nummer",
    "versicherungsnummer",
    "bsn",
    "burgerservicenummer",
    "sofinummer",
    "sofi",
    "pesel",
    "nino",
    "ni number",
    "ni no",
    "national insurance",
    "national insurance number",
    "personnummer",
    "personal number",
    "personal identity number",
    "cpr",
    "cpr-nummer",
    "cpr nr",
    "nir",
    "sécurité sociale",
    "sécu",
    "insee",
    "numéro de sécurité sociale",
    "codice fiscale",
    "cf",
    "dni",
    "nie",
    "nif",
    "steuer-id",
    "steuerid",
    "steuer-identifikationsnummer",
    "identifikationsnummer",
    "steuerliche identifikationsnummer",
    "idnr",
    "tax id",
    "tin",
    "amka",
    "αμκα",
    "oib",
    "isikukood",
    "asmens kodas",
    "emšo",
    "emso",
    "egn",
    "егн",
    "cnp",
    "cod numeric personal",
    "rodné číslo",
    "rodne cislo",
    "rodné čislo",
    "henkilötunnus",
    "hetu",
    "pps",
    "pps number",
    "nhs",
    "nhs number",
    "national id",
    "national id number",
    "id number",
    "identity number",
    "personal id",
    "id no",
    "id-nr",
    "ausweisnummer",
    "rijksregisternummer",
    "numéro national",
    "national number",
    "cartão de cidadão",
    "número de identificação",
    "personas kods",
    "osobní číslo",
    "número de la seguridad social",
    "seguridad social",
    "previdenza",
    "numero di identificazione",
    "numer pesel",
    "personnr",
    "personbevis",
    "identitetsnummer",
    "pin",
    "egn nomer",
    "identification number",
)


@dataclass(frozen=True)
class Scheme:
    name: str
    shape: regex.Pattern[str]
    is_valid: Callable[[str], bool]
    needs_context: bool


def _s(source: str) -> regex.Pattern[str]:
    return regex.compile(source)


SCHEMES: tuple[Scheme, ...] = (
    Scheme("it.codicefiscale", _s(r"[A-Z]{6}[\dLMNP-V]{2}[A-Z][\dLMNP-V]{2}[A-Z][\dLMNP-V]{3}[A-Z]"),
           it_cf.is_valid, False),
    Scheme("gb.nino", _s(r"[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]"), lambda v: nino_ok(v.replace(" ", "")), False),
    Scheme("es.nie", _s(r"[XYZxyz]-?\d{7}-?[A-Za-z]"), lambda v: es_nie.is_valid(v.upper()), False),
    Scheme("es.dni", _s(r"\d{8}-?[A-Za-z]"), lambda v: es_dni.is_valid(v.upper()), False),
    Scheme("ie.pps", _s(r"\d{7}[A-Wa-w][A-IWa-iw]?"), lambda v: ie_pps.is_valid(v.upper()), False),
    Scheme("pt.cc", _s(r"\d{8} ?\d ?[A-Za-z]{2}\d"), lambda v: pt_cc.is_valid(v.upper()), False),
    Scheme("fi.hetu", _s(r"\d{6}[-+A-FU-Ya-fu-y]\d{3}[0-9A-Ya-y]"), hetu_ok, False),
    Scheme("se.personnummer", _s(r"(?:\d{2})?\d{6}[-+]\d{4}"), se_pnr.is_valid, False),
    Scheme("lv.personas_kods", _s(r"\d{6}-\d{5}"), lambda v: lv_pvn.is_valid(v) and v[0] in "0123", False),
    Scheme("fr.nir", _s(r"[12] ?\d{2} ?\d{2} ?(?:\d{2}|2[ABab]) ?\d{3} ?\d{3} ?\d{2}"),
           lambda v: fr_nir.is_valid(v.upper()), False),
    Scheme("be.nn", _s(r"\d{2}\.\d{2}\.\d{2}-\d{3}\.\d{2}"), be_nn.is_valid, False),
    Scheme("us.ssn", _s(r"\d{3}-\d{2}-\d{4}"), us_ssn.is_valid, False),
    Scheme("cz.rc", _s(r"\d{6}/\d{4}"), cz_rc.is_valid, False),
    Scheme("cz.rc9", _s(r"\d{6}/\d{3}"), cz_rc.is_valid, True),
    Scheme("dk.cpr", _s(r"\d{6}-\d{4}"), dk_cpr.is_valid, True),
    Scheme("gb.nhs", _s(r"\d{3} \d{3} \d{4}|\d{10}"), gb_nhs.is_valid, True),
    Scheme("nl.bsn", _s(r"\d{9}"), nl_bsn.is_valid, True),
    Scheme("us.ssn.raw", _s(r"\d{9}"), us_ssn.is_valid, True),
    Scheme("at.vnr", _s(r"\d{10}"), at_vnr.is_valid, True),
    Scheme("bg.egn", _s(r"\d{10}"), bg_egn.is_valid, True),
    Scheme("se.personnummer.raw", _s(r"\d{10}|\d{12}"), se_pnr.is_valid, True),
    Scheme("dk.cpr.raw", _s(r"\d{10}"), dk_cpr.is_valid, True),
    Scheme("cz.rc.raw", _s(r"\d{9,10}"), cz_rc.is_valid, True),
    Scheme("pl.pesel", _s(r"\d{11}"), pl_pesel.is_valid, True),
    Scheme("de.idnr", _s(r"\d{11}"), de_idnr.is_valid, True),
    Scheme("gr.amka", _s(r"\d{11}"), gr_amka.is_valid, True),
    Scheme("hr.oib", _s(r"\d{11}"), hr_oib.is_valid, True),
    Scheme("ee.ik", _s(r"\d{11}"), ee_ik.is_valid, True),
    Scheme("lt.asmens", _s(r"\d{11}"), lt_asmens.is_valid, True),
    Scheme("be.nn.raw", _s(r"\d{11}"), be_nn.is_valid, True),
    Scheme("ro.cnp", _s(r"\d{13}"), ro_cnp.is_valid, True),
    Scheme("si.emso", _s(r"\d{13}"), si_emso.is_valid, True),
)  # fmt: skip


def _context(text: str, start: int, end: int) -> bool:
    return has_context(text, start, ID_WORDS, 48) or has_context_after(text, end, ID_WORDS, 24)


@lru_cache(maxsize=4096)
def scheme_of(value: str, context: bool) -> str | None:
    """The first scheme whose shape and validator accept ``value`` (labelled schemes only with context)."""
    for scheme in SCHEMES:
        if (context or not scheme.needs_context) and scheme.shape.fullmatch(value) and scheme.is_valid(value):
            return scheme.name
    return None


@lru_cache(maxsize=4096)
def shape_of_scheme(value: str) -> str | None:
    """The first scheme whose shape alone fits ``value`` (no checksum)."""
    return next((scheme.name for scheme in SCHEMES if scheme.shape.fullmatch(value)), None)


def validate(match: regex.Match[str], text: str) -> tuple[int, int] | None:
    """Unlabelled: a scheme's shape and its validator. After a label that names an identity number, the
    shape is enough: a checksum exists to avoid false positives where nothing says what the number is,
    and a labelled number that fails it (a 9xx SSN area, a NINO with an administrative prefix) is still
    somebody's number, or a typo of one."""
    start, end = match.span("id")
    value = match.group("id")
    if scheme_of(value, False) is not None:
        return start, end
    if _context(text, start, end) and shape_of_scheme(value) is not None:
        return start, end
    return None


DETECTOR = PatternDetector(
    name="NATIONAL_ID",
    pattern=PATTERN,
    validate=validate,
    trigger=(
        r"[A-Z]{6}[\dLMNP-V]{2}[A-Z]|[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]|"
        r"\d{7}|\d{6}[-+/A-FU-Ya-fu-y]\d{3}|\d{3}-\d{2}-\d{4}|\d{2}\.\d{2}\.\d{2}-\d{3}|\d{3} \d{3} \d{4}|"
        r"[12] \d{2} \d{2} (?:\d{2}|2[ABab]) \d{3}"
    ),
    max_len=24,
    priority=88,
    examples=(
        Example("CF RSSMRA85T10A562S, DNI 12345678Z, NIE X1234567L", ("RSSMRA85T10A562S", "12345678Z", "X1234567L")),
        Example("NINO AB 12 34 56 C and SSN 536-90-4399", ("AB 12 34 56 C", "536-90-4399")),
        Example("mijn BSN is 111222333; PESEL: 44051401359", ("111222333", "44051401359")),
        Example("NIR 1 84 12 76 451 089 46, personnummer 811228-9874", ("1 84 12 76 451 089 46", "811228-9874")),
        Example("order 111222333 and 44051401359; 000-12-3456 and QQ 12 34 56 C are invalid", ()),
        Example("my social security number is 912-34-5678", ("912-34-5678",)),
        Example("National Insurance number: QQ 12 34 56 C", ("QQ 12 34 56 C",)),
    ),
)
