"""epoch_second: integer epoch seconds from ints, floats and ISO-8601 with offsets; near misses."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scrubber.operators.base import Invalid
from scrubber.operators.epoch_second import to_epoch_second
from tests.operators.helpers import make


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1763892902, 1763892902),
        (1763892902.999, 1763892902),
        ("1763892902", 1763892902),
        ("1763892902.5", 1763892902),
        ("2026-11-23T10:15:02.123Z", 1795428902),
        ("2026-11-23T11:15:02+01:00", 1795428902),
        ("2026-11-23T10:15:02", 1795428902),
        ("2026-11-23 10:15:02.999999+00:00", 1795428902),
        (0, 0),
    ],
)
def test_epoch_second(ctx, value, expected):
    assert make(ctx, op="epoch_second")(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        -1,
        "yesterday",
        "2026-13-01T00:00:00Z",
        float("nan"),
        float("inf"),
        True,
        None,
        {"s": 1},
        [1],
        "10000-01-01T00:00:00Z",
        253402300800,
        1e20,
        "１７６３８９２９０２",
        "2026-11-23T10:15:02+25:00",
    ],
)
def test_epoch_second_rejects(ctx, value):
    with pytest.raises(Invalid):
        make(ctx, op="epoch_second")(value)


def test_epoch_second_naive_reject(ctx):
    with pytest.raises(Invalid):
        make(ctx, op="epoch_second", naive="reject")("2026-11-23T10:15:02")


@given(st.datetimes(timezones=st.timezones()))
def test_epoch_second_matches_datetime(moment):
    if moment.utcoffset() is None:
        return
    assert to_epoch_second(moment.isoformat()) == math.floor(moment.timestamp())
