"""The public entry point: ``Scrubber.from_catalogue(profile, key=...)`` then ``scrub`` / ``scrub_text``."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from scrubber.catalogue import LoadedCatalogue, load_catalogue
from scrubber.catalogue.models import TextSettings
from scrubber.detectors.base import Span
from scrubber.detectors.scanner import TextScanner, build_scanner, token_key_from
from scrubber.detectors.terms import AllowTerms, CataloguePatternDetector, TermDetector
from scrubber.errors import RecordRejected
from scrubber.keys import Key, make_key
from scrubber.operators import BuildContext
from scrubber.plan import Plan, Stats

# (detector names or None for all, pseudonym tokens?) -> the scanner that scan_text and keep use.
ScannerFactory = Callable[[list[str] | None, bool], TextScanner]


def catalogue_terms(text: TextSettings) -> tuple[list[Any], AllowTerms | None]:
    """The detectors a catalogue's ``text`` adds (deny-terms, patterns) and its allow-terms."""
    extra: list[Any] = [CataloguePatternDetector(p.kind, p.regex) for p in text.patterns]
    if text.deny_terms:
        extra.append(TermDetector([(t.term, t.kind) for t in text.deny_terms]))
    return extra, AllowTerms(text.allow_terms) if text.allow_terms else None


class Scrubber:
    """Turns raw log records into allow-listed minimal records, driven by one catalogue.

    Construction compiles the catalogue once; ``scrub`` never re-reads configuration.
    ``stats`` only counts; it never changes a result. ``scanner_factory`` replaces the text
    scanner (the benchmark measures the field plan alone with one that changes nothing).
    """

    def __init__(self, catalogue: LoadedCatalogue, key: Key, *, scanner_factory: ScannerFactory | None = None) -> None:
        self.catalogue = catalogue
        self.key = key
        token_key = token_key_from(key.material)

        extra, allow = catalogue_terms(catalogue.model.text)

        def default_factory(names: list[str] | None, tokens: bool) -> TextScanner:
            return build_scanner(names, token_key if tokens else None, extra=extra, allow=allow)

        factory = scanner_factory or default_factory
        self.plan = Plan(catalogue, BuildContext(key=key, scanner_factory=factory))
        text = catalogue.model.text
        self.text_scanner = factory(text.detectors, text.pseudonym_tokens)
        self.stats: Stats = self.plan.stats

    @classmethod
    def from_catalogue(
        cls, name_or_path: str | os.PathLike[str], *, key: bytes | Key, allow_weak_key: bool = False
    ) -> Scrubber:
        """Load a catalogue by profile name (``"strict"``) or path, with a 32-byte key."""
        checked = key if isinstance(key, Key) else make_key(key, allow_weak=allow_weak_key)
        return cls(load_catalogue(name_or_path), checked)

    @property
    def name(self) -> str:
        return self.catalogue.model.catalogue

    def scrub(self, record: Any) -> dict[str, Any]:
        """A new allow-listed record; the input is not mutated. Raises RecordRejected. Counted in ``stats``."""
        try:
            out = self.plan.run(record)
        except RecordRejected as exc:
            self.stats.tally(exc.reason)
            raise
        except RecursionError:
            self.stats.tally("too_deep")
            raise RecordRejected("too_deep", "", "nesting deeper than the interpreter allows") from None
        self.stats.tally(None)
        return out

    def scrub_text(self, text: str) -> str:
        """Free text with every detected identifier replaced by a typed placeholder."""
        return self.text_scanner.scrub(text, self.stats.detectors)

    def detect(self, text: str) -> list[Span]:
        """The spans (``start``, ``end``, ``kind``) that ``scrub_text`` replaces, in order and not overlapping.
        A ``URL`` span is rewritten rather than replaced (its tracking and personal parts go). Not counted."""
        return self.text_scanner.find(text)
