"""A catalogue's own words: deny-terms (always replaced), patterns (its own detectors) and allow-terms
(never replaced, such as a company's product names that look like person names)."""

from __future__ import annotations

from collections.abc import Sequence

import regex

from scrubber.detectors.base import Span

# A catalogue's own words win a tie with a built-in detector over the same characters.
CATALOGUE_PRIORITY = 1000


class TermDetector:
    """Deny-terms: each occurrence (any case, whole words) becomes a span of the term's kind."""

    name = "DENY_TERMS"
    priority = CATALOGUE_PRIORITY

    def __init__(self, terms: Sequence[tuple[str, str]]) -> None:
        by_length = sorted(terms, key=lambda term: -len(term[0]))  # the longest term wins at one position
        self._kinds = {text.casefold(): kind for text, kind in by_length}
        self.kinds = frozenset(self._kinds.values())
        alternatives = "|".join(regex.escape(text) for text, _ in by_length)
        self._pattern = regex.compile(rf"(?<![\w@.-])(?:{alternatives})(?![\w@-])", regex.IGNORECASE)

    def find(self, text: str) -> list[Span]:
        return [Span(m.start(), m.end(), self._kinds[m.group().casefold()]) for m in self._pattern.finditer(text)]


class CataloguePatternDetector:
    """One pattern a catalogue adds (``text.patterns``): every match is a span of its kind."""

    priority = CATALOGUE_PRIORITY

    def __init__(self, kind: str, pattern: str) -> None:
        self.name = kind
        self.kinds = frozenset({kind})
        self._pattern = regex.compile(pattern)

    def find(self, text: str) -> list[Span]:
        return [Span(m.start(), m.end(), self.name) for m in self._pattern.finditer(text) if m.end() > m.start()]


# Kinds whose spans an allow-term removes when it overlaps them at all: the name detectors read runs of
# capitalised words, so "Apache Beam Runner" must not survive as <PERSON> because "Apache Beam" is allowed.
NAME_KINDS = frozenset({"PERSON", "NER_PERSON"})


class AllowTerms:
    """Occurrences of allow-terms (case as written, whole words) and the spans they cancel."""

    def __init__(self, terms: Sequence[str]) -> None:
        alternatives = "|".join(regex.escape(term) for term in sorted(terms, key=len, reverse=True))
        self._pattern = regex.compile(rf"(?<![\w@.-])(?:{alternatives})(?![\w@-])")

    def keep(self, text: str, spans: list[Span]) -> list[Span]:
        """``spans`` without those an allow-term cancels: a name span it overlaps, any span it contains."""
        allowed = [(m.start(), m.end()) for m in self._pattern.finditer(text)]
        if not allowed:
            return spans
        kept = []
        for span in spans:
            inside = any(start <= span.start and span.end <= end for start, end in allowed)
            touches = span.kind in NAME_KINDS and any(start < span.end and span.start < end for start, end in allowed)
            if not (inside or touches):
                kept.append(span)
        return kept
