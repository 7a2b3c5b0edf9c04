"""scan_text: free text with detected identifiers replaced; only text is accepted."""

from __future__ import annotations

import pytest

from scrubber.operators.base import Invalid
from tests.operators.helpers import make


def test_scan_text_requires_text(ctx):
    fn = make(ctx, op="scan_text")
    assert "bob@example.org" not in fn("write to bob@example.org today")
    with pytest.raises(Invalid):
        fn(["not", "text"])
