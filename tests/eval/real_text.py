"""Scores on text nobody here wrote (fixtures/real_text/, built by real_text_build.py from this machine's
docs, man pages, copyright files and package metadata): strict name recall and false placeholders per
1,000 words. ``make eval`` reports the dev files; the sealed held-out files are scored only with
``--real-text-heldout``, once, when the detection work they guard is finished."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from scrubber.detectors.base import Span

REAL_TEXT = Path(__file__).resolve().parents[2] / "fixtures" / "real_text"
BENIGN_SETS = ("benign_docstrings", "benign_markdown", "benign_man")
NAME_SETS = ("names_copyright", "names_in_sentences")
SETS = (*BENIGN_SETS, *NAME_SETS)
# Tokens a strict score does not ask to be covered: particles and titles.
_PARTICLES_AND_TITLES = (
    "van von de der den di da du del della dei la le les dos das af zu ten ter y bin ibn mac st dr mr mrs ms "
    "prof sir herr frau mme mlle m "
    # titles that news and encyclopaedia annotators put inside a person span ("Lt. Gen. Jubal Early")
    "lt gen col capt cpt sgt maj adm cmdr rev fr sen rep gov pres hon lord lady dame king queen prince princess "
    "saint mgr dhr mevr hr hrn herrn fräulein graf grafen gräfin fürst baron freiherr monsieur madame mademoiselle "
    "mm jhr prime minister president chancellor senator governor mayor general colonel captain sergeant major "
    "professor doctor bishop pope"
)
SKIP = frozenset(_PARTICLES_AND_TITLES.split())
_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def words(text: str) -> int:
    return len(text.split())


def strictly_covered(
    text: str,
    start: int,
    end: int,
    spans: Sequence[tuple[int, int]],
    token: re.Pattern[str] = _TOKEN,
    skip: frozenset[str] = SKIP,
) -> bool:
    """Every ``token`` in [start, end) of two characters or more (any run of digits), except the ``skip``
    words (particles and titles of names), inside one span."""
    for match in token.finditer(text, start, end):
        if (len(match.group()) < 2 and not match.group().isdigit()) or match.group().lower() in skip:
            continue
        if not any(s <= match.start() and match.end() <= e for s, e in spans):
            return False
    return True


@dataclass
class SetScore:
    name: str
    items: int = 0
    words: int = 0
    names: int = 0
    caught: int = 0
    false_spans: int = 0  # spans over no labelled value (a benign set has no labels at all)
    false_kinds: Counter[str] = field(default_factory=Counter)
    false_examples: Counter[tuple[str, str]] = field(default_factory=Counter)
    misses: list[str] = field(default_factory=list)
    by_group: dict[str, list[int]] = field(default_factory=dict)  # language or form -> [caught, names]

    @property
    def recall(self) -> float | None:
        return self.caught / self.names if self.names else None

    @property
    def false_per_1k(self) -> float:
        return 1000 * self.false_spans / self.words if self.words else 0.0


def load(name: str, split: str) -> list[dict[str, Any]]:
    path = REAL_TEXT / f"{name}.{split}.jsonl"
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def score(
    name: str, items: Sequence[dict[str, Any]], detect: Callable[[str], list[Span]], any_kind: bool = False
) -> SetScore:
    """Strict recall of the PERSON labels (covered by PERSON placeholders; by any placeholder with
    ``any_kind``: a name inside an ``@handle`` placeholder does not leak either) and false placeholders."""
    result = SetScore(name, items=len(items))
    for item in items:
        text = item["text"]
        result.words += words(text)
        spans = detect(text)
        labels = item.get("spans", [])
        persons = [(s.start, s.end) for s in spans if any_kind or s.kind == "PERSON"]
        for label in labels:
            if label["kind"] != "PERSON":
                continue
            result.names += 1
            hit = strictly_covered(text, label["start"], label["end"], persons)
            result.caught += hit
            for group in (f"lang={item['lang']}" if "lang" in item else None, f"form={item.get('form')}"):
                if group and not group.endswith("None"):
                    tally = result.by_group.setdefault(group, [0, 0])
                    tally[0] += hit
                    tally[1] += 1
            if not hit and len(result.misses) < 20:
                result.misses.append(text[label["start"] : label["end"]])
        for span in spans:
            if not any(span.start < lab["end"] and lab["start"] < span.end for lab in labels):
                result.false_spans += 1
                result.false_kinds[span.kind] += 1
                result.false_examples[(span.kind, text[span.start : span.end][:40])] += 1
    return result


def seal_holds(seal: str) -> bool:
    """Every file named in the ``sha256sum`` file ``seal`` (under fixtures/real_text/) still has its hash."""
    for line in (REAL_TEXT / seal).read_text(encoding="utf-8").splitlines():
        digest, name = line.split()
        if hashlib.sha256((REAL_TEXT / name).read_bytes()).hexdigest() != digest:
            return False
    return True


def sealed_ok() -> bool:
    """The held-out files are the ones whose hashes were committed before any tuning."""
    return seal_holds("SEALED.sha256")


def report(detect: Callable[[str], list[Span]], split: str = "dev", out: Any = None) -> list[SetScore]:
    """Score every set of ``split`` and print one block per set."""
    scores = [score(name, load(name, split), detect) for name in SETS]
    print(f"\nText nobody here wrote ({split} files of fixtures/real_text/; provenance in its README):", file=out)
    for s in scores:
        kinds = ", ".join(f"{k} {n}" for k, n in s.false_kinds.most_common(6))
        if s.name in BENIGN_SETS:
            print(
                f"  {s.name:20s} {s.words:7,d} words  false placeholders {s.false_spans:4d} = "
                f"{s.false_per_1k:5.2f} per 1,000 words ({kinds})",
                file=out,
            )
        else:
            groups = "  ".join(f"{g} {c / n:.2f}" for g, (c, n) in sorted(s.by_group.items()) if n >= 20)
            print(
                f"  {s.name:20s} {s.names:5d} names  strict recall {s.recall or 0:.3f}  "
                f"false spans {s.false_per_1k:.2f} per 1,000 words ({kinds})",
                file=out,
            )
            if groups:
                print(f"    {groups}", file=out)
    return scores
