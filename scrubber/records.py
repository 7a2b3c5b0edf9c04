"""From raw input lines to records, and what goes to the quarantine. Pure Python; Beam calls it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import blake3
import orjson

from scrubber.core import Scrubber
from scrubber.errors import RecordRejected

BOM = b"\xef\xbb\xbf"
MAX_LINE_BYTES = 64 * 1024 * 1024
QUARANTINE_HASH_CONTEXT = "scrubber 2026-11 quarantine line hash v1"


@dataclass(frozen=True, slots=True)
class SourceLine:
    """One input line and where it came from (file and 1-based line number)."""

    source: str
    line_no: int
    data: bytes


def decode_line(data: bytes) -> Any:
    """Parse one JSON line. Raises RecordRejected: empty_line, line_too_long, too_deep, invalid_utf8 or not_json.

    too_deep: nested deeper than orjson's limit of 1024 arrays/objects (valid JSON, but no log record is).
    """
    if data.startswith(BOM):
        data = data[len(BOM) :]
    data = data.rstrip(b"\r\n")
    if not data.strip():
        raise RecordRejected("empty_line")
    if len(data) > MAX_LINE_BYTES:
        raise RecordRejected("line_too_long", "", f"over {MAX_LINE_BYTES} bytes")
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        message = str(exc)
        if "UTF-8" in message or "surrogate" in message:
            reason = "invalid_utf8"
        elif "depth limit" in message:
            reason = "too_deep"
        else:
            reason = "not_json"
        # orjson's message carries only a position, never the input; keep just the position part.
        position = str(exc).rsplit(":", 1)[-1].strip()
        raise RecordRejected(reason, "", position) from None


class Quarantiner:
    """Builds quarantine entries: reason, field, source file and line, and the line or its keyed hash."""

    def __init__(self, *, hash_key: bytes | None = None) -> None:
        self._hasher = (
            blake3.blake3(key=blake3.blake3(hash_key, derive_key_context=QUARANTINE_HASH_CONTEXT).digest())
            if hash_key is not None
            else None
        )

    def entry(self, line: SourceLine, rejection: RecordRejected) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "source": line.source,
            "line": line.line_no,
            "reason": rejection.reason,
            "field": rejection.field,
        }
        if self._hasher is None:
            entry["raw"] = line.data.decode("utf-8", "backslashreplace")
        else:
            h = self._hasher.copy()
            h.update(line.data)
            entry["raw_blake3"] = h.hexdigest()
        return entry


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result for one line: exactly one of ``record`` and ``quarantine`` is set."""

    record: dict[str, Any] | None
    quarantine: dict[str, Any] | None


def process_lines(scrubber: Scrubber, quarantiner: Quarantiner, lines: Iterable[SourceLine]) -> Iterator[Outcome]:
    """Decode and scrub each line; every line yields exactly one outcome."""
    for line in lines:
        try:
            record = decode_line(line.data)
        except RecordRejected as exc:
            scrubber.stats.records_in += 1
            scrubber.stats.reject(exc.reason)
            yield Outcome(None, quarantiner.entry(line, exc))
            continue
        try:
            yield Outcome(scrubber.scrub(record), None)
        except RecordRejected as exc:
            yield Outcome(None, quarantiner.entry(line, exc))
