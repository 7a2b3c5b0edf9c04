"""Quarantine shards read back as input (a replay): each entry becomes the raw line it holds, with its origin.

An entry ``{"source", "line", "reason", "field", "raw"}`` yields ``SourceLine(source, line, raw)``, so a
line that is quarantined again keeps the file and line number it first came from. An entry that holds
only a keyed hash (``raw_blake3``) cannot be replayed: it is passed on unchanged and stays quarantined.
A sealed entry (``raw_sealed``, see ``scrubber.sealing``) is passed on the same way, as a read problem
that keeps the entry; the step that holds the run's quarantine key opens it (``reopened``), so the key
is needed in one place only. Without that key, or sealed with another key, or when it does not open, the
entry stays as it was, counted under its own reason. A line that is not a quarantine entry is a read
problem, quarantined with the line itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import orjson

from scrubber.io.fs import FsConfig
from scrubber.io.lines import ReadProblem, SourceLine
from scrubber.io.readers import jsonl
from scrubber.sealing import SEAL_KEY_ID, SealBroken, Sealer, is_sealed

NOT_AN_ENTRY = "replay_not_a_quarantine_entry"
NO_RAW_LINE = "replay_without_raw_line"
SEALED_WITHOUT_KEY = "replay_sealed_without_key"  # the run has no quarantine key
SEALED_WITH_OTHER_KEY = "replay_sealed_with_other_key"  # the entry's seal_key_id is not the run's key
SEAL_BROKEN = "replay_seal_broken"  # the tag does not verify: the ciphertext or the entry was changed


def read(uri: str, fs_config: FsConfig, on_bytes: Callable[[int], None] | None) -> Iterator[SourceLine | ReadProblem]:
    for item in jsonl.read(uri, fs_config, on_bytes):
        if isinstance(item, ReadProblem):
            yield item
            continue
        yield replayed(item)


def parse_entry(data: bytes) -> dict[str, Any] | None:
    """A quarantine entry (a JSON object with a string source and reason and an integer line), or None."""
    try:
        entry = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    if (
        not isinstance(entry, dict)
        or not isinstance(entry.get("source"), str)
        or not isinstance(entry.get("line"), int)
        or not isinstance(entry.get("reason"), str)
    ):
        return None
    return entry


def replayed(item: SourceLine) -> SourceLine | ReadProblem:
    """The raw line a quarantine entry holds, or why it cannot be replayed (yet: see ``reopened``)."""
    entry = parse_entry(item.data)
    if entry is None:
        return ReadProblem(item, NOT_AN_ENTRY)
    origin = SourceLine(entry["source"], entry["line"], b"")
    raw = entry.get("raw")
    if isinstance(raw, str):
        return SourceLine(origin.source, origin.line_no, raw.encode("utf-8", "surrogateescape"))
    if isinstance(entry.get("raw_blake3"), str):
        return ReadProblem(origin, NO_RAW_LINE, kept_entry=entry)
    if is_sealed(entry):
        return ReadProblem(origin, SEALED_WITHOUT_KEY, kept_entry=entry)
    return ReadProblem(item, NOT_AN_ENTRY)


def reopened(item: ReadProblem, sealer: Sealer | None) -> SourceLine | ReadProblem:
    """A sealed entry's raw line, opened with the run's quarantine key; else the entry, kept, and why."""
    entry = item.kept_entry
    if item.reason != SEALED_WITHOUT_KEY or entry is None or sealer is None:
        return item
    if entry.get(SEAL_KEY_ID) != sealer.key_id:
        return replace(item, reason=SEALED_WITH_OTHER_KEY)
    try:
        raw = sealer.open_entry(entry)
    except SealBroken:
        return replace(item, reason=SEAL_BROKEN)
    return SourceLine(item.line.source, item.line.line_no, raw)
