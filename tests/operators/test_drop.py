"""drop: the field is removed."""

from __future__ import annotations

from scrubber.operators import DROP
from tests.operators.helpers import make


def test_drop(ctx):
    assert make(ctx, op="drop")("anything") is DROP
