"""Progress of a local run: counters the DoFns bump and a display thread that reads them.

Only meaningful when the DoFns run inside the launching process (the FnApiRunner in its
in-memory mode); on other runners the counters stay at zero and the display shows time only.
"""

from __future__ import annotations

import threading
import time
from typing import Any

_lock = threading.Lock()
_bytes = 0
_records = 0


def add_bytes(n: int) -> None:
    global _bytes
    with _lock:
        _bytes += n


def add_records(n: int) -> None:
    global _records
    with _lock:
        _records += n


def reset() -> None:
    global _bytes, _records
    with _lock:
        _bytes = 0
        _records = 0


def snapshot() -> tuple[int, int]:
    with _lock:
        return _bytes, _records


class ProgressDisplay:
    """A rich progress bar over input bytes, refreshed from a background thread while the run lasts.

    With ``enabled=False`` (not a terminal, --quiet, or a remote runner) it shows nothing.
    """

    def __init__(self, total_bytes: int, label: str, console: Any, *, enabled: bool = True) -> None:
        self.enabled = enabled
        from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TextColumn("{task.fields[records]:>12,} lines"),
            TextColumn("{task.fields[rate]:>10,.0f} lines/s"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self._task = self._progress.add_task(label, total=max(total_bytes, 1), records=0, rate=0.0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="scrubber-progress", daemon=True)
        self._started = time.monotonic()

    def __enter__(self) -> ProgressDisplay:
        if not self.enabled:
            return self
        reset()
        self._progress.start()
        self._thread.start()
        return self

    def _update(self) -> None:
        nbytes, records = snapshot()
        elapsed = max(time.monotonic() - self._started, 1e-9)
        self._progress.update(self._task, completed=nbytes, records=records, rate=records / elapsed)

    def _loop(self) -> None:
        while not self._stop.wait(0.25):
            self._update()

    def __exit__(self, *exc: object) -> None:
        if not self.enabled:
            return
        self._stop.set()
        self._thread.join()
        self._update()
        self._progress.stop()
