"""Scores on news, encyclopaedia and social-media text whose person names other projects labelled
(fixtures/real_text/prose_*.jsonl, built by prose_build.py): strict name recall per language and false
placeholders per 1,000 words, with how many of them sit on an organisation, place or other entity.
``make eval`` reports the dev files; the sealed held-out files only with ``--prose-heldout``, once, when the
name work they guard is finished."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from scrubber.detectors.base import Span
from tests.eval import real_text

REAL_TEXT = real_text.REAL_TEXT
SETS = ("prose_encyclopedia", "prose_news", "prose_social")
SEAL = "SEALED.round3.sha256"


def sealed_ok() -> bool:
    """The held-out files are the ones whose hashes were committed before any tuning on the dev files."""
    return real_text.seal_holds(SEAL)


def false_on_entities(items: list[dict[str, Any]], detect: Callable[[str], list[Span]]) -> Counter[str]:
    """False PERSON spans by the entity type they overlap (ORG, LOC, MISC ...; NONE for plain words)."""
    kinds: Counter[str] = Counter()
    for item in items:
        labels = item["spans"]
        for span in detect(item["text"]):
            if span.kind != "PERSON" or any(span.start < s["end"] and s["start"] < span.end for s in labels):
                continue
            hit = [e["kind"] for e in item["entities"] if span.start < e["end"] and e["start"] < span.end]
            kinds[hit[0] if hit else "NONE"] += 1
    return kinds


def report(detect: Callable[[str], list[Span]], split: str = "dev", out: Any = None) -> list[real_text.SetScore]:
    scores = []
    print(f"\nNews, encyclopaedia and social-media text, names labelled by others ({split} files):", file=out)
    for name in SETS:
        items = real_text.load(name, split)
        found = {item["text"]: detect(item["text"]) for item in items}  # each text scanned once for both
        s = real_text.score(name, items, found.__getitem__, any_kind=True)
        scores.append(s)
        groups = "  ".join(
            f"{g.removeprefix('lang=')} {c / n:.3f} ({c}/{n})" for g, (c, n) in sorted(s.by_group.items())
        )
        kinds = ", ".join(f"{k} {n}" for k, n in s.false_kinds.most_common(5))
        on = ", ".join(f"{k} {n}" for k, n in false_on_entities(items, found.__getitem__).most_common())
        print(
            f"  {name.removeprefix('prose_'):13s} {s.words:6,d} words {s.names:4d} names  strict recall "
            f"{s.recall or 0:.3f}  [{groups}]",
            file=out,
        )
        print(f"    false placeholders {s.false_per_1k:.2f} per 1,000 words ({kinds}); false PERSON on: {on}", file=out)
    return scores
