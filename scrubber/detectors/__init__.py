"""The detector registry: one entry per placeholder type, in one explicit dict.

A catalogue's ``text.detectors`` / ``scan_text`` rule names entries of ``DETECTORS``; ``None`` means all.
Each entry is a detector (``.name``, ``.find(text)``); ``IP`` groups the IPv4 and IPv6 detectors.
``scrubber.detectors.scanner`` compiles the parts' triggers into one hyperscan database.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from scrubber.detectors import (
    address,
    crypto,
    documents,
    email,
    finance,
    geo,
    handles,
    national_id,
    network,
    person,
    phone,
    secrets,
    telecom,
    urls,
    vehicle,
)
from scrubber.detectors.base import Detector, Example, PatternDetector, Span
from scrubber.detectors.person import PersonDetector

ScanPart = PatternDetector | PersonDetector


@dataclass(frozen=True)
class DetectorGroup:
    """Several detectors behind one registry name (IP = IPv4 + IPv6)."""

    name: str
    parts: tuple[ScanPart, ...]

    def find(self, text: str) -> Iterator[Span]:
        for part in self.parts:
            yield from part.find(text)


def parts_of(detector: Detector) -> tuple[ScanPart, ...]:
    """The scan units behind a registry entry."""
    if isinstance(detector, DetectorGroup):
        return detector.parts
    if isinstance(detector, PatternDetector | PersonDetector):
        return (detector,)
    raise TypeError(
        f"{detector.name}: not a pattern detector; wrap it in scrubber.detectors.scanner.TextScanner(extra=...)"
    )


_ENTRIES: tuple[Detector, ...] = (
    email.DETECTOR,
    phone.DETECTOR,
    finance.IBAN,
    finance.BIC,
    finance.CARD,
    telecom.IMEI,
    telecom.IMSI,
    network.MAC,
    network.UUID,
    DetectorGroup("IP", (network.IPV4, network.IPV6)),
    crypto.DETECTOR,
    telecom.SIP,
    handles.DETECTOR,
    geo.DETECTOR,
    DetectorGroup("NATIONAL_ID", (national_id.DETECTOR, documents.ID_CARD)),
    documents.PASSPORT,
    documents.DRIVER_LICENSE,
    documents.ACCOUNT,
    vehicle.DETECTOR,
    address.STREET_DETECTOR,
    address.POSTCODE_DETECTOR,
    secrets.DETECTOR,
    urls.DETECTOR,
    person.DETECTOR,
)

DETECTORS: dict[str, Detector] = {d.name: d for d in _ENTRIES}

# Every placeholder a scanner can write, e.g. for docs and the evaluation report.
KINDS: tuple[str, ...] = tuple(DETECTORS)


def all_parts() -> tuple[ScanPart, ...]:
    return tuple(part for entry in _ENTRIES for part in parts_of(entry))


def examples() -> Iterator[tuple[ScanPart, Example]]:
    """Every detector's runnable examples (tests run them)."""
    for part in all_parts():
        for example in part.examples:
            yield part, example


__all__ = ["DETECTORS", "KINDS", "Detector", "DetectorGroup", "Example", "PatternDetector", "Span", "parts_of"]
