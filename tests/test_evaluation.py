"""The labelled corpus and the evaluation report."""

from __future__ import annotations

import pytest

from tests.eval import evaluation
from tests.eval.corpus import (
    BENIGN_KINDS,
    DEFAULT_PATH,
    HELDOUT_PATH,
    HELDOUT_SEED,
    PATTERN_KINDS,
    SEED,
    CorpusGenerator,
    load,
)


@pytest.fixture(scope="module")
def cases():
    return load(DEFAULT_PATH)


def test_committed_corpus_is_what_the_generator_writes(cases):
    assert CorpusGenerator(SEED).generate() == cases
    assert CorpusGenerator(HELDOUT_SEED).generate_heldout() == load(HELDOUT_PATH)


def test_corpus_shape(cases):
    assert len(cases) >= 1000
    kinds = {p["kind"] for c in cases for p in c["planted"]}
    assert kinds == set(PATTERN_KINDS) | {"PERSON"}
    assert {b["kind"] for c in cases for b in c["benign"]} == set(BENIGN_KINDS)
    assert len({c["locale"] for c in cases}) >= 20
    for case in cases:
        for span in case["planted"] + case["benign"]:
            assert case["text"][span["start"] : span["end"]] == span["value"]


def test_report_meets_the_targets_and_prints_every_type(capsys):
    assert evaluation.main(["--no-speed"]) == 0
    out = capsys.readouterr().out
    for kind in (*PATTERN_KINDS, "PERSON"):
        assert f"  {kind} " in out
    assert "Benign look-alikes kept" in out and "Held-out names" in out


def test_a_missed_target_fails_the_report():
    report = evaluation.Report()
    report.kinds["EMAIL"] = evaluation.Tally(total=200, hit=198)
    report.kinds["PERSON"] = evaluation.Tally(total=10, hit=10)
    assert report.failures() == ["EMAIL recall 0.9900 < 0.995"]


def test_throughput_reports_the_ceilings():
    from scrubber.detectors.scanner import build_scanner

    figures = evaluation.throughput(["mail anna@example.org", "nothing to see"] * 50, build_scanner(None))
    assert {"scan_mb_s", "regex_single_mb_s", "hyperscan_single_mb_s"} <= set(figures)


def test_the_corpus_does_not_depend_on_todays_date(monkeypatch, cases):
    """Faker's providers that read the clock see a day years after the anchor; the corpus stays the same."""
    import datetime as dt
    import sys
    import types

    class Later(dt.date):
        @classmethod
        def today(cls):
            return dt.date(2031, 6, 30)

    class LaterDateTime(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return dt.datetime(2031, 6, 30, 3, tzinfo=tz)

    later = types.ModuleType("datetime")
    later.__dict__.update(vars(dt))
    later.date, later.datetime = Later, LaterDateTime
    generator = CorpusGenerator(SEED)  # loads the locales' providers
    patched = 0
    for name, module in list(sys.modules.items()):
        if name.startswith("faker.") and getattr(module, "datetime", None) is dt:
            monkeypatch.setattr(module, "datetime", later)
            patched += 1
    assert patched >= 3  # the ssn providers of lv_LV, fi_FI, sv_SE ... read the clock this way
    assert generator.generate() == cases


def test_real_text_scores_hold_their_floors():
    """Text nobody here wrote (fixtures/real_text/ dev files): floors a little below the figures measured
    when they were set (README "Detectors"), so an honest change of a few cases does not break CI."""
    from scrubber.detectors.scanner import build_scanner
    from tests.eval import real_text

    find = build_scanner(None).find
    scores = {s.name: s for s in (real_text.score(n, real_text.load(n, "dev"), find) for n in real_text.SETS)}
    assert scores["names_copyright"].recall >= 0.93  # measured 0.942
    assert scores["names_in_sentences"].recall >= 0.92  # measured 0.930
    assert scores["names_copyright"].false_per_1k <= 1.0  # measured 0.42
    assert scores["benign_docstrings"].false_per_1k <= 1.2  # measured 0.83
    assert scores["benign_markdown"].false_per_1k <= 2.0  # measured 1.37
    assert scores["benign_man"].false_per_1k <= 1.2  # measured 0.64


def test_the_held_out_real_text_is_still_sealed():
    from tests.eval import real_text

    assert real_text.sealed_ok()


def test_labelled_value_tables_hold_their_floors():
    """Addresses (libpostal, usaddress, pelias tests) and numbers (presidio, scrubadub tests), dev files:
    floors a little below the figures measured when they were set (README "Detectors")."""
    from scrubber.detectors.scanner import build_scanner
    from tests.eval import labelled_values

    find = build_scanner(None).find
    addresses = labelled_values.score("addresses", labelled_values.load("addresses", "dev"), find)
    numbers = labelled_values.score("numbers", labelled_values.load("numbers", "dev"), find)
    assert (addresses.recall("ADDRESS") or 0) >= 0.75  # measured 0.768
    assert (addresses.recall("POSTCODE") or 0) >= 0.90  # measured 0.920
    assert addresses.false_per_1k <= 9.0  # measured 8.06 (towns taken for names)
    assert (numbers.recall("NATIONAL_ID") or 0) >= 0.40  # measured 0.415
    assert (numbers.recall("IBAN") or 0) >= 0.99  # measured 1.000
    assert (numbers.recall("PHONE") or 0) >= 0.95  # measured 1.000
    assert numbers.negatives_kept >= 0.97 * numbers.negatives  # measured 244/249


def test_the_held_out_value_tables_are_still_sealed():
    from tests.eval import labelled_values

    assert labelled_values.sealed_ok()


def test_the_value_tables_are_what_their_builders_write(capsys):
    """The committed address and number tables, and the labelled news, encyclopaedia and social-media
    files, are the builders' output from the raw excerpts."""
    from tests.eval import addresses_build, numbers_build, prose_build

    assert addresses_build.main(["--check"]) == 0
    assert numbers_build.main(["--check"]) == 0
    assert prose_build.main(["--check"]) == 0


def test_news_encyclopaedia_and_social_text_hold_their_floors():
    """Names labelled by others in wikigold, GUM, Europeana Newspapers and WNUT 2017 (dev files): floors a
    little below the figures measured when they were set (README "Detectors"); far below the issue's targets."""
    from scrubber.detectors.scanner import build_scanner
    from tests.eval import prose, real_text

    find = build_scanner(None).find
    scores = {n: real_text.score(n, real_text.load(n, "dev"), find, any_kind=True) for n in prose.SETS}
    assert (scores["prose_encyclopedia"].recall or 0) >= 0.58  # measured 0.600
    assert (scores["prose_news"].recall or 0) >= 0.62  # measured 0.647
    assert (scores["prose_social"].recall or 0) >= 0.56  # measured 0.587
    assert scores["prose_encyclopedia"].false_per_1k <= 10.0  # measured 9.00
    assert scores["prose_news"].false_per_1k <= 10.5  # measured 9.26
    assert scores["prose_social"].false_per_1k <= 7.0  # measured 6.13


def test_the_held_out_prose_is_still_sealed():
    from tests.eval import prose

    assert prose.sealed_ok()
