"""Free-text scrubbing: run the detectors, resolve overlapping spans, write typed placeholders."""

from __future__ import annotations

from collections.abc import Sequence

import blake3

from scrubber.detectors import DETECTORS, Detector, Span
from scrubber.errors import CatalogueError

TOKEN_CONTEXT = "scrubber 2026-11 text token v1"


def resolve_overlaps(spans: list[Span]) -> list[Span]:
    """Non-overlapping spans: at each position the longest span wins, ties go to the first detector."""
    spans.sort(key=lambda s: (s.start, -(s.end - s.start)))
    chosen: list[Span] = []
    last_end = -1
    for span in spans:
        if span.start >= last_end:
            chosen.append(span)
            last_end = span.end
        elif span.end > last_end and chosen:
            previous = chosen[-1]
            chosen[-1] = Span(previous.start, span.end, previous.kind)
            last_end = span.end
    return chosen


class TextScanner:
    """Replaces every detected identifier by ``<KIND>`` or, with a token key, ``<KIND:token>``."""

    def __init__(self, detectors: Sequence[Detector], token_key: bytes | None = None) -> None:
        self.detectors = tuple(detectors)
        self._token_hasher = blake3.blake3(key=token_key) if token_key else None

    def find(self, text: str) -> list[Span]:
        spans: list[Span] = []
        for detector in self.detectors:
            spans.extend(detector.find(text))
        return resolve_overlaps(spans) if spans else spans

    def _placeholder(self, kind: str, value: str) -> str:
        if self._token_hasher is None:
            return f"<{kind}>"
        h = self._token_hasher.copy()
        h.update(f"{kind}\0{value}".encode("utf-8", "surrogatepass"))
        return f"<{kind}:{h.hexdigest()[:8]}>"

    def scrub(self, text: str, counts: dict[str, int] | None = None) -> str:
        spans = self.find(text)
        if not spans:
            return text
        pieces: list[str] = []
        position = 0
        for span in spans:
            pieces.append(text[position : span.start])
            pieces.append(self._placeholder(span.kind, text[span.start : span.end]))
            position = span.end
            if counts is not None:
                counts[span.kind] = counts.get(span.kind, 0) + 1
        pieces.append(text[position:])
        return "".join(pieces)


def build_scanner(names: list[str] | None, token_key: bytes | None = None) -> TextScanner:
    """A scanner over the named detectors (all when ``names`` is None)."""
    if names is None:
        return TextScanner(list(DETECTORS.values()), token_key)
    unknown = [n for n in names if n not in DETECTORS]
    if unknown:
        raise CatalogueError(
            f"unknown detector(s) {', '.join(unknown)}; known: {', '.join(sorted(DETECTORS))}"
        )
    return TextScanner([DETECTORS[n] for n in names], token_key)


def token_key_from(master: bytes) -> bytes:
    return blake3.blake3(master, derive_key_context=TOKEN_CONTEXT).digest()
