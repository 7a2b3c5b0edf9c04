"""Scores on labelled values from other projects' test tables (fixtures/real_text/): street addresses and
postcodes from libpostal's and usaddress's tests, identifier numbers from presidio's recogniser tests.

A labelled value counts as caught only when placeholders cover every token of it: every run of digits and
every word of two letters or more, whatever kinds the covering spans have. False spans are spans that overlap
no labelled value, per 1,000 words; for the number tables, a negative case (a string the other project's
recogniser must not take) is kept when no span touches it. Sources, commits and label rules:
``fixtures/real_text/ADDRESSES.md`` and ``NUMBERS.md``. ``make eval`` scores the dev files; the sealed
held-out files only with ``--values-heldout``, once, at the end of the work they guard.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from scrubber.detectors.base import Span
from tests.eval import real_text

REAL_TEXT = real_text.REAL_TEXT
load = real_text.load  # the same JSON-lines files, one folder
# (set name, seal file)
SETS: tuple[tuple[str, str], ...] = (("addresses", "SEALED.round2.sha256"), ("numbers", "SEALED.numbers.sha256"))
_TOKEN = re.compile(r"\d+|[^\W\d_]{2,}")


def strictly_covered(text: str, start: int, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    """Every digit run and every word of two letters or more of the value inside one span."""
    return real_text.strictly_covered(text, start, end, spans, token=_TOKEN, skip=frozenset())


@dataclass
class ValueScore:
    name: str
    items: int = 0
    words: int = 0
    false_spans: int = 0
    negatives: int = 0
    negatives_kept: int = 0
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # label kind -> [caught, labelled]
    by_group: dict[str, list[int]] = field(default_factory=dict)
    false_kinds: Counter[str] = field(default_factory=Counter)
    misses: list[str] = field(default_factory=list)
    false_examples: list[str] = field(default_factory=list)

    @property
    def false_per_1k(self) -> float:
        return 1000 * self.false_spans / self.words if self.words else 0.0

    def recall(self, kind: str) -> float | None:
        caught, total = self.by_kind.get(kind, (0, 0))
        return caught / total if total else None


def _tally(table: dict[str, list[int]], key: str, hit: bool) -> None:
    row = table.setdefault(key, [0, 0])
    row[0] += hit
    row[1] += 1


def score(name: str, items: Sequence[dict[str, Any]], detect: Callable[[str], list[Span]]) -> ValueScore:
    result = ValueScore(name, items=len(items))
    for item in items:
        text = item["text"]
        result.words += len(text.split())
        found = detect(text)
        covered = [(s.start, s.end) for s in found]
        labels = item.get("spans", [])
        if item.get("positive") is False:
            result.negatives += 1
            result.negatives_kept += not found
        for label in labels:
            hit = strictly_covered(text, label["start"], label["end"], covered)
            kind = label["kind"]
            _tally(result.by_kind, kind, hit)
            for group in (f"{kind} {item.get('group')}", f"{kind} form={item.get('form')}"):
                if not group.endswith("None"):
                    _tally(result.by_group, group, hit)
            if "labelled" in item:
                _tally(result.by_group, f"{kind} labelled={item['labelled']}", hit)
            if not hit and len(result.misses) < 80:
                result.misses.append(f"{kind}: {text[label['start'] : label['end']]!r} in {text[:90]!r}")
        for span in found:
            if not any(span.start < lab["end"] and lab["start"] < span.end for lab in labels):
                result.false_spans += 1
                result.false_kinds[span.kind] += 1
                if len(result.false_examples) < 60:
                    result.false_examples.append(f"{span.kind}: {text[span.start : span.end]!r}")
    return result


def available(split: str) -> list[str]:
    return [name for name, _ in SETS if (REAL_TEXT / f"{name}.{split}.jsonl").exists()]


def sealed_ok() -> bool:
    """The held-out files are the ones whose hashes were committed before any tuning on the dev files."""
    return all(real_text.seal_holds(seal) for _, seal in SETS)


def report(detect: Callable[[str], list[Span]], split: str = "dev", out: Any = None) -> list[ValueScore]:
    scores = [score(name, load(name, split), detect) for name in available(split)]
    print(f"\nLabelled values from other projects' test tables ({split} files; see fixtures/real_text/):", file=out)
    for s in scores:
        kinds = "  ".join(
            f"{kind} {c / n:.3f} ({c}/{n})" for kind, (c, n) in sorted(s.by_kind.items(), key=lambda kv: -kv[1][1])
        )
        false = ", ".join(f"{k} {n}" for k, n in s.false_kinds.most_common(6))
        print(f"  {s.name:10s} {s.items:4d} items  strict recall: {kinds}", file=out)
        line = f"    false spans {s.false_spans} = {s.false_per_1k:.2f} per 1,000 words ({false})"
        if s.negatives:
            line += f"; negative cases kept {s.negatives_kept}/{s.negatives}"
        print(line, file=out)
        groups = "  ".join(f"{g} {c / n:.2f}/{n}" for g, (c, n) in sorted(s.by_group.items()) if n >= 5)
        if groups:
            print(f"    {groups}", file=out)
    return scores
