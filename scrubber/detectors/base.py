"""Detector building blocks: spans, the detector protocol and the pattern detector most families use.

Detectors find; they never edit text. A pattern detector is a name, one compiled verbose pattern
(a comment per part), an optional validate hook that runs on candidates only, and a few examples
(positive and near-miss) that double as tests. The scanner in ``scrubber.detectors.scanner`` runs one fast pass
(hyperscan) over the text with every detector's ``trigger`` and calls ``find`` only for the detectors
whose trigger fired, from ``max_len`` characters before the first trigger hit.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import regex


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """An identifier found in text: [start, end) and its type label, e.g. EMAIL."""

    start: int
    end: int
    kind: str


class Detector(Protocol):
    """Finds spans of one identifier type."""

    @property
    def name(self) -> str: ...

    def find(self, text: str) -> Iterable[Span]: ...


@dataclass(frozen=True)
class Example:
    """A runnable example: ``found`` lists the exact substrings the detector must report (empty = near miss)."""

    text: str
    found: tuple[str, ...] = ()


# A validate hook gets the candidate match and the whole text; it returns the (start, end) to report,
# or None to reject the candidate. Most hooks only look at one group; some look at the words before it.
Validate = Callable[["regex.Match[str]", str], "tuple[int, int] | None"]

FLAGS = regex.VERBOSE | regex.UNICODE | regex.VERSION0


def compile_pattern(source: str, flags: int = 0) -> regex.Pattern[str]:
    return regex.compile(source, FLAGS | flags)


def whole(match: regex.Match[str], text: str) -> tuple[int, int] | None:
    """The default hook: report the ``id`` group if the pattern has one, else the whole match."""
    if "id" in match.re.groupindex:
        start, end = match.span("id")
        return (int(start), int(end)) if start >= 0 else None
    start, end = match.span()
    return int(start), int(end)


@dataclass(frozen=True)
class PatternDetector:
    """One identifier type found by a pattern and confirmed by a validator on each candidate.

    ``trigger`` is the hyperscan pattern (bytes, UTF-8, prefilter mode) that must fire before ``find``
    runs; it defaults to ``pattern``'s own source. ``max_len`` bounds a match's length in characters,
    so the scanner can start ``find`` that far before the first trigger hit.

    ``near``: in ASCII text every match of ``pattern`` ends where a match of ``trigger`` ends (the trigger
    is the pattern's tail). The scanner then passes every trigger hit, and ``find`` searches only up to
    ``max_len`` before each hit instead of the whole rest of the text: the same spans, for less work.
    """

    name: str
    pattern: regex.Pattern[str]
    validate: Validate = whole
    examples: tuple[Example, ...] = ()
    trigger: str | tuple[str, ...] | None = None
    trigger_caseless: bool = False
    max_len: int = 256
    kind: str = ""
    priority: int = 50
    near: bool = False

    @property
    def label(self) -> str:
        """The placeholder type, e.g. IMEI for the IMEI detector; several detectors may share one."""
        return self.kind or self.name

    @property
    def trigger_source(self) -> str | tuple[str, ...]:
        return self.trigger if self.trigger is not None else self.pattern.pattern

    def find(self, text: str, pos: int = 0, near: Sequence[int] | None = None) -> Iterator[Span]:
        """Validated spans from ``pos`` on. After a hit the search resumes at the reported end (a greedy
        candidate may have swallowed the start of the next one); after a miss, at the candidate's end.

        With ``near`` (every trigger hit end, see the class docstring) the search skips the stretches no
        match can start in; each step is the one the plain search would take.
        """
        label = self.label
        validate = self.validate
        search = self.pattern.search
        length = len(text)
        hits = sorted(set(near)) if near is not None else None
        reach = self.max_len
        next_hit = 0
        while pos < length:
            if hits is None:
                match = search(text, pos)
                if match is None:
                    return
            else:
                # The next match starting at or after pos ends at a hit after pos, so it starts no earlier
                # than that hit minus max_len, and no later than the hit (else it ends at a later hit).
                next_hit = bisect.bisect_right(hits, pos, next_hit)
                if next_hit == len(hits):
                    return
                hit = hits[next_hit]
                # endpos leaves room for every match starting by ``hit`` and for its lookahead.
                match = search(text, max(pos, hit - reach), min(length, hit + reach + _LOOKAHEAD))
                if match is None or match.start() > hit:
                    pos = hit + 1
                    continue
            bounds = validate(match, text)
            if bounds is not None and bounds[1] > bounds[0]:
                yield Span(bounds[0], bounds[1], label)
                pos = max(bounds[1], match.start() + 1)
            else:
                pos = max(match.end(), match.start() + 1)


_LOOKAHEAD = 16  # characters past a match that a pattern's lookahead may read


# ---- helpers the validate hooks share ---------------------------------------------------------------


def context_before(text: str, start: int, width: int = 48) -> str:
    """Up to ``width`` characters before ``start``, lower-cased: where labels such as 'IBAN:' sit."""
    return text[max(0, start - width) : start].lower()


_WORD = regex.compile(r"[^\W_]+(?:['’./-][^\W_]+)*|[#@]", regex.VERSION0)


@dataclass(frozen=True)
class Words:
    """A set of label words and phrases, matched as whole words, case-insensitively (for context checks).

    Matching splits the few characters around a value into words and looks phrases up in a set: cheaper than
    a large alternation pattern, and the same result. ``first_words`` finds any phrase's first word as a plain
    substring: a window without one cannot hold a phrase, and most windows are rejected by this one C-level
    search before any splitting.
    """

    phrases: frozenset[str]
    longest: int
    first_words: re.Pattern[str]

    def matches(self, window: str) -> list[tuple[int, int]]:
        """(start, end) of every phrase in ``window`` (lower-cased), in order."""
        if self.first_words.search(window) is None:
            return []
        tokens = [(m.start(), m.end(), m.group().rstrip(".")) for m in _WORD.finditer(window)]
        phrases = self.phrases
        out = []
        for i, (start, end, word) in enumerate(tokens):
            if word in phrases:
                out.append((start, end))
            phrase = word
            for n in range(1, min(self.longest, len(tokens) - i)):
                phrase = phrase + " " + tokens[i + n][2]
                if phrase in phrases:
                    out.append((start, tokens[i + n][1]))
        return out

    def search(self, window: str) -> bool:
        return bool(self.matches(window))


def context_words(*words: str) -> Words:
    """Label words and phrases (e.g. "IBAN", "phone number") for ``has_context``."""
    normal = [" ".join(t.group().rstrip(".") for t in _WORD.finditer(w.lower())) for w in words]
    firsts = sorted({n.split(" ", 1)[0] for n in normal}, key=len, reverse=True)
    first_words = re.compile("|".join(map(re.escape, firsts)))
    return Words(frozenset(normal), max(len(n.split(" ")) for n in normal), first_words)


def has_context(text: str, start: int, words: Words, width: int = 48) -> bool:
    """True if one of ``words`` labels the value at ``start``: it occurs in the ``width`` characters before,
    on the same line, with no digit and no other label (order, invoice, ref ...) between it and the value."""
    window = context_before(text, start, width)
    window = window[window.rfind("\n") + 1 :]
    found = words.matches(window)
    if not found:
        return False
    between = window[max(end for _, end in found) :]
    return not any(ch.isdigit() for ch in between) and not BLOCKERS.search(between)


def has_context_after(text: str, end: int, words: Words, width: int = 24) -> bool:
    """True if one of ``words`` follows the value ending at ``end`` ("44051401359 (PESEL)"), same rules."""
    window = text[end : end + width].lower()
    window = window.split("\n", 1)[0]
    found = words.matches(window)
    if not found:
        return False
    between = window[: min(start for start, _ in found)]
    return not any(ch.isdigit() for ch in between) and not BLOCKERS.search(between)


# Labels of document numbers (orders, invoices, tickets): a number after one is that document's number.
DOCUMENT_NUMBER_LABELS: tuple[str, ...] = (
    "order",
    "order no",
    "order number",
    "invoice",
    "ticket",
    "tracking",
    "ref",
    "reference",
    "isbn",
    "ean",
    "bestellung",
    "bestellnummer",
    "rechnung",
    "commande",
    "facture",
    "pedido",
    "factura",
    "ordine",
    "fattura",
    "zamówienie",
    "faktura",
    "bestelling",
    "factuur",
    "ordernummer",
)

# Words that label some other number: a value after one of them belongs to it, not to an earlier label.
BLOCKERS = context_words(
    *DOCUMENT_NUMBER_LABELS,
    "ref.",
    "invoice no",
    "code",
    "status",
    "error",
    "port",
    "version",
    "total",
    "amount",
    "price",
    "betrag",
    "sku",
    "case",
    "deadline",
    "since",
)


def words(text: str) -> tuple[str, ...]:
    """The whitespace-separated words of a word-list literal."""
    return tuple(text.split())
