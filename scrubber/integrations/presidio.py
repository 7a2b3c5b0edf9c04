"""presidio-analyzer and scrubber, plugged together both ways. Importable only with presidio installed.

* ``recognizers()`` wraps each scrubber detector as a presidio ``EntityRecognizer`` (entity names follow
  presidio's where one exists: EMAIL -> EMAIL_ADDRESS, CARD -> CREDIT_CARD ...), so a presidio user can add
  them to any ``RecognizerRegistry``.
* ``analyzer()`` is an ``AnalyzerEngine`` with only those recognizers and a no-op NLP engine: it needs no
  spaCy model, which our users often cannot download.
* Opt-in NER: ``NerPersonDetector`` runs presidio's default ``AnalyzerEngine`` (spaCy NER) for PERSON. It
  needs a spaCy model installed as a package (``python -m spacy download en_core_web_lg`` or the model's
  wheel from your own mirror); ``scanner_with_ner()`` adds it on top of the offline PERSON rules.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts, NlpEngine

from scrubber.detectors import DETECTORS, Detector, Span
from scrubber.detectors.scanner import TextScanner, build_scanner
from scrubber.errors import CatalogueError

# scrubber placeholder type -> presidio entity name (presidio's predefined names where they exist).
ENTITY_NAMES: dict[str, str] = {
    "EMAIL": "EMAIL_ADDRESS",
    "PHONE": "PHONE_NUMBER",
    "IBAN": "IBAN_CODE",
    "CARD": "CREDIT_CARD",
    "IP": "IP_ADDRESS",
    "CRYPTO_WALLET": "CRYPTO",
    "PERSON": "PERSON",
    "URL": "URL",
}

DEFAULT_MODEL = "en_core_web_lg"


def entity_name(kind: str) -> str:
    return ENTITY_NAMES.get(kind, kind)


class ScrubberRecognizer(EntityRecognizer):  # type: ignore[misc]
    """One scrubber detector as a presidio recognizer. Scores are fixed: detectors validate, they do not guess."""

    def __init__(self, detector: Detector, score: float = 0.95, language: str = "en") -> None:
        self.detector = detector
        self.score = score
        super().__init__(
            supported_entities=[entity_name(detector.name)],
            name=f"scrubber_{detector.name.lower()}",
            supported_language=language,
        )

    def load(self) -> None:  # nothing to load: patterns are compiled at import
        return None

    def analyze(self, text: str, entities: list[str] | None, nlp_artifacts: NlpArtifacts | None = None) -> list[Any]:
        wanted = set(entities or self.supported_entities)
        results = []
        for span in self.detector.find(text):
            name = entity_name(span.kind)
            if name in wanted:
                results.append(RecognizerResult(name, span.start, span.end, self.score))
        return results


def recognizers(names: Sequence[str] | None = None, language: str = "en") -> list[ScrubberRecognizer]:
    """Presidio recognizers for the named scrubber detectors (all when None)."""
    chosen = list(DETECTORS) if names is None else list(names)
    unknown = [n for n in chosen if n not in DETECTORS]
    if unknown:
        raise CatalogueError(f"unknown detector(s) {', '.join(unknown)}; known: {', '.join(sorted(DETECTORS))}")
    return [ScrubberRecognizer(DETECTORS[n], language=language) for n in chosen]


class NoNlpEngine(NlpEngine):  # type: ignore[misc]
    """An NLP engine that does nothing: enough for pattern recognizers, and needs no spaCy model."""

    def __init__(self, languages: Sequence[str] = ("en",)) -> None:
        self.languages = list(languages)

    def load(self) -> None:
        return None

    def is_loaded(self) -> bool:
        return True

    def process_text(self, text: str, language: str) -> NlpArtifacts:
        return NlpArtifacts(
            entities=[],
            tokens=None,  # type: ignore[arg-type]
            tokens_indices=[],
            lemmas=[],
            nlp_engine=self,
            language=language,
        )

    def process_batch(
        self, texts: Any, language: str, batch_size: int = 1, n_process: int = 1, **kwargs: Any
    ) -> Iterator[Any]:
        for text in texts:
            yield text, self.process_text(text, language)

    def is_stopword(self, word: str, language: str) -> bool:
        return False

    def is_punct(self, word: str, language: str) -> bool:
        return False

    def get_supported_entities(self) -> list[str]:
        return []

    def get_supported_languages(self) -> list[str]:
        return self.languages


def analyzer(names: Sequence[str] | None = None, language: str = "en") -> AnalyzerEngine:
    """A presidio ``AnalyzerEngine`` running scrubber's detectors, without any spaCy model."""
    registry = RecognizerRegistry(recognizers=recognizers(names, language), supported_languages=[language])
    return AnalyzerEngine(registry=registry, nlp_engine=NoNlpEngine([language]), supported_languages=[language])


def ner_available(model: str = DEFAULT_MODEL) -> bool:
    """True if the spaCy model is installed as a package (nothing is downloaded)."""
    try:
        import spacy.util
    except ImportError:
        return False
    return bool(spacy.util.is_package(model))


class NerPersonDetector:
    """PERSON spans from presidio's spaCy-based ``AnalyzerEngine`` (opt-in; needs an installed model)."""

    name = "PERSON"

    def __init__(self, model: str = DEFAULT_MODEL, language: str = "en", threshold: float = 0.5) -> None:
        if not ner_available(model):
            raise CatalogueError(
                f"spaCy model {model!r} is not installed; install it as a package to use NER, "
                "or rely on the offline PERSON detector"
            )
        from presidio_analyzer.nlp_engine import NlpEngineProvider

        provider = NlpEngineProvider(
            nlp_configuration={"nlp_engine_name": "spacy", "models": [{"lang_code": language, "model_name": model}]}
        )
        self.language = language
        self.threshold = threshold
        self.engine = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=[language])

    def find(self, text: str) -> Iterator[Span]:
        for result in self.engine.analyze(text, language=self.language, entities=["PERSON"]):
            if result.score >= self.threshold:
                yield Span(result.start, result.end, "PERSON")


def scanner_with_ner(
    names: list[str] | None = None, token_key: bytes | None = None, model: str = DEFAULT_MODEL
) -> TextScanner:
    """A scanner like ``build_scanner`` with presidio's NER for PERSON on top of the offline rules."""
    base = build_scanner(names, token_key)
    return TextScanner(base.detectors, token_key, extra=[NerPersonDetector(model)])


# --- an independent second opinion for ``scrubber verify --second-opinion`` -----------------------------

# Presidio entity types that name personal data; its date, URL, nationality and weak licence patterns are
# left out (they fire on timestamps, host names and hex strings that scrubbing keeps on purpose).
SECOND_OPINION_ENTITIES = (
    "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "IP_ADDRESS", "CRYPTO", "PERSON",
    "US_SSN", "US_ITIN", "US_PASSPORT", "US_BANK_NUMBER", "UK_NHS", "UK_NINO", "ES_NIF", "ES_NIE",
    "IT_FISCAL_CODE", "IT_IDENTITY_CARD", "IT_PASSPORT", "PL_PESEL", "FI_PERSONAL_IDENTITY_CODE",
)  # fmt: skip


def _offline_tldextract() -> None:
    """Presidio validates e-mail domains with tldextract, whose default extractor downloads the public suffix
    list; use the snapshot bundled with tldextract instead, so verify never touches the network."""
    import tldextract

    tldextract.tldextract.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


class SecondOpinion:
    """presidio-analyzer's own predefined recognizers (patterns and validators written by another project),
    plus its spaCy NER when a model is installed: what our detectors may miss. ``kinds(text)`` returns the
    entity types found at or above ``threshold``."""

    def __init__(self, threshold: float = 0.5, language: str = "en", model: str = DEFAULT_MODEL) -> None:
        _offline_tldextract()
        self.threshold = threshold
        self.language = language
        self.ner = ner_available(model)
        if self.ner:
            self.engine = AnalyzerEngine(supported_languages=[language])
        else:
            registry = RecognizerRegistry()
            registry.load_predefined_recognizers(languages=[language])
            registry.recognizers = [r for r in registry.recognizers if getattr(r, "name", "") != "SpacyRecognizer"]
            self.engine = AnalyzerEngine(registry=registry, nlp_engine=NoNlpEngine([language]))
        self.entities = [e for e in SECOND_OPINION_ENTITIES if e in self.engine.get_supported_entities(language)]

    def kinds(self, text: str) -> list[str]:
        results = self.engine.analyze(
            text, language=self.language, entities=self.entities, score_threshold=self.threshold
        )
        return [str(result.entity_type) for result in results]
