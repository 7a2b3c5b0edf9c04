"""The detector registry. Placeholder set; the full set is issue 3."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import regex

from scrubber.detectors.base import Detector, Span


@dataclass(frozen=True)
class RegexDetector:
    name: str
    pattern: regex.Pattern[str]

    def find(self, text: str) -> Iterable[Span]:
        for match in self.pattern.finditer(text):
            yield Span(match.start(), match.end(), self.name)


DETECTORS: dict[str, Detector] = {
    d.name: d
    for d in (
        RegexDetector("EMAIL", regex.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
        RegexDetector("IP", regex.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")),
        RegexDetector("UUID", regex.compile(r"\b[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}\b")),
    )
}

__all__ = ["DETECTORS", "Detector", "Span"]
