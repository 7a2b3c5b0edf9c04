"""E-mail addresses: a dot-atom local part, '@', and a domain with a letter-only top-level label."""

from __future__ import annotations

from scrubber.detectors.base import Example, PatternDetector, compile_pattern

PATTERN = compile_pattern(
    r"""
    (?<![\w.+%'-])                          # not the tail of a longer local part
    (?P<id>
      [\w!#$%'*+-]{1,64}                    # first atom of the local part (no URL syntax: / ? = & ...)
      (?:\.[\w!#$%'*+-]{1,64}){0,8}         # more dot-separated atoms
      @
      (?:[^\W_](?:[\w-]{0,61}[^\W_])?\.){1,8}  # domain labels, each ending in a dot
      [^\W\d_]{2,24}                        # top-level label: letters only
    )
    (?![\w-]|\.[^\W_])                      # not followed by more domain
    """
)

DETECTOR = PatternDetector(
    name="EMAIL",
    pattern=PATTERN,
    trigger=r"[^\s@]@[^\s@]+\.[^\s\d.@]{2}",
    max_len=400,
    priority=70,
    examples=(
        Example("write to anna.schmidt+logs@example.co.uk today", ("anna.schmidt+logs@example.co.uk",)),
        Example("Kontakt: jürgen.müller@beispiel.de.", ("jürgen.müller@beispiel.de",)),
        Example("user@localhost and a@a@a and name@example.123", ()),
        Example("see @handle or foo@ bar", ()),
    ),
)
