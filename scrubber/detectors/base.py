"""Detector building blocks: spans and the detector protocol. Detectors find; they never edit text."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol


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
