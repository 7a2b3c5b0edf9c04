"""From raw input lines to outcomes: a scrubbed record or a quarantine entry. Pure Python; Beam calls it.

``scrub_line`` is total: every line (and every read problem) yields exactly one ``Outcome``, and each
one is counted once in the Scrubber's ``stats`` (``Stats.tally``), whatever happens inside.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import blake3
import orjson

from scrubber.core import Scrubber
from scrubber.errors import RecordRejected
from scrubber.io.lines import MAX_LINE_BYTES, ReadProblem, SourceLine
from scrubber.io.readers.quarantine import reopened
from scrubber.keys import Key
from scrubber.sealing import Sealer

BOM = b"\xef\xbb\xbf"
QUARANTINE_HASH_CONTEXT = "scrubber 2026-11 quarantine line hash v1"
_LOG = logging.getLogger(__name__)

__all__ = ["MAX_LINE_BYTES", "Outcome", "Quarantiner", "SourceLine", "decode_line", "scrub_line"]


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
    """Builds quarantine entries: reason, field, source file and line, and the line, its keyed hash or the
    line sealed (AES-256-GCM) with the quarantine key. With that key it also opens sealed entries on replay."""

    def __init__(self, *, hash_key: bytes | None = None, seal_key: Key | None = None) -> None:
        if hash_key is not None and seal_key is not None:
            raise ValueError("a quarantine stores a keyed hash or a sealed line, not both")
        self._hasher = (
            blake3.blake3(key=blake3.blake3(hash_key, derive_key_context=QUARANTINE_HASH_CONTEXT).digest())
            if hash_key is not None
            else None
        )
        self.sealer = Sealer(seal_key) if seal_key is not None else None

    def __repr__(self) -> str:
        stores = "keyed_hash" if self._hasher else f"sealed_line, {self.sealer!r}" if self.sealer else "line"
        return f"Quarantiner({stores})"

    def entry(self, line: SourceLine, rejection: RecordRejected) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "source": line.source,
            "line": line.line_no,
            "reason": rejection.reason,
            "field": rejection.field,
        }
        if self.sealer is not None:
            return self.sealer.seal_into(entry, line.data)
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


def scrub_line(scrubber: Scrubber, quarantiner: Quarantiner, item: SourceLine | ReadProblem) -> Outcome:
    """Decode and scrub one line; a read problem, a bad line or a rejected record becomes a quarantine entry.

    A line the core fails on unexpectedly is quarantined too, never written: the fail-closed net for a
    bug, so that one odd line cannot stop the job. The error's type is logged, never its message.
    """
    if isinstance(item, ReadProblem):
        item = reopened(item, quarantiner.sealer)  # a replayed sealed entry, opened if the run holds its key
    if isinstance(item, ReadProblem):
        scrubber.stats.tally(item.reason)
        if item.kept_entry is not None:
            return Outcome(None, dict(item.kept_entry))
        return Outcome(None, quarantiner.entry(item.line, RecordRejected(item.reason)))
    try:
        try:
            record = decode_line(item.data)
        except RecordRejected as exc:
            scrubber.stats.tally(exc.reason)
            raise
        return Outcome(scrubber.scrub(record), None)  # scrub counts the record itself
    except RecordRejected as exc:
        return Outcome(None, quarantiner.entry(item, exc))
    except Exception as exc:  # fail closed: quarantine, do not crash or leak
        reason = f"internal_error_{type(exc).__name__}"
        scrubber.stats.tally(reason)
        _LOG.warning("scrubber: %s at %s:%d; the line goes to the quarantine", reason, item.source, item.line_no)
        return Outcome(None, quarantiner.entry(item, RecordRejected(reason)))
