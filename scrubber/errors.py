"""The exceptions scrubber raises. Messages name fields and reasons, never values or keys."""

from __future__ import annotations


class ScrubberError(Exception):
    """Base class for every error scrubber raises on purpose."""


class RecordRejected(ScrubberError):
    """A record cannot be scrubbed safely; it belongs in the quarantine.

    ``reason`` is a short machine-readable code and ``field`` the dotted path
    that caused it. Neither ever contains a value from the record.
    """

    def __init__(self, reason: str, field: str = "", detail: str = "") -> None:
        self.reason = reason
        self.field = field
        self.detail = detail
        where = f" at {field}" if field else ""
        extra = f": {detail}" if detail else ""
        super().__init__(f"{reason}{where}{extra}")


class CatalogueError(ScrubberError):
    """A catalogue file is invalid. The message names file, line and field and says how to fix it."""


class KeyMaterialError(ScrubberError):
    """The pseudonymisation key is missing, unreadable or too weak. Never carries key bytes."""


class UsageError(ScrubberError):
    """A bad command line."""


# Exit codes of every scrubber command (stable, for scripts).
EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_IO = 0, 1, 2, 3


def exit_code_for(exc: BaseException) -> int:
    """2 for bad usage, catalogue or key; 3 for input/output and every other failure."""
    return EXIT_USAGE if isinstance(exc, (UsageError, CatalogueError, KeyMaterialError)) else EXIT_IO
