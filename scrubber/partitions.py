"""Date partitions of an incremental sandbox (``dt=YYYY-MM-DD/``), from a record's time or from its input path.

Pure functions; the writers call them. A record whose date cannot be told goes to ``dt=unknown``,
never to a made-up day.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any, Literal

import regex

PartitionBy = Literal["ts", "path"]
UNKNOWN = "dt=unknown"
# 2026-11-23, dt=2026-11-23, 2026/11/23 or 20261123, not inside a longer number
_DATE_IN_PATH = regex.compile(r"(?<![0-9])(\d{4})([-/_]?)(\d{2})\2(\d{2})(?![0-9])")
_MILLIS_FROM = 100_000_000_000  # epoch values above this are milliseconds (year 5138 in seconds)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def partition_name(day: date | None) -> str:
    return f"dt={day.isoformat()}" if day is not None else UNKNOWN


def _valid(year: str, month: str, day: str) -> date | None:
    try:
        found = date(int(year), int(month), int(day))
    except ValueError:
        return None
    return found if 1970 <= found.year <= 2200 else None


def date_from_path(path: str) -> date | None:
    """The last valid date written in a path (a file name is more specific than its folders), or None."""
    for match in reversed(list(_DATE_IN_PATH.finditer(path))):
        found = _valid(match.group(1), match.group(3), match.group(4))
        if found is not None:
            return found
    return None


def date_from_value(value: Any) -> date | None:
    """The UTC day of an epoch (seconds or milliseconds) or an ISO 8601 time, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        seconds = value / 1000 if value >= _MILLIS_FROM else value
        try:
            return datetime.fromtimestamp(seconds, UTC).date()
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        match = _ISO_DATE.match(value.strip())
        return _valid(*match.groups()) if match else None
    return None


def record_partition(record: dict[str, Any], field: str) -> str:
    return partition_name(date_from_value(record.get(field)))


def path_partition(path: str) -> str:
    return partition_name(date_from_path(path))
