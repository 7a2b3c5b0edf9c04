"""Street addresses with a house number, and postcodes next to a place.

ADDRESS covers the street part: the house number, the street name and a flat, suite or floor after it:

- number first, street type last (US/UK: ``221B Baker Street``, ``350 5th Ave, Suite 300``), a US grid
  street after a direction (``730 N. Franklin``), a numbered road (``5658 State Highway 27``);
- street type first, number last or first (``Via Roma 10``, ``ul. Marszałkowska 10/5``, ``12 rue de la Paix``,
  ``Calle de Alcalá, 45``);
- one word ending in a street suffix, then the number (``Friedrichstraße 123``, ``Keizersgracht 123``,
  ``Drottninggatan 5``, ``Berliner Str. 12``, ``Am Markt 3``);
- a post-office box (``PO Box 1``, ``Postfach 100220``).

POSTCODE covers the postcode only: the town stays, since a town alone identifies no one. A postcode is
taken when its shape says so on its own (UK, Canada, a US ZIP after a state), or next to a capitalised
town when a street, a label ("PLZ", "zip code") or a line start is beside it, or the town is a known place.
``places_in_postal_lines`` keeps a town next to a postcode from being read as a person's name.

The street words come from each language's postal conventions, written here by hand. The forms for US grid
streets, numbered roads, PO boxes and Catalan street words were added after reading misses on the dev
address tables (``fixtures/real_text/addresses.dev.jsonl``); the held-out countries were never read.
"""

from __future__ import annotations

import regex

from scrubber.detectors.base import Example, PatternDetector, Span, compile_pattern, context_words, has_context
from scrubber.detectors.person import DETECTOR as PERSON
from scrubber.detectors.vocabulary import load_places

# A street type that comes before the name, in any case: "rue", "Via", "ul.", "C/".
TYPES_BEFORE = (
    # French
    "rue", "avenue", "av", "boulevard", "bd", "bld", "place", "pl", "chemin", "ch", "allée", "impasse", "imp",
    "quai", "route", "rte", "cours", "passage", "square", "faubourg", "fbg", "chaussée", "esplanade", "sentier",
    "voie", "parvis", "rond-point", "cité", "hameau", "lieu-dit",
    # Italian
    "via", "viale", "piazza", "piazzale", "corso", "largo", "vicolo", "strada", "contrada", "borgo",
    "lungomare", "lungarno", "salita", "calle",
    # Spanish
    "c/", "c.", "avenida", "carrer", "avinguda", "passeig", "plaça", "travessera", "avda", "plaza", "pza", "paseo",
    "pº", "carrera", "camino", "ronda", "travesía", "glorieta",
    "carretera", "ctra", "rambla", "urbanización", "urb",
    # Portuguese
    "rua", "r", "travessa", "tv", "praça", "largo", "alameda", "estrada", "praceta", "beco", "calçada",
    # Polish
    "ul", "ulica", "al", "aleja", "aleje", "pl", "plac", "os", "osiedle", "rondo", "skwer",
    # Dutch and Flemish (as separate words before the name)
    "laan van", "plein", "straat",
    # English with the type first
    "rue de",
)  # fmt: skip

# English street types after the name. ``STRONG`` ones also take lower-case names ("42 main street").
TYPES_AFTER_STRONG = (
    "street", "st", "road", "rd", "avenue", "ave", "av", "boulevard", "blvd", "lane", "ln", "highway", "hwy",
    "parkway", "pkwy", "expressway", "turnpike",
)  # fmt: skip
TYPES_AFTER_CAPITALISED = (
    "Drive", "Dr", "Court", "Ct", "Place", "Pl", "Way", "Terrace", "Ter", "Close", "Crescent", "Cres", "Square",
    "Sq", "Circle", "Cir", "Trail", "Trl", "Row", "Gardens", "Gdns", "Grove", "Hill", "Mews", "Walk", "Plaza",
    "Parade", "Broadway", "Quay", "Wharf", "Green", "Park", "Pike", "Loop", "Alley", "Path", "Heights",
    "Vale", "View", "Rise", "Chase", "Esplanade", "Embankment", "Centre", "Center",
)  # fmt: skip

# Endings of one-word street names (German, Dutch, Nordic), and the same words standing alone.
SUFFIXES = (
    # German
    "straße", "strasse", "str", "weg", "gasse", "platz", "allee", "ring", "damm", "ufer", "chaussee", "steig",
    "pfad", "markt", "berg", "hof", "graben", "wall", "stieg", "kamp", "twiete", "zeile", "gürtel", "lände",
    # Dutch and Flemish
    "straat", "laan", "weg", "gracht", "plein", "kade", "singel", "dijk", "steeg", "markt", "dreef", "hof",
    "baan", "pad", "wal", "veld", "ring", "kaai", "lei", "vest",
    # Swedish, Danish, Norwegian
    "gatan", "gata", "vägen", "väg", "gränd", "torget", "torg", "stigen", "backen", "gade", "vej", "allé",
    "plads", "stræde", "torv", "gate", "gaten", "veien", "vei", "plass", "veg", "vagen", "vag", "gatan",
    # Finnish
    "katu", "tie", "kuja", "polku", "tori", "aukio", "raitti", "rinne", "kaari", "puistikko",
)  # fmt: skip

# German and Dutch street names that are a preposition and a noun: "Am Markt 3", "Unter den Linden 77".
PREPOSITIONS = (
    "Am", "An der", "An den", "Auf der", "Auf dem", "Im", "In der", "In den", "Unter den", "Zum", "Zur", "Hinter der",
    "Vor dem", "Op de", "Aan de", "In de", "Bij de", "Achter de", "Over de",
)  # fmt: skip

# Lower-case words inside street names.
PARTICLES = (
    "de", "la", "le", "les", "du", "des", "d'", "l'", "del", "della", "delle", "dei", "degli", "di", "da", "dos",
    "das", "do", "e", "y", "et", "of", "the", "and", "van", "der", "den", "het", "von", "und", "am", "an", "auf",
    "sur", "sous", "en", "al", "à", "au", "aux",
)  # fmt: skip

# A flat, suite or floor after the street part.
UNIT_WORDS = (
    "apt", "apartment", "suite", "ste", "unit", "flat", "floor", "fl", "room", "rm", "bldg", "building", "#",
    "wohnung", "whg", "etage", "stock", "og", "app", "appt", "appartement", "bât", "bâtiment", "étage", "esc",
    "escalera", "piso", "puerta", "scala", "interno", "int", "bus", "boîte", "bte", "m", "lok", "lokal",
    "andar", "lgh", "lägenhet", "flr",
)  # fmt: skip

# US state and territory codes, for ZIP codes ("Springfield, IL 62704").
US_STATES = (
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY",
    "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH",
    "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "PR", "VI", "GU",
    "AS", "MP",
)  # fmt: skip

US_STATE_NAMES = (
    "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut", "Delaware", "Florida",
    "Georgia", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa", "Kansas", "Kentucky", "Louisiana", "Maine",
    "Maryland", "Massachusetts", "Michigan", "Minnesota", "Mississippi", "Missouri", "Montana", "Nebraska", "Nevada",
    "New Hampshire", "New Jersey", "New Mexico", "New York", "North Carolina", "North Dakota", "Ohio", "Oklahoma",
    "Oregon", "Pennsylvania", "Rhode Island", "South Carolina", "South Dakota", "Tennessee", "Texas", "Utah",
    "Vermont", "Virginia", "Washington", "West Virginia", "Wisconsin", "Wyoming", "D.C.", "Puerto Rico",
)  # fmt: skip


def _alternatives(words: tuple[str, ...]) -> str:
    escaped = sorted({regex.escape(w).replace(r"\ ", " ") for w in words}, key=len, reverse=True)
    return "|".join(escaped)


def _cased(words: tuple[str, ...], upper_from: int = 4) -> str:
    """Lower-case, capitalised and (from ``upper_from`` letters) upper-case forms: "rue", "Rue", "RUE"; not "OS"."""
    forms = {form for word in words for form in (word, word[:1].upper() + word[1:], word.lower())}
    forms |= {word.upper() for word in words if len(word) >= upper_from}  # "RUE", "STRASSE"; not "OS" or "AL"
    return _alternatives(tuple(forms))


_NAME_WORD = r"\p{Lu}[\p{L}\p{M}'’.-]*"  # a capitalised word of a street name
_PARTICLE = rf"(?:{_alternatives(PARTICLES)})"
_ORDINAL = r"\d{1,3}(?:st|nd|rd|th|ST|ND|RD|TH)"
_NAME_TOKEN = rf"(?:{_NAME_WORD}|{_PARTICLE}(?=[ ]|\p{{Lu}})|{_ORDINAL}|\d{{1,3}}(?:er|e|ª|º))"
_HOUSE = (  # 12, 12a, 12 B, 2455-B, 12-14, 641/9, 123-II, 12 bis
    r"\d{1,5}(?:(?:[A-Za-z]|[ ][A-Z]|-[A-Z])(?![\p{L}]))?(?:[-/]\d{1,5}[A-Za-z]?|-[IVX]{1,4})?"
    r"(?:[ ](?:bis|ter|quater)\b)?"
)
_UNIT = (
    rf"(?:,?[ ](?:(?i:{_alternatives(UNIT_WORDS)})\.?[ ]?(?:\#|No\.?|Nr\.?)?[ ]?"
    rf"(?:\d{{1,4}}[A-Za-z]?|[A-Z]{{1,2}}-?\d{{0,3}})\b"
    rf"|(?:{_ORDINAL}|First|Second|Third|Fourth|Fifth|Ground|Top)[ ](?i:floor|fl)\.?)"
    rf"|[ ]\#[ ]?[A-Z0-9-]{{1,6}}\b)"
)
_FLOOR = r"(?:,?[ ]\d{1,2}[ ]?[ºª°][ ]?(?:[A-Za-z]{1,4}\b\.?)?)"  # Spanish "3º B", "2º izq."
_DIRECTION = r"(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West|Northeast|Northwest|Southeast|Southwest)\.?"
_SHORT_DIRECTION = r"(?:N|S|E|W|NE|NW|SE|SW)\.?"
_HIGHWAY = r"(?:(?:US|U\.S\.|State|County|Farm[ ]to[ ]Market)[ ])?(?:Highway|Hwy|Route|Rte|Road|Rd|Interstate)"
_PO_BOX = (
    r"(?:P\.?[ ]?O\.?[ ]?Box|Post[ ]Office[ ]Box|Postfach|Boîte[ ]postale|B\.?P\.?|Apartado(?:[ ]de[ ]correos)?"
    r"|Casella[ ]postale|Postbus|Skrytka[ ]pocztowa|Caixa[ ]postal)[ ]?\d{1,6}"
)

STREET = compile_pattern(
    rf"""
    (?<![\p{{L}}\p{{N}}./#-])
    (?P<id>
      # 1. number, then a numbered road: 5658 State Highway 27, 406 North Highway 71 Business
      (?P<highway>
        {_HOUSE}[ ](?:{_DIRECTION}[ ])?{_HIGHWAY}[ ](?:No\.?[ ]|\#[ ]?)?(?:\d{{1,4}}[A-Z]?|[A-Z]{{1,2}})
        (?:[ ](?:North|South|East|West|Business|Bypass|N|S|E|W)(?![\p{{L}}]))?
      )
    |
      # 2. number first, English type last: 221B Baker Street, 350 5th Ave, 1600 Pennsylvania Ave NW
      (?P<number_first>
        {_HOUSE},?[ ]
        (?:{_DIRECTION}[ ])?
        (?:
          (?:{_NAME_WORD}|{_ORDINAL})[ ](?:{_NAME_TOKEN}[ ]){{0,3}}
          (?:{_cased(TYPES_AFTER_STRONG, 2)}|{_alternatives(TYPES_AFTER_CAPITALISED)}
             |{_alternatives(tuple(t.upper() for t in TYPES_AFTER_CAPITALISED if len(t) > 3))})
        | (?:\p{{Ll}}{{2,}}[ ]){{1,3}}(?:{_alternatives(TYPES_AFTER_STRONG)})
        )
        (?![\p{{L}}])\.?
        (?:,?[ ]{_DIRECTION}(?![\p{{L}}]))?
      )
    # 3. number, a direction, then a name without a type: 730 N. Franklin, 55 West Cermak (US grid streets)
    | (?P<directed>
        {_HOUSE}[ ](?:{_SHORT_DIRECTION}|(?:North|South|East|West|Northeast|Northwest|Southeast|Southwest))[ ]
        (?:{_ORDINAL}|{_NAME_WORD}(?:[ ]{_NAME_WORD})?)(?![\p{{L}}])
      )
    # 4. a post-office box
    | (?P<box>(?<![\p{{L}}]){_PO_BOX})
    # 5. type first, number last: Via Roma 10, ul. Marszałkowska 10/5, Calle de Alcalá, 45
    | (?P<type_first>
        (?<![\p{{L}}])(?:{_cased(TYPES_BEFORE)})\.?[ ](?!(?:the|of|and)[ ])
        (?:{_NAME_TOKEN}[ ]?){{0,5}}{_NAME_WORD}
        ,?[ ](?:(?i:n[º°o.]|nr\.?|no\.?)[ ]?)?{_HOUSE}
      )
    # 6. number first, type first: 12 rue de la Paix, 5 avenue des Champs-Élysées
    | (?P<number_type>
        {_HOUSE},?[ ](?:{_cased(TYPES_BEFORE)})\.?[ ]
        (?:{_NAME_TOKEN}[ ]){{0,5}}{_NAME_WORD}
      )
    # 7. a word ending in a street suffix, then the number: Friedrichstraße 123, Berliner Str. 12
    | (?P<suffix>
        (?:
          (?:{_NAME_WORD}[ -]){{0,3}}\p{{Lu}}[\p{{L}}-]*?(?:{_alternatives(SUFFIXES)})
        | (?:{_NAME_WORD}[ -]){{1,3}}(?:{_cased(SUFFIXES)})
        | (?:{_alternatives(PREPOSITIONS)})[ ](?:{_NAME_WORD}[ ]){{0,2}}{_NAME_WORD}
        )
        (?![\p{{L}}])\.?,?[ ](?:(?i:nr\.?|no\.?)[ ]?)?{_HOUSE}
      )
    )
    {_UNIT}?{_FLOOR}?
    (?![\p{{L}}\p{{N}}]|[.,]\d)
    """
)

# A number after one of these words counts something else: "chapter 3 Apache Way", "step 2 Main Road".
_COUNTING_WORDS = regex.compile(
    r"(?<![\p{L}])(?i:chapter|section|sect|step|page|p|figure|fig|table|version|v|item|line|issue|rule|phase|level|part|"
    r"day|week|option|case|no|number|nr|episode|season|volume|vol|round|stage|lesson|exercise|example|top|"
    r"seite|kapitel|schritt|chapitre|étape|capitolo|capítulo|paso|hoofdstuk|stap|rozdział|krok)"
    r"\.?[ ]?#?$",
    regex.VERSION0,
)
# Case-sensitive prefilters, one per word order; each fires on a superset of what its branch matches.
STREET_TRIGGERS = (
    rf"\d[A-Za-z]?,? (?:[^ \n]+ ){{1,4}}"
    rf"(?:{_cased(TYPES_AFTER_STRONG, 2)}|{_alternatives(TYPES_AFTER_CAPITALISED)})(?:[ .,;)\n]|$)",
    rf"\b(?:{_cased(TYPES_BEFORE)})\.? [^\n]*\d",  # a bounded gap makes the database too large
    rf"\d[A-Za-z]?,? (?:{_cased(TYPES_BEFORE)})[ .]",
    r"\d[A-Za-z]? (?:N|S|E|W|NE|NW|SE|SW|North|South|East|West|Northeast|Northwest|Southeast|Southwest)\.? [A-Z0-9]",
    r"\d (?:[A-Za-z.]+ )?(?:Highway|Hwy|Route|Rte|Road|Rd|Interstate) ",
    r"(?i:p\.? ?o\.? ?box|post office box|postfach|bo[iî]te postale|b\.?p\.?|apartado|casella postale|postbus"
    r"|skrytka pocztowa|caixa postal) ?\d",
    rf"(?:{_cased(SUFFIXES)})\.?,? (?:(?:Nr|No)\.? ?)?\d",
    rf"\b(?:{_alternatives(PREPOSITIONS)}) [^\n]{{1,40}}\d",
)


def validate_street(match: regex.Match[str], text: str) -> tuple[int, int] | None:
    start = match.start("id")
    end = match.end()
    value = text[start:end]
    if match.group("number_first") or match.group("number_type"):
        number = regex.match(r"\d+", value)
        if number is None or (len(number.group()) == 4 and 1900 <= int(number.group()) <= 2099):
            # "in 2019 Apple Park opened": a year is not a house number unless a unit or direction follows.
            return None
        if _COUNTING_WORDS.search(text, max(0, start - 16), start) is not None:
            return None
    return start, end


STREET_DETECTOR = PatternDetector(
    name="ADDRESS",
    pattern=STREET,
    validate=validate_street,
    trigger=STREET_TRIGGERS,
    max_len=140,
    priority=65,
    examples=(
        Example("ship to 221B Baker Street, London NW1 6XE", ("221B Baker Street",)),
        Example("Friedrichstraße 123, 10117 Berlin", ("Friedrichstraße 123",)),
        Example("abito in via Roma 10, Milano", ("via Roma 10",)),
        Example("12 rue de la Paix, 75002 Paris", ("12 rue de la Paix",)),
        Example("ul. Marszałkowska 10/5, 00-950 Warszawa", ("ul. Marszałkowska 10/5",)),
        Example("350 5th Ave, Suite 300, New York", ("350 5th Ave, Suite 300",)),
        Example("Keizersgracht 123-II", ("Keizersgracht 123-II",)),
        Example("Calle de Alcalá, 45, 3º B", ("Calle de Alcalá, 45, 3º B",)),
        Example("the street has 3 lanes", ()),
        Example("see chapter 3 of the Apache Way", ()),
    ),
)

POSTCODE_WORDS = context_words(
    "postcode", "post code", "postal code", "zip", "zip code", "zipcode", "plz", "postleitzahl", "code postal",
    "cp", "cap", "código postal", "codice postale", "kod pocztowy", "kod", "postnummer",
    "postinumero", "código", "c.p.",
)  # fmt: skip

_PLACE = r"(?:,?[ ]?)\p{Lu}[\p{L}\p{M}'’-]+"
POSTCODE = compile_pattern(
    rf"""
    (?<![\p{{L}}\p{{N}}./:#-])
    (?:
      (?P<uk>[A-Z]{{1,2}}\d[A-Z\d]?[ ]\d[ABD-HJLNP-UW-Z]{{2}})     # SW1A 1AA, M1 1AE
    | (?P<ca>[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z][ ]\d[ABCEGHJ-NPRSTV-Z]\d)  # K1A 0B1
    # a ZIP after a state: IL 62704, Pennsylvania 15705, N.Y. 11211, NY 10001-1234
    | (?:(?:{"|".join(US_STATES)}|{_alternatives(US_STATE_NAMES)}|[A-Z]\.[A-Z]\.),?[ ](?P<zip>\d{{5}}(?:-\d{{4}})?))
    # after a place: Seoul 06164
    | (?:(?P<place_before>\p{{Lu}}[\p{{L}}\p{{M}}'’-]+),?[ ](?P<after>\d{{4,6}})(?=[ ]?[,\n]|[ ]\p{{Lu}}|$))
    | (?P<before>                                             # before a place: 10117 Berlin, 1012 AB Amsterdam
        (?:[A-Z]{{1,2}}-)?
        (?:\d{{4}}[ ]?[A-Z]{{2}}(?![\p{{L}}])|\d{{2}}-\d{{3}}|\d{{4}}-\d{{3}}|\d{{5}}-\d{{3}}|\d{{3}}-\d{{4}}
          |\d{{3}}[ ]\d{{2}}|\d{{4,6}})
      )
      (?=(?P<place>{_PLACE}))?
    )
    (?![\p{{L}}\p{{N}}]|[.,]\d)
    """
)

_STRONG_SHAPE = regex.compile(
    r"\d{4}[ ]?[A-Z]{2}|\d{2}-\d{3}|\d{4}-\d{3}|\d{5}-\d{3}|\d{3}-\d{4}|[A-Z]{1,2}-\d{4,5}", regex.VERSION0
)
_SEPARATOR_BEFORE = regex.compile(r"[ ]?[,\n][ ]?$|[ ]$", regex.VERSION0)
_YEAR = regex.compile(r"(?:19|20)\d\d", regex.VERSION0)


def _streets_before(text: str, end: int, lo: int = 0) -> list[int]:
    """Where the street addresses in the ``max_len`` characters before ``end`` (and from ``lo`` on) end."""
    start = max(lo, end - STREET_DETECTOR.max_len, 0)
    return [span.end for span in STREET_DETECTOR.find(text[:end], start)]


def _after_street(text: str, start: int) -> bool:
    """A street address ends right before ``start``, apart from a comma, a space or a line break."""
    separator = _SEPARATOR_BEFORE.search(text, max(0, start - 3), start)
    return separator is not None and separator.start() in _streets_before(text, separator.start())


def _street_on_line(text: str, start: int) -> bool:
    """A street address stands earlier on the line of ``start`` ("1044 Lake Shore Boulevard, Evanston, 60202")."""
    return bool(_streets_before(text, start, text.rfind("\n", 0, start) + 1))


_PLACE_AFTER = regex.compile(_PLACE, regex.VERSION0)


def validate_postcode(match: regex.Match[str], text: str) -> tuple[int, int] | None:
    if match.group("after") is not None:  # after a place: known place or right after a street
        start, end = match.span("after")
        known = match.group("place_before") in load_places() or _street_on_line(text, start)
        if known and not _YEAR.fullmatch(match.group("after")):
            return start, end
        place_after = _PLACE_AFTER.match(text, end)
        return _before_place(text, start, end, place_after.group() if place_after else "")
    if match.group("zip") is not None:
        start, end = match.span("zip")
        return start, end
    if match.group("before") is None:  # a shape that is enough on its own
        start, end = match.span()
        return start, end
    start, end = match.span("before")
    return _before_place(text, start, end, match.group("place") or "")


def _before_place(text: str, start: int, end: int, place: str) -> tuple[int, int] | None:
    """A postcode before a place ("10117 Berlin"): after a label, after a street, or of a telling shape or
    before a known place at the start of a line or after a comma."""
    code = text[start:end]
    before = text[max(0, start - 24) : start]
    place = place.lstrip(", ")
    line_start = before.endswith("\n") or start == 0
    if has_context(text, start, POSTCODE_WORDS, 24):
        return start, end
    if not place:
        return None
    if _after_street(text, start):
        return start, end
    if _STRONG_SHAPE.fullmatch(code) and (line_start or before.endswith(", ")):
        return start, end
    if place in load_places() and not _YEAR.fullmatch(code) and (line_start or before.endswith((", ", "; "))):
        return start, end
    return None


POSTCODE_DETECTOR = PatternDetector(
    name="POSTCODE",
    pattern=POSTCODE,
    validate=validate_postcode,
    trigger=(
        r"[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}",  # UK
        r"[A-Z]\d[A-Z] \d[A-Z]\d",  # Canada
        r"\b(?:[A-Z]{2}|[A-Z]\.[A-Z]\.),? \d{5}",  # a ZIP after a state code
        rf"(?:{_alternatives(US_STATE_NAMES)}),? \d{{5}}",  # after a state name
        r"[A-Z](?:[a-z]|[^\x00-\x7F])+,? \d{4,6}(?: ?[,\n]|$| [A-Z])",  # after a place
        r"\d{4,6},? (?:[A-Z](?:[a-z]|[^\x00-\x7F])|[^\x00-\x7F])",  # before a place
        r"\d{4} ?[A-Z]{2},? [A-Z]|\d{2,5}-\d{3,4},? [A-Z]|\d{3} \d{2},? [A-Z]|[A-Z]{1,2}-\d{4,5} [A-Z]",
        r"(?i:zip|postcode|post code|postal|plz|postleitzahl|code postal|c\.p\.|cap[ :]|c[oó]digo postal|codice postale"
        r"|kod pocztowy|postnummer|postinumero)[^\n]*\d",
    ),
    max_len=64,
    priority=62,
    examples=(
        Example("Friedrichstraße 123, 10117 Berlin", ("10117",)),
        Example("Keizersgracht 123\n1015 CJ Amsterdam", ("1015 CJ",)),
        Example("London SW1A 2AA", ("SW1A 2AA",)),
        Example("Springfield, IL 62704", ("62704",)),
        Example("PLZ 80331 München", ("80331",)),
        Example("00-950 Warszawa", ("00-950",)),
        Example("we had 2000 Users and 8080 Port", ()),
        Example("in 2019 Berlin was", ()),
    ),
)


_STATE_BETWEEN = regex.compile(
    rf"[ ]?,?[ ](?:(?:{'|'.join(US_STATES)}|{_alternatives(US_STATE_NAMES)}),?[ ])?", regex.VERSION0
)


def places_in_postal_lines(text: str, spans: list[Span]) -> list[Span]:
    """Drop PERSON spans that are the town of a postal line: right before a postcode ("Brooklyn, NY 11226",
    "Little Rock, AR 72201") or right after one ("8606 Greifensee"), unless they start with a first name
    ("John Smith, NY 10001" stays a name). A town identifies no one, and text that keeps it stays useful;
    the street part and the postcode are replaced either way."""
    kept: list[Span] = []
    for i, span in enumerate(spans):
        value = text[span.start : span.end]
        # A span with a digit has swallowed another detector's span while overlaps were merged: it stays.
        # A name that starts with a known first name stays a name even there ("John Smith, NY 10001").
        if (
            span.kind == "PERSON"
            and not any(c.isdigit() for c in value)
            and value.count(" ") < 4
            and not PERSON.starts_with_first_name(value)
        ):
            after = spans[i + 1] if i + 1 < len(spans) else None
            before = spans[i - 1] if i else None
            if after is not None and after.kind == "POSTCODE":
                between = _STATE_BETWEEN.fullmatch(text, span.end, after.start)
                if between is not None:
                    continue
            if before is not None and before.kind == "POSTCODE" and text[before.end : span.start] == " ":
                continue
        kept.append(span)
    return kept
