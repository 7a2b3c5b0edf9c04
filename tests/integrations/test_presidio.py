"""presidio-analyzer and scrubber plugged together: our detectors as presidio recognizers; opt-in NER."""

from __future__ import annotations

import pytest

pytest.importorskip("presidio_analyzer")

from presidio_analyzer import AnalyzerEngine, RecognizerRegistry

from scrubber.errors import CatalogueError
from scrubber.integrations.presidio import (
    NerPersonDetector,
    NoNlpEngine,
    analyzer,
    ner_available,
    recognizers,
    scanner_with_ner,
)

TEXT = (
    "Hi Anna, mail anna@example.org or call +49 30 901820; IBAN DE89 3704 0044 0532 0130 00, card 4111 1111 1111 1111"
)


def test_analyzer_runs_our_detectors_without_a_spacy_model():
    results = analyzer().analyze(TEXT, language="en")
    found = {(r.entity_type, TEXT[r.start : r.end]) for r in results}
    assert found >= {
        ("PERSON", "Anna"), ("EMAIL_ADDRESS", "anna@example.org"), ("PHONE_NUMBER", "+49 30 901820"),
        ("IBAN_CODE", "DE89 3704 0044 0532 0130 00"), ("CREDIT_CARD", "4111 1111 1111 1111"),
    }  # fmt: skip


def test_recognizers_plug_into_a_users_own_registry():
    registry = RecognizerRegistry(recognizers=recognizers(["EMAIL", "IMEI"]), supported_languages=["en"])
    engine = AnalyzerEngine(registry=registry, nlp_engine=NoNlpEngine(), supported_languages=["en"])
    results = engine.analyze("IMEI 490154203237518, mail a.b@example.eu", language="en", entities=["IMEI"])
    assert [(r.entity_type, r.start, r.end) for r in results] == [("IMEI", 5, 20)]


def test_unknown_detector_names_are_rejected():
    with pytest.raises(CatalogueError, match="unknown detector"):
        recognizers(["EMAIL", "NOPE"])


@pytest.mark.skipif(ner_available(), reason="a spaCy model is installed")
def test_ner_without_a_model_says_what_to_install():
    with pytest.raises(CatalogueError, match="not installed"):
        NerPersonDetector()


@pytest.mark.skipif(not ner_available(), reason="opt-in NER needs an installed spaCy model (en_core_web_lg)")
def test_ner_on_top_of_the_offline_rules():
    scanner = scanner_with_ner()
    assert "<PERSON>" in scanner.scrub("yesterday the courier gave the parcel to Jonathan Smithers")
