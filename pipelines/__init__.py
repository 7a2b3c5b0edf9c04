"""The Beam side of scrubber: options, DoFns over the pure core, and the ``scrubber run`` wiring."""

from __future__ import annotations

import logging


class _DropImportNoise(logging.Filter):
    """Beam warns at import time that crcmod is missing; nothing here needs it (no GCS CRC checks)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("crcmod package not found")


logging.getLogger().addFilter(_DropImportNoise())
