"""Person names without an NER model: context cues, a first-name/surname lexicon and capitalisation.

A candidate is a run of one to four capitalised name tokens (Anna, O'Brien, Jean-Luc, McDonald, an
initial "J.") that may be joined by particles (van der, de la, von, di ...). A candidate is a PERSON if
  * a cue stands right before it: a greeting (Hi, Dear, Hallo, Bonjour ...), a self-introduction (my name
    is, ich heiße, je m'appelle ...), a title (Mr, Dr, Frau, Mme, Sr., Pan ...), a header (From:, Name:,
    Patient:), or a closing line (Best regards,\\n ... Mit freundlichen Grüßen\\n);
  * or it starts with a known first name (Faker's lists for the EU, UK and US locales);
  * or it is two tokens ending in a known surname.
After a self-introduction, names written in lower case are taken too if the lexicon knows them.
Upper-case words (FEEDBACK) never count. Opt-in NER on top: ``scrubber.integrations.presidio``.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence

import regex

from scrubber.detectors.base import Example, Span, words
from scrubber.detectors.person_lexicon import load
from scrubber.detectors.vocabulary import load as load_vocabulary
from scrubber.detectors.vocabulary import load_places

_TOKEN = r"(?:\p{Lu}\.|\p{Lu}['’]\p{L}\p{Ll}+|\p{Lu}\p{Ll}+(?:\p{Lu}\p{Ll}+)?(?:-\p{Lu}\p{Ll}+)?)"
_PARTICLE = r"(?:van|von|de|der|den|di|da|du|del|della|dei|la|le|dos|das|af|zu|ten|ter|y|bin|ibn|mac|st\.)"

SEQUENCE = regex.compile(
    rf"""
    (?<![\p{{L}}\p{{N}}_@.'’-])              # a token starts here (not inside a word, e-mail or handle)
    {_TOKEN}                                 # first name token
    (?:[ ](?:{_PARTICLE}[ ]){{0,3}}{_TOKEN}){{0,3}}   # up to three more, maybe joined by particles
    (?![\p{{L}}\p{{N}}_@-]|['’](?!s\b))      # ends at a word boundary (a possessive 's may follow)
    """,
    regex.VERBOSE | regex.VERSION0,
)

# Ranks, offices and titles of nobility, clergy and the military, which news text writes before a surname
# ("le capitaine Boyenval", "Graf Haller", "Senator Warren"). Words that also start names of things
# ("General Motors", "Major League", "Private Equity") are left out.
RANKS = words(
    """
    captain capt colonel lieutenant sergeant sgt commander admiral corporal detective inspector senator
    governor president vice-president chancellor mayor minister premier ambassador prince princess duke
    duchess countess lord lady baron baroness earl reverend rev bishop archbishop cardinal pope professor
    doctor capitaine lieutenant commandant sergent caporal amiral maréchal général comte comtesse duc
    duchesse marquis marquise vicomte baronne princesse roi reine docteur abbé maître me mm président
    ministre préfet maire sénateur député juge graf gräfin grafen fürst fürstin freiherr freifrau herzog
    herzogin prinz prinzessin könig königin kaiser kaiserin oberst hauptmann leutnant feldmarschall doktor
    pfarrer bischof kanzler präsident bürgermeister richter herrn hrn kapitein kolonel generaal luitenant
    majoor graaf gravin hertog prinses koning koningin dokter pastoor burgemeester rechter jonkheer jhr
    capitán coronel teniente conde condesa duque rey reina presidente alcalde ministro capitano colonnello
    generale tenente conte contessa duca regina dottore sindaco capitão rainha kapitan pułkownik generał
    porucznik hrabia król królowa książę ksiądz prezydent
    """
)
# Kin and relations before a name ("his wife Manju Sam", "mon frère Paul", "mein Sohn Jonas").
KIN = words(
    """
    wife husband son daughter mother father brother sister uncle aunt cousin nephew niece grandson
    granddaughter grandmother grandfather girlfriend boyfriend fiancé fiancée femme mari fils fille mère père
    frère sœur oncle tante cousine neveu nièce sohn tochter mutter vater bruder schwester onkel tante
    ehemann ehefrau vrouw zoon dochter moeder vader broer zus oom tante esposa esposo marido hijo hija madre
    padre hermano hermana moglie marito figlio figlia fratello sorella żona mąż syn córka
    """
)

# Words and phrases that, right before a capitalised run (same line, or a closing line above it), mark a name.
CUE_PHRASES = frozenset(
    phrase.replace("_", " ")
    for phrase in words(
        """
    hi hii hello hey dear dearest hallo hej hei moin servus liebe lieber sehr_geehrte sehr_geehrter bonjour
    salut coucou cher chère hola querido querida estimado estimada ciao caro cara gentile egregio buongiorno
    olá ola cześć witaj drogi droga szanowny szanowna szanowni_państwo beste geachte hoi goedemorgen tere
    labas sveiki ahoj zdravo bok szia bună buna thanks thank_you cheers danke merci gracias grazie obrigado
    obrigada dzięki dank_je tack my_name_is my_name's i_am i'm this_is it's call_me name names named called
    ich_heiße ich_heisse ich_bin mein_name_ist je_m'appelle je_suis mon_nom_est me_llamo soy mi_nombre_es
    mi_chiamo sono il_mio_nome_è nazywam_się jestem mam_na_imię jag_heter jag_är mitt_namn_är mijn_naam_is
    ik_heet ik_ben chamo-me o_meu_nome_é sou jeg_hedder mit_navn_er nimeni_on minun_nimeni_on mă_numesc
    jmenuji_se volám_sa mr mrs ms miss mx dr prof sir dame herr frau fr hr monsieur madame mme mlle m señor
    señora sr sra srta don doña signor signora sig sig.ra dott dott.ssa ing avv pan pani panie heer mevrouw
    mevr dhr mag dipl.-ing prof._dr from to cc attn patient customer client kunde kundin contact
    contact_person ansprechpartner signed sincerely regards best_regards kind_regards warm_regards best br
    yours mit_freundlichen_grüßen freundliche_grüße viele_grüße liebe_grüße grüße lg vg mfg gruß
    cordialement bien_à_vous saludos un_saludo atentamente cordiali_saluti saluti distinti_saluti
    met_vriendelijke_groet groeten pozdrawiam z_poważaniem med_vänliga_hälsningar hälsningar mvh
    venlig_hilsen ystävällisin_terveisin terveisin cumprimentos atenciosamente s_pozdravem asked told met
    with by per spoke_to spoke_with talked_to according_to ask tell thanked emailed cc'd and und et e y i
    oder or z mit avec con met med com ao al à a reassigned_to assigned_to forward_to forwarded_to ask_for
    thx thnx tnx ty thank_u ping pinged groetjes pozdrowienia abraço abraços beijos a_presto à_bientôt bises
    hasta_pronto saludos_cordiales mvg cdlt best_wishes all_the_best take_care tschüss bis_bald hilsen
    """
    )
    + RANKS
    + KIN
)
_CUE_ENDINGS = frozenset(p.rsplit(" ", 1)[-1].rstrip(".") for p in CUE_PHRASES if " " in p)
_CUE_STRIP = " \t\r\n,:;—–-"
_WORD_STRIP = ".,:;!?()[]\"'“”„«»"

# Cues so weak that they only confirm a candidate that already looks like a name (a lexicon hit).
WEAK_CUES = frozenset(
    {
        "and",
        "und",
        "et",
        "e",
        "y",
        "i",
        "oder",
        "or",
        "with",
        "by",
        "per",
        "to",
        "from",
        "m",
        "z",
        "mit",
        "avec",
        "con",
        "met",
        "med",
        "com",
        "ao",
        "al",
        "à",
        "a",
    }
)

# Single-word greetings and titles: inside a capitalised run ("Hola José", "Frau Müller") they mark a name.
CUE_TOKENS = frozenset(
    words(
        """
    hi hello hey dear dearest hallo hej hei moin servus liebe lieber bonjour salut coucou cher chère hola
    querido querida estimado estimada ciao caro cara gentile egregio buongiorno olá ola cześć witaj drogi
    droga szanowny szanowna beste geachte hoi tere labas sveiki ahoj zdravo bok szia bună buna thanks danke
    merci gracias grazie obrigado obrigada dzięki tack thx ping groetjes pozdrowienia mr mrs ms miss mx dr
    prof sir dame herr frau fr hr monsieur madame mme mlle m señor señora sr sra srta don doña signor
    signora sig dott ing avv pan pani panie heer mevrouw mevr dhr mag kunde kundin patient customer client
    """
    )
    + RANKS
)

# What follows a greeting without being a name ("Hi Team", "Dear Customer").
SALUTATION_OBJECTS = frozenset(
    words(
        """
    team all everyone everybody there sir madam folks guys support customer customers user users friends
    colleagues kollegen kolleginnen zusammen tous équipe equipo todos tutti ragazzi iedereen allemaal
    wszyscy alla sir/madam
    """
    )
)

# Verbs of speech right after a capitalised word: "Zilmil said", "kannst du Ekbal fragen".
SPEECH_VERBS = frozenset(
    words(
        """
    said says wrote writes told asked replied called emailed mentioned confirmed approved sagte schrieb
    meinte fragte fragen fragt dijo escribió zei schreef vroeg powiedział powiedziała napisał napisała sa
    sade skrev disse escreveu a_dit a_écrit ha_detto ha_scritto
    """
    )
)
SPEECH_VERBS = frozenset(v.replace("_", " ") for v in SPEECH_VERBS)


def speech_verb_after(text: str, end: int) -> bool:
    """True if a speech verb follows the word ending at ``end`` ("Zilmil said", "kannst du Ekbal fragen")."""
    window = text[end : end + 14].lstrip(" ,").lower()
    word = window.split(" ", 1)[0].rstrip(".,;:!?")
    if word in SPEECH_VERBS:
        return True
    return word in ("a", "ha") and " ".join(window.split(" ", 2)[:2]).rstrip(".,;:!?") in SPEECH_VERBS


STRONG_INTRO = regex.compile(
    r"""
    (?:my[ ]name[ ]is|i[ ]am|i'm|call[ ]me|ich[ ]heiße|ich[ ]heisse|mein[ ]name[ ]ist|je[ ]m'appelle|me[ ]llamo
      |mi[ ]chiamo|nazywam[ ]się|jag[ ]heter|mijn[ ]naam[ ]is|ik[ ]heet|chamo-me|jeg[ ]hedder|mă[ ]numesc
      |jmenuji[ ]se|volám[ ]sa|minun[ ]nimeni[ ]on|mam[ ]na[ ]imię)
    [ ]+
    (?P<name>\p{Ll}[\p{Ll}'’-]+(?:[ ]\p{Ll}[\p{Ll}'’-]+){0,2})
    """,
    regex.VERBOSE | regex.VERSION0,
)  # run on the lower-cased text

# Words that address someone by name, after which chat text often writes the name in lower case
# ("ping oliver laumann", "merci philip edelbrock"). Only a first name the lexicon knows starts such a name.
ADDRESS_WORDS = (
    "ping", "thanks", "thank you", "thx", "cc", "hi", "hey", "hello", "dear", "merci", "bonjour", "salut", "danke",
    "hallo", "gracias", "hola", "grazie", "ciao", "bedankt", "dank je", "dzięki", "dziękuję", "obrigado",
    "obrigada", "olá", "tack", "tak", "kiitos", "hej", "moin",
)  # fmt: skip
# The name after an address word, matched right after the word in the lower-cased text.
ADDRESSED_NAME = regex.compile(
    r"[,:]?[ ]+(?P<name>(?:\p{Ll}\.[ ])?\p{Ll}[\p{Ll}'’-]+(?:[ ](?:\p{Ll}\.|\p{Ll}[\p{Ll}'’-]+)){0,3})",
    regex.VERSION0,
)

# CamelCase is how code names things ("MandatoryRelease"); Mc/Mac/De names are the exception.
_IDENTIFIER_CASE = regex.compile(r"(?!Mc|Mac|De|Di|Le|La|Van|Von)\p{Lu}\p{Ll}+\p{Lu}\p{L}*", regex.VERSION0)


def _joins(text: str, index: int) -> bool:
    """True if the character at ``index`` would make a word part of a longer token (letter, digit, _ or -)."""
    if index < 0 or index >= len(text):
        return False
    char = text[index]
    return char.isalnum() or char in "_-"


_ONE_LETTER_WORDS = frozenset("aeiouyzw")  # words of one letter in the supported languages, not initials

SELF_INTRO_KEYS = (
    "my name",
    "name is",
    "i am ",
    "i'm ",
    "call me",
    "heiße",
    "heisse",
    "appelle",
    "llamo",
    "chiamo",
    "nazywam",
    "heter",
    "naam",
    "heet",
    "chamo",
    "hedder",
    "numesc",
    "jmenuji",
    "volám",
    "nimeni",
    "imię",
)
# The gate trigger: a self-introduction or an address word; either may precede a lower-case name.
INTRO_KEYS = SELF_INTRO_KEYS + tuple(f"{word} " for word in ADDRESS_WORDS)
_SPLIT = regex.compile(r"[ ]+")


def _char_class(test: str) -> str:
    """A hyperscan class of the Latin, Greek and Cyrillic letters for which ``str.<test>()`` holds (as ranges)."""
    points = [cp for cp in range(0x41, 0x530) if getattr(chr(cp), test)() and chr(cp).isalpha()]
    points += [cp for cp in range(0x1E00, 0x1F00) if getattr(chr(cp), test)()]
    ranges: list[list[int]] = []
    for cp in points:
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return "[" + "".join(f"\\x{{{a:X}}}" + (f"-\\x{{{b:X}}}" if b > a else "") for a, b in ranges) + "]"


_UP = _char_class("isupper")  # exact: lower-case Latin Extended letters must not look like capitals
_LOW = r"[a-z\x{DF}-\x{2AF}\x{3AC}-\x{3CE}\x{430}-\x{45F}\x{1E00}-\x{1EFF}]"  # a superset is enough here


def _any_case(key: str) -> str:
    """``key`` for a caseless hyperscan pattern: without UCP, (?i) folds only ASCII, so each other letter
    becomes a class of its one-character case forms (É for é, ẞ for ß)."""
    out = []
    for char in key:
        capital = "\u1e9e" if char == "\u00df" else char.upper()  # ß upper-cases to SS; its capital is ẞ
        forms = sorted({f for f in (char, capital, char.lower(), char.title()) if len(f) == 1})
        out.append(f"[{''.join(forms)}]" if not char.isascii() and len(forms) > 1 else regex.escape(char))
    return "".join(out)


# Fires when the text may hold a self-introduction key (any case): the scanner skips the intro pass if not.
INTRO_TRIGGER = "(?i:" + "|".join(_any_case(key) for key in INTRO_KEYS) + ")"


def _trigger() -> tuple[str, ...]:
    strong = (c for c in CUE_PHRASES if c not in WEAK_CUES)  # weak cues only confirm names the lexicon knows
    cues = "|".join(sorted((regex.escape(c, literal_spaces=True) for c in strong), key=len, reverse=True))
    verbs = (
        "said|says|wrote|writes|told|asked|replied|called|emailed|mentioned|confirmed|approved|sagte|schrieb|meinte"
        "|fragte|fragen|fragt|a dit|a écrit|ha detto|ha scritto|dijo|escribió|zei|schreef|vroeg|powiedzia|napisa"
        "|sa|sade|skrev|disse|escreveu"
    )
    particles = _PARTICLE.replace("st\\.", "st[.]")
    return (
        rf"\b(?i:{cues})\b[.,:;!]?(?:[ \t]{{1,3}}|[ \t]*\r?\n[ \t]*(?:\r?\n[ \t]*)?){_UP}",  # cue, then a capital
        rf"{_UP}{_LOW}+[ ](?:{particles}[ ]){{0,3}}{_UP}{_LOW}",  # two capitalised words (maybe with particles)
        rf"{_LOW}[,;]?[ ]{_UP}{_LOW}",  # a capital after a lower-case word
        rf"{_UP}{_LOW}+[ ,]+(?i:{verbs})",  # a capitalised word, then a speech verb
        INTRO_TRIGGER,  # a self-introduction (lower-case names)
        rf"(?:^|\n|[.!?][ ])[ \t]*(?:—|–|--?|~)[ \t]*{_UP}",  # a dash signature: "— Zoe"
        rf"{_UP}{_LOW}+['’]s\b",  # a possessive: "Erik's"
        rf"\b{_UP}\.[ ](?:{_UP}\.[ ])*{_UP}{_LOW}",  # initials, then a capitalised word: "J. R. R. Tolkien"
    )


# Characters a capitalised run is made of (letters, spaces, apostrophes, hyphens, initials' dots); any other
# character ends one, so a window widened to such characters never cuts a run.
_BREAK_BACK = regex.compile(r"[^\p{L} '’.\-]", regex.REVERSE | regex.VERSION0)
_BREAK_FORWARD = regex.compile(r"[^\p{L} '’.\-]", regex.VERSION0)
_REACH = 160  # how far a run can start before a trigger hit (cue + run, or run + speech verb)
_WIDEN = 200  # how far a window is widened to the next break at most


def _windows(text: str, ends: Sequence[int]) -> list[tuple[int, int]]:
    """Merged [lo, hi) windows around trigger hits, widened to characters that cannot be inside a run."""
    out: list[tuple[int, int]] = []
    length = len(text)
    for end in sorted(ends):
        lo, hi = max(0, end - _REACH), min(length, end + _REACH)
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    widened: list[tuple[int, int]] = []
    for lo, hi in out:
        if lo > 0:
            stop = _BREAK_BACK.search(text, max(0, lo - _WIDEN), lo)
            lo = stop.end() if stop else max(0, lo - _WIDEN)
        if hi < length:
            stop = _BREAK_FORWARD.search(text, hi, min(length, hi + _WIDEN))
            hi = stop.start() if stop else min(length, hi + _WIDEN)
        if widened and lo <= widened[-1][1]:
            widened[-1] = (widened[-1][0], max(widened[-1][1], hi))
        else:
            widened.append((lo, hi))
    return widened


# Organisation and place words, written by hand for the supported languages: a capitalised run that ends in
# one ("Stanley Cup", "Montreal Hockey Club", "Deutsche Bank") or, in the Romance and German order, starts
# with one ("Université de Montréal", "Banque de France") names no person. None of them is a common surname.
ORG_HEADS = frozenset(
    words(
        "Academy Agency Airlines Airport Airways Alliance Associates Association Authority Band Bank Bureau "
        "Cathedral Centre Center Championship Championships Club College Commission Committee Company "
        "Conference Congress Corporation Corps Council Country County Cup Department District Division "
        "Festival Foundation Gallery Group Highway Hospital Hotel Institute Island Islands League "
        "Laboratories Laboratory Library Magazine Ministry Monument Mosque Mountains Museum Nations Network "
        "Observatory Office Orchestra Organisation Organization Parliament Party Plates Press Prize "
        "Productions Province Railroad Railway Records Recordings Regiment Republic Reserve River School "
        "Seminary Society Stadium Studios Synagogue Systems Team Technologies Theatre Theater "
        "Tournament Trophy Trust Union United University Universität Klinik Krankenhaus Kirche Gesellschaft "
        "Stiftung Schule Gymnasium Bahnhof Partei Zeitung Armee Verein Verband Ministerium Museum Kloster Dom "
        "Werke Universiteit Kerk Ziekenhuis Maatschappij Vereniging Stichting Partij Krant Kathedraal"
    )
)
ORG_LEADS = frozenset(
    words(
        "Université Universidad Università Universidade Universität Universiteit Banque Banco Banca Musée "
        "Museo Église Iglesia Chiesa Igreja Hôpital Hospital Ospedale Société Sociedad Società Compagnie "
        "Compañía Compagnia Parti Partido Partito Lycée Collège Colegio Liceo Gare Estación Stazione "
        "Ministère Ministerio Ministero Académie Academia Accademia Institut Instituto Istituto Théâtre "
        "Teatro Château Palais Palacio Palazzo Rue Avenue Boulevard Place Piazza Plaza Calle Via Mount Mont "
        "Monte Lake Lac Lago Fort Cape Cap Gulf Golfe Golfo Bay Baie Bahía Isla Isola Île Sierra Río Rio "
        "Gruppo Groupe Grupo Fondation Fundación Fondazione Club Hotel Hôtel Stade Estadio Stadio Camp "
        "Fédération Federación Federazione"
    )
)
# Words of a place or building that are also surnames ("Smith Tower", but "Anna Hall"): a two-word run that
# ends in one names a person only when it starts with a known first name or an initial.
PLACE_HEADS = frozenset(
    words(
        "Hall House Tower Street Road Square Bridge Field Fields Garden Gardens Church Castle Palace Court "
        "Lane Hill Hills Beach Valley Station Point Harbour Harbor Falls Port Bay Lake Forest Green Cross "
        "Gate Wood Woods Mill Temple Arena Plaza Building Market Village Town City Straße Platz Brücke Kanal"
    )
)
# First words of places and organisations ("North America", "United Nations", "New Zealand", "Royal Winter").
PLACE_MODIFIERS = frozenset(
    words(
        "North South East West Northern Southern Eastern Western Central Upper Lower New United Royal Grand "
        "Great National International Federal American British English French German Italian Spanish European "
        "Asian African Canadian Australian Indian Chinese Japanese Russian Dutch Irish Scottish Welsh "
        "Catholic Democratic Republican Liberal Socialist Communist Imperial Holy"
    )
)


# Endings of German abstract nouns and adjectives, which German capitalises ("Eroberung", "Herrschaft",
# "Römischen"): words, not names, though no vocabulary holds them in lower case.
GERMAN_NOUN_ENDINGS = (
    "ung",
    "ungen",
    "heit",
    "heiten",
    "keit",
    "keiten",
    "schaft",
    "schaften",
    "tät",
    "täten",
    "thum",
    "tum",
    "ismus",
    "ischen",
    "ische",
    "ischer",
    "isches",
    "lichen",
    "liche",
    "licher",
)


class CommonWords:
    """Capitalised stop words, and any word whose lower-case form the vocabulary holds (no copy of it)."""

    __slots__ = ("_capitalised", "_lower")

    def __init__(self, capitalised: frozenset[str], lower: frozenset[str]) -> None:
        self._capitalised = capitalised
        self._lower = lower

    def __contains__(self, token: object) -> bool:
        return isinstance(token, str) and (
            token in self._capitalised
            or token.lower() in self._lower
            or (len(token) > 6 and token.endswith(GERMAN_NOUN_ENDINGS))
        )

    def is_stop_word(self, token: str) -> bool:
        """A stop word ("The", "Und"), which a name never ends with; vocabulary words may be surnames."""
        return token in self._capitalised


class PersonDetector:
    """Finds person names; see the module docstring for the rules."""

    name = "PERSON"
    label = "PERSON"
    priority = 30
    max_len = 1 << 30
    # The prefilter (hyperscan): a cue before a capitalised word, two capitalised words in a row, a capitalised
    # word after a lower-case one (mid-sentence), a speech verb after one, or a self-introduction. Plain prose
    # whose only capitals start sentences does not fire it.
    trigger_source = _trigger()
    trigger_caseless = False
    gate_trigger = trigger_source.index(INTRO_TRIGGER)

    examples: tuple[Example, ...] = (
        Example("Hi Anna, thanks for the update.", ("Anna",)),
        Example("Please forward this to Ingrid Svensson by Friday.", ("Ingrid Svensson",)),
        Example("Best regards,\nZbigniew Brzęczyszczykiewicz", ("Zbigniew Brzęczyszczykiewicz",)),
        Example("Dr. Luca van der Berg will call", ("Luca van der Berg",)),
        Example("my name is anna schmidt and I need help", ("anna schmidt",)),
        Example("FEEDBACK: The invoice from May 2024 is CONFIRMED. Please check Monday.", ()),
    )

    def __init__(self) -> None:
        first, last, common = load()
        self.first = first
        self.last = last
        self.first_folded = frozenset(n.casefold() for n in first)
        self.last_folded = frozenset(n.casefold() for n in last)
        # Stop words, plus the words real text on the build machine writes in lower case (vocabulary.py):
        # a run of such words ("Google Cloud Storage", "Returns True") is no name without a cue.
        self.common = CommonWords(frozenset(w.capitalize() for w in common), load_vocabulary())
        self.places = load_places()  # a first name that is also a place needs a cue when it stands alone

    def _known_first(self, token: str) -> bool:
        if token in self.first:
            return True
        return "-" in token and all(part in self.first for part in token.split("-"))

    def _known_last(self, token: str) -> bool:
        if token in self.last:
            return True
        return "-" in token and any(part in self.last for part in token.split("-"))

    def _cue(self, text: str, start: int) -> str | None:
        """The cue phrase right before ``start`` (after separators, or at the end of the line above), if any."""
        window = text[max(0, start - 48) : start]
        line = window[window.rfind("\n") + 1 :].strip()
        if line in ("—", "–", "-", "--", "~", "—-"):  # a dash signature: "— Zoe"
            return "—"
        before = window.rstrip(_CUE_STRIP)
        if not before or len(before) == len(window) or window.count("\n", len(before)) > 2:
            return None
        words = before.lower().split()[-4:]
        last = words[-1].strip(_WORD_STRIP).rstrip(".")
        if before[-1] in ".!?" and last not in CUE_TOKENS:  # "is called. The next": a sentence ended there
            return None
        if last in CUE_PHRASES:
            best = last
        elif last not in _CUE_ENDINGS:
            return None
        else:
            best = None
        for n in range(len(words), 1, -1):
            phrase = " ".join(words[-n:]).strip(_WORD_STRIP).rstrip(".")
            if phrase in CUE_PHRASES:
                return phrase
        return best

    # The scanner passes every trigger hit (``near``), and only the capitalised runs around them are judged:
    # a long text costs one hyperscan pass plus a few windows, not a Python step per capitalised word.
    near = True

    def find(self, text: str, pos: int = 0, near: Sequence[int] | None = None, intro: bool = True) -> Iterator[Span]:
        """Names in ``text``: the capitalised runs around the ``near`` hits (all runs from ``pos`` without),
        then, unless the scanner found no self-introduction key (``intro`` False), lower-case introduced names."""
        windows = [(pos, len(text))] if near is None else _windows(text, near)
        found: list[Span] = []
        for lo, hi in windows:
            for match in SEQUENCE.finditer(text, lo, hi):
                span = self._judge(text, match.start(), match.group())
                if span is not None:
                    found.append(span)
        yield from found
        yield from self._repeated(text, found)
        if not intro:
            return
        lowered = text.lower()
        if len(lowered) != len(text):
            return
        if any(key in lowered for key in SELF_INTRO_KEYS):
            for match in STRONG_INTRO.finditer(lowered, pos):
                tokens = match.group("name").split(" ")
                kept = 0
                for token in tokens:
                    folded = token.casefold()
                    if folded in self.first_folded or folded in self.last_folded:
                        kept += 1
                    else:
                        break
                if kept:
                    start = match.start("name")
                    end = start + len(" ".join(tokens[:kept]))
                    yield Span(start, end, self.label)
        yield from self._addressed_names(text, lowered, pos)

    def _addressed_names(self, text: str, lowered: str, pos: int) -> Iterator[Span]:
        """Lower-case names after an address word: each word is found with ``str.find`` (one C-level pass per
        word), and only a following lower-case word that the lexicon knows as a first name is looked at."""
        for word in ADDRESS_WORDS:
            at = lowered.find(word, pos)
            while at >= 0:
                end = at + len(word)
                if not _joins(lowered, at - 1):
                    match = ADDRESSED_NAME.match(lowered, end)
                    if match is not None:
                        span = self._addressed(text, match.start("name"), match.group("name").split(" "))
                        if span is not None:
                            yield span
                at = lowered.find(word, end)

    def _repeated(self, text: str, found: Sequence[Span]) -> Iterator[Span]:
        """Parts of a full name found once, where they stand alone elsewhere in the same text: after "Tom
        Moody" the text's later "Moody" is the same person. Only the parts of a name that starts with a known first
        name, and only parts that are no common word or place."""
        parts: set[str] = set()
        for span in found:
            tokens = _SPLIT.split(text[span.start : span.end])
            if len(tokens) < 2 or not self._known_first(tokens[0]):
                continue  # only a name that starts with a known first name vouches for its parts
            parts.update(
                t
                for t in tokens
                if len(t) > 2
                and t[:1].isupper()
                and t not in self.common
                and t not in self.places
                and not _IDENTIFIER_CASE.fullmatch(t)
            )
        if not parts:
            return
        covered = sorted((span.start, span.end) for span in found)
        starts = [start for start, _ in covered]
        label = self.label
        for part in parts:
            at = text.find(part)
            while at >= 0:
                end = at + len(part)
                if not _joins(text, at - 1) and not _joins(text, end):
                    inside = bisect.bisect_right(starts, at) - 1
                    if inside < 0 or covered[inside][1] < end:
                        yield Span(at, end, label)
                at = text.find(part, end)

    def _addressed(self, text: str, start: int, tokens: Sequence[str]) -> Span | None:
        """A lower-case name after a word that addresses someone: a known first name that is no common word
        (or is followed by a surname), then initials, particles and words that are no common words."""
        first = text[start : start + len(tokens[0])]
        if first[:1].isupper():
            return None  # a capitalised name is the capitalised-run path's; here only lower-case ones
        if len(tokens[0]) == 2 and tokens[0].endswith("."):  # an initial, then a surname: "b. poettering"
            if tokens[0][0] in _ONE_LETTER_WORDS:
                return None  # "thanks a. lot"
            surname = tokens[1] if len(tokens) > 1 else ""
            if len(surname) < 3 or surname.endswith(".") or surname.capitalize() in self.common:
                return None
            return Span(start, start + len(tokens[0]) + 1 + len(surname), self.label)
        if tokens[0].casefold() not in self.first_folded:
            return None
        kept = 1
        for token in tokens[1:]:
            initial = len(token) == 2 and token.endswith(".")
            word = token.rstrip(".")
            if (
                initial
                or (len(word) > 1 and word.capitalize() not in self.common)
                or self._known_last(word.capitalize())
            ):
                kept += 1
            else:
                break
        while kept > 1 and tokens[kept - 1].endswith(".") and len(tokens[kept - 1]) == 2:
            kept -= 1  # a name does not end in an initial
        if kept == 1 and tokens[0].capitalize() in self.common:
            return None  # "thanks will do", "hi max": a word, unless a surname follows
        end = start + len(" ".join(tokens[:kept]))
        return Span(start, end, self.label)

    def starts_with_first_name(self, value: str) -> bool:
        """True if the first word of ``value`` is a first name of the lexicon ("John Smith", not "Little Rock")."""
        return self._known_first(value.split(" ", 1)[0])

    def _is_name(self, token: str) -> bool:
        return self._known_first(token) or self._known_last(token)

    def _lone_first_name(self, token: str) -> bool:
        """A first name that is a name on its own: no common word and no place ("Jordan", "Georgia")."""
        return self._known_first(token) and token not in self.common and token not in self.places and len(token) > 2

    def _surname_slot(self, tokens: Sequence[str]) -> bool:
        """The last token follows a known first name or an initial ("Luigi Toscano", "J. Moreno") and is no
        stop word: a surname that is also a word somewhere ("toscano", "moreno") is still a surname there."""
        if len(tokens) < 2 or self.common.is_stop_word(tokens[-1]) or not tokens[-1][:1].isupper():
            return False
        before, last = tokens[-2], tokens[-1]
        if self._known_first(before):
            return True
        initial = len(before) == 2 and before.endswith(".") and before[0].isupper()
        # After an initial only a word that is no common word, or a known surname: "J. Sobotta", not "A. Introduction"
        return initial and (last not in self.common or self._known_last(last))

    def _organisation(self, tokens: Sequence[str]) -> bool:
        """A run of several words that names an organisation or a place by its head or first word."""
        first, last = tokens[0], tokens[-1]
        if last in ORG_HEADS or first in ORG_LEADS:
            return True
        if last in PLACE_HEADS or first in PLACE_MODIFIERS:
            initial = len(first) == 2 and first.endswith(".")
            return not (len(tokens) == 2 and (initial or self._known_first(first)) and first not in PLACE_MODIFIERS)
        return False

    def _judge(self, text: str, start: int, value: str) -> Span | None:
        common = self.common
        if " " not in value:  # one token: the common case (a capitalised word that starts a sentence)
            if (value in common and not self._is_name(value)) or value.endswith("."):
                return None
            if self._lone_first_name(value):
                return Span(start, start + len(value), self.label)
            cue = self._cue(text, start)
            end = start + len(value)
            if cue is not None and (cue not in WEAK_CUES or (self._is_name(value) and value not in self.places)):
                return Span(start, end, self.label)
            if (value not in common or self._is_name(value)) and speech_verb_after(text, end):
                return Span(start, end, self.label)
            return None
        tokens = _SPLIT.split(value)
        cue_in_run = False
        # Leading greetings and titles ("Bonjour Éric", "Ms Nagy") are cues; leading common words that are
        # no name ("Thanks", "Die") are not part of the name.
        while tokens:
            token = tokens[0]
            if token.rstrip(".").lower() in CUE_TOKENS and len(tokens) > 1 and not cue_in_run:
                cue_in_run = True
            elif cue_in_run and tokens[0].lower() not in SALUTATION_OBJECTS:
                break  # right after a greeting or title any capitalised word is taken ("Hi Tan")
            elif not (token in common and not self._is_name(token)) or (len(tokens) == 1 and token.endswith(".")):
                break
            start += len(token) + 1
            tokens = tokens[1:]
        while len(tokens) > 1 and (
            not tokens[-1][:1].isupper()
            or tokens[-1].endswith(".")
            or (tokens[-1] in common and not self._is_name(tokens[-1]) and not self._surname_slot(tokens))
        ):
            tokens.pop()
        caps = [t for t in tokens if t[:1].isupper() and not t.endswith(".")]
        if not caps or (all(t in common and not self._is_name(t) for t in caps) and not self._surname_slot(tokens)):
            return None
        if len(tokens) > 1 and self._organisation(tokens):
            return None
        end = start + len(" ".join(tokens))
        span = Span(start, end, self.label)
        if cue_in_run:
            return span
        if len(caps) >= 2:
            if any(self._is_name(t) for t in caps) or not any(t in common for t in caps):
                return span
        elif self._lone_first_name(caps[0]) or self._surname_slot(tokens):
            return span  # a known first name alone, or initials and a surname ("B. Sobotta")
        cue = self._cue(text, start)
        weak_ok = len(caps) > 1 or (self._is_name(caps[0]) and caps[0] not in self.places)
        if cue is not None and (cue not in WEAK_CUES or weak_ok):
            return span
        if caps[0] not in common and speech_verb_after(text, end):
            return span
        return None


DETECTOR = PersonDetector()
