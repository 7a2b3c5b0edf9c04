"""Free-text scrubbing: one fast pass to find candidates, validators on candidates, one step that writes.

1. One hyperscan pass over the UTF-8 text with every detector's trigger (prefilter mode, one report per
   trigger). Text without any candidate costs this one pass and nothing else.
2. For each trigger that fired, its detector's precise pattern and validators run from ``max_len``
   characters before the first report (matches cannot start earlier), returning spans.
3. ``resolve_overlaps`` keeps, at each position, the longest span (ties: the more specific detector)
   and merges partial overlaps (fail closed); ``scrub`` writes ``<KIND>`` or ``<KIND:token>``, and
   rewrites tracking URLs to the URL without tracking parameters.

Without hyperscan (or if it cannot compile a trigger) every detector runs its own pattern: same spans,
slower. Nothing depends on earlier texts: the output is a function of the text and the key.
"""

from __future__ import annotations

import ipaddress
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import blake3

from scrubber.detectors import DETECTORS, Detector, Span, parts_of
from scrubber.detectors.address import places_in_postal_lines
from scrubber.detectors.base import PatternDetector
from scrubber.detectors.person import PersonDetector
from scrubber.detectors.terms import AllowTerms
from scrubber.detectors.urls import strip_tracking
from scrubber.errors import CatalogueError

hyperscan: Any
try:  # hyperscan is a pinned dependency; the fallback keeps the library usable where its wheel is missing
    import hyperscan
except ImportError:  # pragma: no cover - exercised only without hyperscan
    hyperscan = None

TOKEN_CONTEXT = "scrubber 2026-11 text token v1"
URL_KIND = "URL"

ScanPart = PatternDetector | PersonDetector


def resolve_overlaps(spans: list[Span], priority: dict[str, int] | None = None) -> list[Span]:
    """Non-overlapping spans: at each position the longest span wins, ties go to the higher priority
    (then to the first given); a span that partly overlaps the previous one is merged into it."""
    rank = priority or {}
    spans.sort(key=lambda s: (s.start, s.start - s.end, -rank.get(s.kind, 0)))
    chosen: list[Span] = []
    last_end = -1
    for span in spans:
        if span.start >= last_end:
            chosen.append(span)
            last_end = span.end
        elif span.end > last_end and chosen:
            previous = chosen[-1]
            kind = span.kind if previous.kind == URL_KIND else previous.kind
            chosen[-1] = Span(previous.start, span.end, kind)
            last_end = span.end
    return chosen


def normalize_value(kind: str, value: str) -> str:
    """The form a pseudonym token is keyed on, so spellings of one value share a token within a run."""
    if kind in ("PHONE", "CARD", "IMEI", "IMSI"):
        digits = "".join(ch for ch in value if ch.isdigit())
        if kind == "PHONE" and value.startswith(("+", "00")):
            return "+" + (digits[2:] if value.startswith("00") else digits)
        return digits
    if kind in ("IBAN", "BIC", "VIN", "NATIONAL_ID"):
        return "".join(ch for ch in value if ch.isalnum()).upper()
    if kind == "MAC":
        return "".join(ch for ch in value if ch.isalnum()).lower()
    if kind == "UUID":
        return value.strip("{}").lower()
    if kind == "IP":
        try:
            return str(ipaddress.ip_address(value.split("%", 1)[0]))
        except ValueError:
            return value.lower()
    if kind in ("EMAIL", "HANDLE", "SIP_URI", "PERSON"):
        return " ".join(unicodedata.normalize("NFKC", value).casefold().split())
    return value


class _Triggers:
    """One hyperscan database with every part's trigger; ``fired`` maps part index -> first end offset.

    A part may name one of its triggers as a ``gate_trigger`` (PERSON's self-introduction keys): that trigger
    reports under its own id, so the scanner can tell the part whether it fired and skip a pass if not.
    """

    def __init__(self, parts: Sequence[ScanPart]) -> None:
        assert hyperscan is not None
        # ASCII classes (no UCP): compiling Unicode \w and \d costs seconds; triggers are written without them.
        # Parts with ``near`` (PERSON, PHONE) report every hit; the others only their first.
        flags_base = hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_PREFILTER
        expressions: list[bytes] = []
        ids: list[int] = []
        flags: list[int] = []
        count = len(parts)
        self.near = frozenset(i for i, part in enumerate(parts) if getattr(part, "near", False))
        for index, part in enumerate(parts):
            sources = part.trigger_source
            gate = getattr(part, "gate_trigger", None)
            for position, source in enumerate((sources,) if isinstance(sources, str) else sources):
                single = 0 if index in self.near and position != gate else hyperscan.HS_FLAG_SINGLEMATCH
                expressions.append(source.encode("utf-8"))
                ids.append(index + count if position == gate else index)
                flags.append(flags_base | single | (hyperscan.HS_FLAG_CASELESS if part.trigger_caseless else 0))
        self.database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        self.database.compile(expressions=expressions, ids=ids, elements=len(expressions), flags=flags)
        self.count = count
        self._local = threading.local()

    def fired(self, data: bytes) -> _ScanState:
        """(part -> first hit end, near part -> every hit end, parts whose gate trigger fired), in bytes."""
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = hyperscan.Scratch(self.database)
        state: _ScanState = ({}, {}, set(), self.near, self.count)
        self.database.scan(data, match_event_handler=_on_match, context=state, scratch=scratch)
        return state


_ScanState = tuple[dict[int, int], dict[int, list[int]], set[int], frozenset[int], int]


def _on_match(ident: int, start: int, end: int, flags: int, state: _ScanState) -> None:
    """hyperscan's callback: one module-level function; the per-scan state travels in ``context``."""
    first, every, gated, near, count = state
    if ident >= count:  # a gate trigger (reported once): the part's gated path may run; it opens no window
        ident -= count
        gated.add(ident)
        if ident not in first:
            first[ident] = end
            if ident in near:
                every.setdefault(ident, [])
        return
    if ident in near:
        hits = every.get(ident)
        if hits is None:
            every[ident] = [end]
        else:
            hits.append(end)
    if end < first.get(ident, end + 1):  # a part with several triggers: the earliest end
        first[ident] = end


@lru_cache(maxsize=32)
def _compile_triggers(parts: tuple[ScanPart, ...]) -> _Triggers | None:
    if hyperscan is None:
        return None
    try:
        return _Triggers(parts)
    except hyperscan.error:  # pragma: no cover - a trigger hyperscan rejects: fall back to full passes
        return None


_MAX_NEAR = 4096

# Characters that change how an identifier looks without changing what it is: invisible format
# characters (dropped) and compatibility forms such as full-width letters and digits (NFKC-folded).
_INVISIBLE = "\u00ad\u180e\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff"
_HIDING = re.compile(f"[{_INVISIBLE}\uff01-\uff5e\u2024\u2027\u2212\u2010-\u2015]")


def fold_hiding(text: str) -> tuple[str, list[int]]:
    """``text`` with invisible characters removed and each other character NFKC-folded, and for every
    character of the result the index of the character of ``text`` it came from."""
    pieces: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if char in _INVISIBLE:
            continue
        folded = unicodedata.normalize("NFKC", char) if not char.isascii() else char
        pieces.append(folded)
        origin.extend([index] * len(folded))
    return "".join(pieces), origin


CACHED_TEXTS = 4096
CACHED_TEXT_CHARS = 1024


def _char_offsets(data: bytes, ends: list[int]) -> list[int]:
    """Character offsets of UTF-8 byte offsets (each at a character boundary), in one pass over ``data``."""
    out = []
    chars = 0
    previous = 0
    for end in sorted(ends):
        chars += len(data[previous:end].decode("utf-8", "ignore"))
        previous = end
        out.append(chars)
    return out


class TextScanner:
    """Replaces every detected identifier by ``<KIND>`` or, with a token key, ``<KIND:token>``.

    ``extra`` detectors (any object with ``.name`` and ``.find(text)``, e.g. the opt-in NER detector of
    ``scrubber.integrations.presidio``) run on every text, after the fast pass.
    """

    def __init__(
        self,
        detectors: Sequence[Detector],
        token_key: bytes | None = None,
        *,
        extra: Sequence[Detector] = (),
        allow: AllowTerms | None = None,
    ) -> None:
        self.detectors = tuple(detectors)
        self.allow = allow
        self.parts: tuple[ScanPart, ...] = tuple(p for d in self.detectors for p in parts_of(d))
        self.extra = tuple(extra)
        self.priority = {part.label: part.priority for part in self.parts}
        for detector in self.extra:  # a catalogue's own detectors say which kinds they give and their rank
            for kind in getattr(detector, "kinds", ()):
                self.priority[kind] = max(self.priority.get(kind, 0), getattr(detector, "priority", 0))
        self._triggers = _compile_triggers(self.parts)
        self._token_hasher = blake3.blake3(key=token_key) if token_key else None
        self._has_url = any(part.label == URL_KIND for part in self.parts)
        labels = {part.label for part in self.parts}
        self.postal = {"PERSON", "POSTCODE"} <= labels  # towns of postal lines are no names
        # Short texts recur (system prompts, canned replies): a bounded cache of this pure function
        # skips rescanning them without changing any result.
        self._scrub_cached = lru_cache(maxsize=CACHED_TEXTS)(self._scrub_counted)

    @property
    def accelerated(self) -> bool:
        """True if the single hyperscan pass is in use (False: every detector makes its own pass)."""
        return self._triggers is not None

    def candidates(self, text: str) -> list[tuple[ScanPart, int, list[int] | None, bool]]:
        """For every part whose trigger fired: (part, position to start its search, hit ends for ``near``
        parts, whether its gate trigger fired)."""
        if self._triggers is None:
            return [(part, 0, None, True) for part in self.parts]
        data = text.encode("utf-8", "replace")
        first, every, gated, _, _ = self._triggers.fired(data)
        if not first:
            return []
        ascii_only = len(data) == len(text)
        out: list[tuple[ScanPart, int, list[int] | None, bool]] = []
        for index in sorted(first):
            part = self.parts[index]
            end = first[index]
            ends = every.get(index)
            if not ascii_only:
                end = _char_offsets(data, [end])[0]
                # A pattern's \d or \w also matches other scripts' characters, which ASCII triggers do not
                # see: outside ASCII text, pattern parts search the whole rest of the text.
                ends = _char_offsets(data, ends) if ends is not None and isinstance(part, PersonDetector) else None
            if ends is not None and len(ends) > _MAX_NEAR:
                ends = None  # so many hits that one full pass is cheaper
            out.append((part, max(0, end - part.max_len), ends, index in gated))
        return out

    def find(self, text: str) -> list[Span]:
        """Spans in ``text``. Text with hiding characters (zero-width, soft hyphen, full-width forms) is
        scanned in a folded copy and the spans are mapped back, so such spellings cannot hide an identifier."""
        if not text.isascii() and _HIDING.search(text):
            folded, origin = fold_hiding(text)
            return [Span(origin[s.start], origin[s.end - 1] + 1, s.kind) for s in self._find(folded) if s.end > s.start]
        return self._find(text)

    def _find(self, text: str) -> list[Span]:
        # The extra detectors' spans come first: on a tie over the same characters, the first given wins,
        # so a catalogue's deny-term (<CODENAME>) beats a built-in detector's reading (<PERSON>).
        spans: list[Span] = [span for detector in self.extra for span in detector.find(text)]
        for part, pos, ends, gated in self.candidates(text):
            if ends is not None and isinstance(part, PersonDetector):
                spans.extend(part.find(text, 0, near=ends, intro=gated))
            elif ends is not None:
                spans.extend(part.find(text, pos, near=ends))
            else:
                spans.extend(part.find(text, pos))
        if not spans:
            return spans
        spans = resolve_overlaps(spans, self.priority)
        if self.postal:
            spans = places_in_postal_lines(text, spans)
        return self.allow.keep(text, spans) if self.allow is not None else spans

    def _placeholder(self, kind: str, value: str) -> str:
        if self._token_hasher is None:
            return f"<{kind}>"
        h = self._token_hasher.copy()
        h.update(f"{kind}\0{normalize_value(kind, value)}".encode("utf-8", "surrogatepass"))
        return f"<{kind}:{h.hexdigest()[:8]}>"

    def scrub(self, text: str, counts: dict[str, int] | None = None) -> str:
        if len(text) <= CACHED_TEXT_CHARS:
            out, found = self._scrub_cached(text)
        else:
            out, found = self._scrub_counted(text)
        if counts is not None:
            for kind, n in found:
                counts[kind] = counts.get(kind, 0) + n
        return out

    def _scrub_counted(self, text: str) -> tuple[str, tuple[tuple[str, int], ...]]:
        """The scrubbed text and the replacements per kind."""
        spans = self.find(text)
        if not spans:
            return text, ()
        found: dict[str, int] = {}
        return self._write(text, spans, found), tuple(found.items())

    def _write(self, text: str, spans: Iterable[Span], counts: dict[str, int] | None) -> str:
        pieces: list[str] = []
        position = 0
        for span in spans:
            pieces.append(text[position : span.start])
            value = text[span.start : span.end]
            if span.kind == URL_KIND:
                pieces.append(self._rewrite_url(value, counts))
            else:
                pieces.append(self._placeholder(span.kind, value))
            position = span.end
            if counts is not None:
                counts[span.kind] = counts.get(span.kind, 0) + 1
        pieces.append(text[position:])
        return "".join(pieces)

    def _rewrite_url(self, url: str, counts: dict[str, int] | None) -> str:
        """The URL without tracking parameters, with any other identifier in it replaced."""
        stripped = strip_tracking(url)
        inner = [s for s in self.find(stripped) if s.kind != URL_KIND]
        return self._write(stripped, inner, counts) if inner else stripped


def build_scanner(
    names: list[str] | None,
    token_key: bytes | None = None,
    *,
    extra: Sequence[Detector] = (),
    allow: AllowTerms | None = None,
) -> TextScanner:
    """A scanner over the named detectors (all when ``names`` is None), plus a catalogue's own ``extra``
    detectors (deny-terms, patterns) and its ``allow`` terms."""
    if names is None:
        return TextScanner(list(DETECTORS.values()), token_key, extra=extra, allow=allow)
    unknown = [n for n in names if n not in DETECTORS]
    if unknown:
        raise CatalogueError(f"unknown detector(s) {', '.join(unknown)}; known: {', '.join(sorted(DETECTORS))}")
    return TextScanner([DETECTORS[n] for n in names], token_key, extra=extra, allow=allow)


def token_key_from(master: bytes) -> bytes:
    return blake3.blake3(master, derive_key_context=TOKEN_CONTEXT).digest()
