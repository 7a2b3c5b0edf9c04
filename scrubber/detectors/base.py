"""Detector building blocks: spans, the detector protocol and the pattern detector most families use.

Detectors find; they never edit text. A pattern detector is a name, one compiled verbose pattern
(a comment per part), an optional validate hook that runs on candidates only, and a few examples
(positive and near-miss) that double as tests. The scanner in ``scrubber.text`` runs one fast pass
(hyperscan) over the text with every detector's ``trigger`` and calls ``find`` only for the detectors
whose trigger fired, from ``max_len`` characters before the first trigger hit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
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

    name: str

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
        return (start, end) if start >= 0 else None
    return match.span()


@dataclass(frozen=True)
class PatternDetector:
    """One identifier type found by a pattern and confirmed by a validator on each candidate.

    ``trigger`` is the hyperscan pattern (bytes, UTF-8, prefilter mode) that must fire before ``find``
    runs; it defaults to ``pattern``'s own source. ``max_len`` bounds a match's length in characters,
    so the scanner can start ``find`` that far before the first trigger hit.
    """

    name: str
    pattern: regex.Pattern[str]
    validate: Validate = whole
    examples: tuple[Example, ...] = ()
    trigger: str | None = None
    trigger_caseless: bool = False
    max_len: int = 256
    kind: str = ""
    priority: int = 50
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """The placeholder type, e.g. IMEI for the IMEI detector; several detectors may share one."""
        return self.kind or self.name

    @property
    def trigger_source(self) -> str:
        return self.trigger if self.trigger is not None else self.pattern.pattern

    def find(self, text: str, pos: int = 0) -> Iterator[Span]:
        label = self.label
        validate = self.validate
        for match in self.pattern.finditer(text, pos, overlapped=False):
            bounds = validate(match, text)
            if bounds is not None and bounds[1] > bounds[0]:
                yield Span(bounds[0], bounds[1], label)


# ---- helpers the validate hooks share ---------------------------------------------------------------

_WORD_BEFORE = regex.compile(r"[\w'’.#:/-]+[\s:=#(]*\Z")


def context_before(text: str, start: int, width: int = 48) -> str:
    """Up to ``width`` characters before ``start``, lower-cased: where labels such as 'IBAN:' sit."""
    return text[max(0, start - width) : start].lower()


def has_context(text: str, start: int, words: regex.Pattern[str], width: int = 48) -> bool:
    """True if one of ``words`` occurs in the ``width`` characters before ``start``."""
    return words.search(context_before(text, start, width)) is not None


def context_words(*words: str) -> regex.Pattern[str]:
    """A case-insensitive pattern matching any of ``words`` as whole words (for context checks)."""
    alternatives = "|".join(sorted((regex.escape(w) for w in words), key=len, reverse=True))
    return regex.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", regex.IGNORECASE | regex.UNICODE)


def digits_of(value: str) -> str:
    return "".join(ch for ch in value if "0" <= ch <= "9")
