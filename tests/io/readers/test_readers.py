"""The readers' common part: batching, and a missing file."""

from __future__ import annotations

from pathlib import Path

import pytest

from scrubber.io.fs import SourceError
from scrubber.io.readers import batched
from tests.io.readers.helpers import read_all


def test_batched_keeps_order_and_sizes() -> None:
    assert list(batched(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(batched([], 3)) == []


def test_a_missing_file_is_an_io_error_not_a_quarantine_entry(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="cannot open"):
        read_all(tmp_path / "gone.jsonl")
