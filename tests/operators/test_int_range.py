"""int_range: integers in [min, max], numeric strings accepted; bools, fractions and look-alike digits invalid."""

from __future__ import annotations

import pytest

from scrubber.operators.base import Invalid
from tests.operators.helpers import make


@pytest.mark.parametrize(
    ("value", "expected"),
    [(200, 200), ("404", 404), (" 503 ", 503), (100, 100), (599, 599), (200.0, 200), ("+200", 200)],
)
def test_int_range(ctx, value, expected):
    assert make(ctx, op="int_range", min=100, max=599)(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        99,
        600,
        -200,
        "2OO",
        "200.5",
        200.5,
        True,
        None,
        "",
        "２００",
        "1e2",
        [200],
        "99999999999999999999999",
        float("nan"),
    ],
)
def test_int_range_rejects(ctx, value):
    with pytest.raises(Invalid):
        make(ctx, op="int_range", min=100, max=599)(value)
