"""The offline name lexicon behind the PERSON detector, built from Faker's per-locale name lists (MIT).

``python -m scrubber.detectors.person_lexicon`` regenerates ``data/person_names.txt`` (needs Faker and
spaCy installed; neither is needed at run time). Names that are also common words in one of the
languages (spaCy's stop-word lists) stay in the name lists but are also listed as common words, so
"Will", "Otto" or "Mark" count as a name only with a surname, a cue or a verb such as "said"; months and
weekdays are dropped.
"""

from __future__ import annotations

import importlib
import importlib.resources
import sys
from functools import lru_cache
from pathlib import Path

from scrubber.detectors.base import words

# Faker person locales of the EU member states, the UK and the US.
LOCALES: tuple[str, ...] = (
    "bg_BG", "cs_CZ", "da_DK", "de_AT", "de_DE", "de_LU", "el_GR", "en_GB", "en_IE", "en_US", "es_ES", "et_EE",
    "fi_FI", "fr_BE", "fr_FR", "ga_IE", "hr_HR", "hu_HU", "it_IT", "lt_LT", "lv_LV", "nl_BE", "nl_NL", "pl_PL",
    "pt_PT", "ro_RO", "sk_SK", "sl_SI", "sv_SE",
)  # fmt: skip

STOPWORD_LANGS = ("en", "de", "fr", "es", "it", "nl", "pl", "sv", "da", "fi", "pt", "ro", "cs", "sk", "sl", "hr",
                  "hu", "lt", "lv", "et", "el", "bg", "ga")  # fmt: skip

CALENDAR_WORDS = frozenset(
    words(
        """
    january february march april may june july august september october november december monday tuesday
    wednesday thursday friday saturday sunday januar februar märz maerz april mai juni juli august september
    oktober november dezember montag dienstag mittwoch donnerstag freitag samstag sonntag janvier février
    fevrier mars avril mai juin juillet août aout septembre octobre novembre décembre lundi mardi mercredi
    jeudi vendredi samedi dimanche enero febrero marzo abril mayo junio julio agosto septiembre octubre
    noviembre diciembre lunes martes miércoles jueves viernes sábado domingo gennaio febbraio marzo aprile
    maggio giugno luglio agosto settembre ottobre novembre dicembre lunedì martedì mercoledì giovedì venerdì
    sabato domenica januari februari maart april mei juni juli augustus september oktober november december
    maandag dinsdag woensdag donderdag vrijdag zaterdag zondag styczeń luty marzec kwiecień maj czerwiec
    lipiec sierpień wrzesień październik listopad grudzień janeiro fevereiro março abril maio junho julho
    agosto setembro outubro novembro dezembro christmas easter weihnachten ostern noël pâques navidad pascua
    natale pasqua
    """
    )
)

# Capitalised words that start sentences or fill salutations but are names in some locale's list.
COMMON_WORDS = frozenset(
    words(
        """
    will may mark bill grace hope joy faith rose page max art frank sunny summer autumn winter spring star
    angel son sky king major dean chase rich hunter miles read reading price lane young long hill wood day
    white black green brown gray grey bell love north south west east rock stone field forest river ocean
    team all everyone there sir madam folks guys support customer user friends colleagues kollegen tous
    equipo hello hi hey thanks thank dear welcome please sorry yes no okay ok good great nice cool well god
    lord santa san saint st sankt new old big little liberty justice victory
    """
    )
)


def _names(provider: type, kind: str) -> set[str]:
    out: set[str] = set()
    for attribute in dir(provider):
        if kind not in attribute or attribute.startswith("_") or "format" in attribute:
            continue
        value = getattr(provider, attribute)
        if isinstance(value, dict | list | tuple | set | frozenset):
            out.update(v for v in value if isinstance(v, str))
    return out


def build() -> tuple[list[str], list[str], list[str]]:
    """(first names, last names, common words) from Faker and spaCy's stop words. Multi-word surnames are split."""
    stop: set[str] = set(CALENDAR_WORDS) | COMMON_WORDS
    for lang in STOPWORD_LANGS:
        try:
            module = importlib.import_module(f"spacy.lang.{lang}.stop_words")
        except ImportError:
            continue
        stop.update(w.lower() for w in module.STOP_WORDS)
    first: set[str] = set()
    last: set[str] = set()
    for locale in LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        first.update(_names(provider, "first_name"))
        for name in _names(provider, "last_name"):
            last.update(part for part in name.replace("-", " ").split() if part[:1].isupper())

    def keep(n: str) -> bool:
        return len(n) >= 2 and n.lower() not in CALENDAR_WORDS and n[:1].isupper() and n.replace("'", "").isalpha()

    common = sorted(w for w in stop if w.isalpha() and len(w) > 1)
    return sorted(n for n in first if keep(n)), sorted(n for n in last if keep(n)), common


DATA = "person_names.txt"


def write(path: Path) -> None:
    first, last, common = build()
    header = (
        "# Generated by `python -m scrubber.detectors.person_lexicon` from Faker's person providers\n"
        "# (https://github.com/joke2k/faker, MIT licence, Copyright (c) 2012 Daniele Faraglia),\n"
        f"# locales: {' '.join(LOCALES)}\n"
        "# and spaCy's stop-word lists (MIT), languages: " + " ".join(STOPWORD_LANGS) + "\n"
        "# Sections: [first], [last] (names), [common] (lower-case words that never count as a name alone).\n"
    )
    body = "[first]\n" + "\n".join(first) + "\n[last]\n" + "\n".join(last) + "\n[common]\n" + "\n".join(common)
    path.write_text(header + body + "\n", encoding="utf-8")


@lru_cache(maxsize=1)
def load() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(first names, last names, common words) as shipped in ``data/person_names.txt``."""
    text = importlib.resources.files("scrubber.detectors").joinpath("data", DATA).read_text(encoding="utf-8")
    sections: dict[str, set[str]] = {"first": set(), "last": set(), "common": set()}
    current = "first"
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            current = line.strip("[]")
            continue
        sections[current].add(line)
    return frozenset(sections["first"]), frozenset(sections["last"]), frozenset(sections["common"])


if __name__ == "__main__":
    target = Path(__file__).with_name("data") / DATA
    write(target)
    f, la, co = load.__wrapped__()
    print(f"wrote {target}: {len(f)} first names, {len(la)} last names, {len(co)} common words", file=sys.stderr)
