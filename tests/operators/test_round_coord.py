"""round_coord: latitude and longitude rounded to 0.01 degrees; NaN, infinities, text and out of range are invalid."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scrubber.operators import RecordScope
from scrubber.operators.base import Invalid
from tests.operators.helpers import make


@pytest.mark.parametrize(
    ("axis", "value", "expected"),
    [
        ("lat", 52.5200066, 52.52),
        ("lat", "52.5200066", 52.52),
        ("lon", -0.0001, 0.0),
        ("lon", 179.999, 180.0),
        ("lat", 90, 90.0),
        ("lat", "-33.8688", -33.87),
        ("lon", " 13.404954 ", 13.4),
        ("lat", "1e1", 10.0),
    ],
)
def test_round_coord(ctx, axis, value, expected):
    result = make(ctx, op="round_coord", axis=axis)(value)
    assert result == expected and math.copysign(1, result) == math.copysign(1, expected)


@pytest.mark.parametrize(
    ("axis", "value"),
    [
        ("lat", "north"),
        ("lat", float("nan")),
        ("lon", float("inf")),
        ("lat", "NaN"),
        ("lat", "inf"),
        ("lat", 90.01),
        ("lon", -180.5),
        ("lat", True),
        ("lat", None),
        ("lat", [1, 2]),
        ("lat", "1_0"),
        ("lat", "５２.５"),
        ("lat", ""),
    ],
)
def test_round_coord_rejects(ctx, axis, value):
    with pytest.raises(Invalid):
        make(ctx, op="round_coord", axis=axis)(value)


@given(st.floats(min_value=-90, max_value=90))
def test_round_coord_is_idempotent(value):
    from scrubber.operators.round_coord import RoundCoordRule, build

    rule = RoundCoordRule(field="x", op="round_coord", axis="lat")
    fn = build(rule, None)  # type: ignore[arg-type]
    scope = RecordScope(record={}, detector_counts={})
    once = fn(value, scope)
    assert fn(once, scope) == once
    assert abs(once - value) <= 0.005 + 1e-9
