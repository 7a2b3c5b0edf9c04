"""How well the text detectors do on the labelled corpus, and how fast they scan.

``python -m tests.eval.evaluation`` prints, for ``fixtures/text_corpus/cases.jsonl``:
  * recall per identifier type: a planted value counts as caught when every character of it is inside a
    replaced span (of any type; the "typed" column says how often the type was also right);
  * name recall per locale, and for names inside / outside the shipped lexicon;
  * the share of benign look-alikes (order numbers, dates, versions, SHAs, ISBNs, Luhn / mod-97 failures,
    ports, status codes, upper-case words ...) left untouched;
  * scan throughput in MB/s next to one `regex` pattern and one hyperscan pattern over the same text,
    and the time for 1 MB vs 2 MB of pathological input (linear means about twice).
It exits 1 if a target is missed: recall >= 0.995 on every pattern type, >= 0.90 on names, >= 0.99 benign kept.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrubber.detectors.base import Span
from scrubber.detectors.scanner import TextScanner, build_scanner
from tests.eval.corpus import DEFAULT_PATH, HELDOUT_PATH, PATTERN_KINDS, load

PATTERN_TARGET = 0.995
NAME_TARGET = 0.90
BENIGN_TARGET = 0.99


@dataclass
class Tally:
    total: int = 0
    hit: int = 0
    typed: int = 0

    @property
    def rate(self) -> float:
        return self.hit / self.total if self.total else 1.0


@dataclass
class Report:
    kinds: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    name_locales: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    name_groups: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    benign: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    misses: list[tuple[str, str, str, list[tuple[str, str]]]] = field(default_factory=list)
    false_hits: list[tuple[str, str, str, list[tuple[str, str]]]] = field(default_factory=list)
    speed: dict[str, float] = field(default_factory=dict)
    heldout: Report | None = None
    person_false: tuple[int, int] | None = None  # (PERSON spans, words) on name-free prose

    def benign_total(self) -> Tally:
        out = Tally()
        for tally in self.benign.values():
            out.total += tally.total
            out.hit += tally.hit
        return out

    def failures(self) -> list[str]:
        out = [
            f"{k} recall {t.rate:.4f} < {PATTERN_TARGET}"
            for k, t in self.kinds.items()
            if k != "PERSON" and t.rate < PATTERN_TARGET
        ]
        person = self.kinds.get("PERSON")
        if person is not None and person.rate < NAME_TARGET:
            out.append(f"PERSON recall {person.rate:.4f} < {NAME_TARGET}")
        benign = self.benign_total()
        if benign.rate < BENIGN_TARGET:
            out.append(f"benign kept {benign.rate:.4f} < {BENIGN_TARGET}")
        return out


def _covered(spans: Sequence[Span], start: int, end: int) -> bool:
    covered = 0
    for span in spans:
        if span.end <= start or span.start >= end:
            continue
        covered += min(end, span.end) - max(start, span.start)
    return covered >= end - start


def _overlaps(spans: Sequence[Span], start: int, end: int) -> bool:
    return any(span.start < end and span.end > start for span in spans)


def evaluate(cases: Sequence[dict[str, Any]], scanner: TextScanner) -> Report:
    report = Report()
    for case in cases:
        text = case["text"]
        spans = scanner.find(text)
        found = [(s.kind, text[s.start : s.end]) for s in spans]
        for planted in case["planted"]:
            kind, start, end = planted["kind"], planted["start"], planted["end"]
            hit = _covered(spans, start, end)
            typed = hit and any(s.kind == kind and s.start < end and s.end > start for s in spans)
            tallies = [report.kinds[kind]]
            if kind == "PERSON":
                tallies.append(report.name_locales[case["locale"]])
                tallies.append(report.name_groups["in lexicon" if planted.get("lexicon") else "out of lexicon"])
                tallies.append(report.name_groups[f"style {planted.get('style', '?')}"])
            for tally in tallies:
                tally.total += 1
                tally.hit += hit
                tally.typed += typed
            if not hit:
                report.misses.append((kind, case["id"], text, found))
        for look_alike in case["benign"]:
            kept = not _overlaps(spans, look_alike["start"], look_alike["end"])
            tally = report.benign[look_alike["kind"]]
            tally.total += 1
            tally.hit += kept
            if not kept:
                report.false_hits.append((look_alike["kind"], case["id"], text, found))
    return report


# ---- speed -------------------------------------------------------------------------------------------------


def _timed(run: Callable[[], object], min_seconds: float = 0.5) -> float:
    """Seconds per call, the best of a few rounds of enough calls to last ``min_seconds``."""
    start = time.perf_counter()
    run()
    once = max(time.perf_counter() - start, 1e-6)
    repeat = max(1, int(min_seconds / once))
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(repeat):
            run()
        best = min(best, (time.perf_counter() - start) / repeat)
    return best


def clean_texts(seed: int = 7, count: int = 3000) -> list[str]:
    """Chat-like texts without identifiers (multilingual Faker prose): the common case the scanner must pass fast."""
    from faker import Faker

    rng = random.Random(seed)
    locales = ("en_US", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "pl_PL", "sv_SE")
    fakers = []
    for i, locale in enumerate(locales):
        faker = Faker(locale)
        faker.seed_instance(seed + i)
        fakers.append(faker)
    out = []
    for _ in range(count):
        faker = rng.choice(fakers)
        out.append(
            faker.paragraph(nb_sentences=rng.randint(1, 8)).lower()
            if rng.random() < 0.3
            else faker.paragraph(nb_sentences=rng.randint(1, 8))
        )
    return out


def throughput(texts: Sequence[str], scanner: TextScanner) -> dict[str, float]:
    import regex

    from scrubber.detectors import email

    size = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    out = {"mb": size}
    out["scan_mb_s"] = size / _timed(lambda: [scanner.scrub(t) for t in texts])
    single = regex.compile(email.PATTERN.pattern, email.PATTERN.flags)
    out["regex_single_mb_s"] = size / _timed(lambda: [single.findall(t) for t in texts])
    try:
        import hyperscan
    except ImportError:  # pragma: no cover
        return out
    database = hyperscan.Database()
    database.compile(
        expressions=[str(email.DETECTOR.trigger).encode()],
        ids=[1],
        flags=[hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_SOM_LEFTMOST],
    )
    encoded = [t.encode("utf-8") for t in texts]

    def scan_all() -> None:
        for data in encoded:
            database.scan(data, match_event_handler=_ignore)

    out["hyperscan_single_mb_s"] = size / _timed(scan_all)
    return out


def _ignore(ident: int, start: int, end: int, flags: int, context: object) -> None:
    return None


PATHOLOGICAL: dict[str, Callable[[int], str]] = {
    "digits": lambda n: "7" * n,
    "spaced digits": lambda n: ("4 " * (n // 2))[:n],
    "a@a@a@": lambda n: ("a@" * (n // 2))[:n],
    "no spaces": lambda n: ("Abc.Def-0x1F_" * (n // 13 + 1))[:n],
    "capitalised words": lambda n: ("Anna Maria " * (n // 11 + 1))[:n],
    "colons": lambda n: ("a1:" * (n // 3 + 1))[:n],
}


def linearity(scanner: TextScanner) -> dict[str, tuple[float, float]]:
    """Seconds for 1 MB and 2 MB of each pathological input."""
    out = {}
    for name, make in PATHOLOGICAL.items():
        seconds = []
        for size in (1_000_000, 2_000_000):
            text = make(size)
            seconds.append(_timed(lambda text=text: scanner.scrub(text), 0.2))  # type: ignore[misc]
        out[name] = (seconds[0], seconds[1])
    return out


# ---- printing ----------------------------------------------------------------------------------------------


def print_report(report: Report, out: Any = None) -> None:
    w = (out or sys.stdout).write
    w("Recall per identifier type (caught = every character replaced; typed = with the right placeholder)\n")
    w(f"  {'type':<15}{'cases':>7}{'caught':>8}{'recall':>9}{'typed':>8}   target\n")
    for kind in (*PATTERN_KINDS, "PERSON"):
        t = report.kinds.get(kind)
        if t is None:
            continue
        target = NAME_TARGET if kind == "PERSON" else PATTERN_TARGET
        mark = "ok" if t.rate >= target else "MISSED"
        w(f"  {kind:<15}{t.total:>7}{t.hit:>8}{t.rate:>9.4f}{t.typed / max(t.total, 1):>8.3f}   >= {target} {mark}\n")
    w("\nName recall per locale\n")
    for locale, t in sorted(report.name_locales.items()):
        w(f"  {locale:<8}{t.total:>6}{t.rate:>9.3f}\n")
    w("\nName recall by group\n")
    for group, t in sorted(report.name_groups.items()):
        w(f"  {group:<26}{t.total:>6}{t.rate:>9.3f}\n")
    benign = report.benign_total()
    w(f"\nBenign look-alikes kept: {benign.hit}/{benign.total} = {benign.rate:.4f} (target >= {BENIGN_TARGET})\n")
    for kind, t in sorted(report.benign.items()):
        w(f"  {kind:<15}{t.total:>6}{t.rate:>9.4f}\n")
    if report.speed:
        s = report.speed
        w("\nScan throughput (MB/s of UTF-8 text, scrub() of every text, one core)\n")
        for label in ("corpus", "clean"):
            if f"{label}_scan_mb_s" in s:
                w(
                    f"  {label:<7} ({s[f'{label}_mb']:.1f} MB): scanner {s[f'{label}_scan_mb_s']:.1f}   "
                    f"regex, one e-mail pattern {s[f'{label}_regex_single_mb_s']:.1f}   "
                    f"hyperscan, one e-mail pattern {s.get(f'{label}_hyperscan_single_mb_s', float('nan')):.1f}\n"
                )
    if report.heldout is not None:
        h = report.heldout
        person = h.kinds.get("PERSON", Tally())
        w(
            f"\nHeld-out names (other frames and seed; see tests/eval/corpus.py): "
            f"{person.hit}/{person.total} = {person.rate:.3f}\n"
        )
        for group, t in sorted(h.name_groups.items()):
            label = group.replace("style heldout1", "set 1 (used once for error analysis)").replace(
                "style heldout2", "set 2 (blind)"
            )
            w(f"  {label:<38}{t.total:>6}{t.rate:>9.3f}\n")
        worst = sorted(h.name_locales.items(), key=lambda kv: kv[1].rate)[:5]
        w("  lowest locales: " + ", ".join(f"{k} {t.rate:.3f}" for k, t in worst) + "\n")
    if report.person_false is not None:
        spans, words = report.person_false
        w(
            f"\nPERSON spans on name-free prose (8 languages, Faker text): {spans} in {words} words "
            f"= {1000 * spans / max(words, 1):.2f} per 1,000 words\n"
        )
    failures = report.failures()
    w("\n" + ("All targets met.\n" if not failures else "Targets missed:\n  " + "\n  ".join(failures) + "\n"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.eval.evaluation", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--heldout", type=Path, default=HELDOUT_PATH, help="held-out name cases (reported apart)")
    parser.add_argument("--show-misses", type=int, default=0, metavar="N", help="print N misses and N false hits")
    parser.add_argument("--no-speed", action="store_true", help="skip the throughput measurement")
    parser.add_argument("--linearity", action="store_true", help="also time 1 MB vs 2 MB pathological inputs")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument(
        "--real-text-heldout",
        action="store_true",
        help="score the sealed held-out files of fixtures/real_text/ (once, when the detection work is done)",
    )
    parser.add_argument(
        "--values-heldout",
        action="store_true",
        help="score the sealed held-out address and number tables (once, when the work they guard is done)",
    )
    parser.add_argument(
        "--prose-heldout",
        action="store_true",
        help="score the sealed held-out news, encyclopaedia and social-media files (once, at the end of name work)",
    )
    args = parser.parse_args(argv)

    scanner = build_scanner(None)
    cases = load(args.corpus)
    report = evaluate(cases, scanner)
    if args.heldout.exists():
        report.heldout = evaluate(load(args.heldout), scanner)
    clean = clean_texts()
    report.person_false = (
        sum(1 for t in clean for s in scanner.find(t) if s.kind == "PERSON"),
        sum(len(t.split()) for t in clean),
    )
    if not args.no_speed:
        for label, texts in (("corpus", [c["text"] for c in cases]), ("clean", clean)):
            for key, value in throughput(texts, scanner).items():
                report.speed[f"{label}_{key}"] = value
    print_report(report)
    from tests.eval import labelled_values, prose, real_text

    modules = ((real_text, args.real_text_heldout), (labelled_values, args.values_heldout), (prose, args.prose_heldout))
    for module, heldout in modules:
        module.report(scanner.find, "dev")
        if heldout:
            if not module.sealed_ok():
                print(f"{module.__name__}: held-out files changed after sealing", file=sys.stderr)
                return 1
            module.report(scanner.find, "heldout")
    if args.linearity:
        print("\nPathological inputs: seconds for 1 MB / 2 MB (linear = about 2x)")
        for name, (one, two) in linearity(scanner).items():
            print(f"  {name:<18}{one:>8.3f}{two:>8.3f}   x{two / one:.2f}")
    for title, rows in (("Misses", report.misses), ("False hits on benign look-alikes", report.false_hits)):
        if args.show_misses and rows:
            print(f"\n{title} (first {args.show_misses}):")
            for kind, case_id, text, found in rows[: args.show_misses]:
                print(f"  [{kind}] {case_id}: {text!r}\n      found: {found}")
    if args.json:
        figures = {
            "recall": {
                k: {"cases": t.total, "recall": t.rate, "typed": t.typed / max(t.total, 1)}
                for k, t in report.kinds.items()
            },
            "names_by_locale": {k: t.rate for k, t in report.name_locales.items()},
            "names_by_group": {k: t.rate for k, t in report.name_groups.items()},
            "benign_kept": report.benign_total().rate,
            "benign_by_kind": {k: t.rate for k, t in report.benign.items()},
            "speed": report.speed,
        }
        args.json.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
    return 1 if report.failures() else 0


if __name__ == "__main__":
    raise SystemExit(main())
