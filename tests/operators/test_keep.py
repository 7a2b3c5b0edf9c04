"""keep: a scalar of the declared type, within its pattern, length and values."""

from __future__ import annotations

import pytest

from scrubber.operators.base import Invalid
from tests.operators.helpers import make


def test_keep(ctx):
    fn = make(ctx, op="keep", pattern="[a-z0-9:-]+")
    assert fn("ft:llama-2") == "ft:llama-2"
    for bad in ("ft:llama@x.com", 5, None, "x" * 300):
        with pytest.raises(Invalid):
            fn(bad)
    assert make(ctx, op="keep", type="int")(5) == 5
    with pytest.raises(Invalid):
        make(ctx, op="keep", type="int")(True)
    with pytest.raises(Invalid):
        make(ctx, op="keep", values=["user"])("admin")
