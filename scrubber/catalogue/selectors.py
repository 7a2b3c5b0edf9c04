"""Field selectors: ``client.ip``, ``messages[*].content``, ``cookies._pk_*``, ``headers."X-Forwarded-For"``."""

from __future__ import annotations

from dataclasses import dataclass

import regex

_SEGMENT = regex.compile(
    r"""
    (?: "(?P<quoted>[^"]+)"          # a quoted name may hold dots
      | (?P<plain>[^.\[\]"]+) )      # or a plain name or glob
    (?P<lists>(?:\[\*\])*)           # zero or more [*]: every element of a list
    """,
    regex.VERBOSE,
)
_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class Segment:
    name: str
    is_glob: bool
    list_depth: int


def parse_selector(selector: str) -> list[Segment]:
    """Split a selector into segments. Raises ValueError with a hint on a malformed selector."""
    segments: list[Segment] = []
    position = 0
    while True:
        match = _SEGMENT.match(selector, position)
        if match is None:
            raise ValueError(
                f"malformed selector {selector!r} at character {position + 1}; "
                'use dotted names, [*] for lists and "quotes" around names with dots, '
                "e.g. messages[*].content or cookies._pk_*"
            )
        name = match.group("quoted") or match.group("plain")
        is_glob = match.group("quoted") is None and bool(_GLOB_CHARS & set(name))
        segments.append(Segment(name=name, is_glob=is_glob, list_depth=match.group("lists").count("[*]")))
        position = match.end()
        if position == len(selector):
            return segments
        if selector[position] != ".":
            raise ValueError(f"malformed selector {selector!r}: expected '.' at character {position + 1}")
        position += 1
