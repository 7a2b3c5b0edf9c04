"""The bad-input case model: a case is one input file and, line by line, what must become of it.

A line is quarantined with a reason and field (``Q``) or passes with exactly this scrubbed record (``Out``).
A passing line carries its own ``ts`` (``@TS@`` in a template: BASE_TS + PER_CASE * case + line); that is
how a sandbox row is traced back to its case and line."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

BASE_TS = 1_800_000_000
PER_CASE = 100_000
MIB = 1024 * 1024


@dataclass(frozen=True)
class Q:
    """The line goes to the quarantine with this reason (one of these reasons) and field."""

    reason: str | tuple[str, ...]
    field: str = ""


@dataclass(frozen=True)
class Out:
    """The line passes; its sandbox row minus ts is exactly ``record`` (a callable value is a predicate)."""

    record: dict[str, Any] = field(default_factory=dict)


Outcome = Q | Out
Builder = Callable[[Callable[[int], int]], bytes]  # ts(line) -> file bytes


@dataclass(frozen=True)
class Case:
    name: str
    kind: str  # what kind of bad input, in words (the closing note's table)
    suffix: str
    build: Builder
    expect: tuple[Outcome, ...]
    planted: tuple[str, ...] = ()
    xfail: str = ""  # a known gap owned elsewhere: the test fails until it is closed (strict xfail)


def lines_case(
    name: str,
    kind: str,
    rows: Sequence[tuple[bytes | str, Outcome]],
    *,
    planted: Sequence[str] = (),
    sep: bytes = b"\n",
    tail: bytes = b"\n",
    head: bytes = b"",
    xfail: str = "",
) -> Case:
    """A JSON-lines case: each row is a line template (``@TS@`` becomes the line's ts) and its outcome."""
    templates = [r[0].encode() if isinstance(r[0], str) else r[0] for r in rows]

    def build(ts: Callable[[int], int]) -> bytes:
        body = sep.join(t.replace(b"@TS@", str(ts(i)).encode()) for i, t in enumerate(templates, start=1))
        return head + body + tail

    return Case(name, kind, ".jsonl", build, tuple(r[1] for r in rows), tuple(planted), xfail)


def js(value: Any) -> str:
    """A JSON line from a Python value, with ``"@TS@"`` strings turned back into the bare template."""
    return orjson.dumps(value).decode().replace('"@TS@"', "@TS@")


def hex64(value: Any) -> bool:
    return isinstance(value, str) and re.fullmatch(r"[0-9a-f]{64}", value) is not None


def nested(depth: int, inner: str = "1", open_: str = "[", close: str = "]") -> str:
    return open_ * depth + inner + close * depth


def matches(actual: Any, expected: Any) -> bool:
    if callable(expected):
        return bool(expected(actual))
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and actual.keys() == expected.keys()
            and all(matches(actual[k], v) for k, v in expected.items())
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(matches(a, e) for a, e in zip(actual, expected, strict=True))
        )
    return bool(actual == expected and type(actual) is type(expected))
