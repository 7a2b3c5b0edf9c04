"""strip_params: URLs without userinfo, fragment, trackers and parameters not allowed."""

from __future__ import annotations

import pytest

from scrubber.operators.base import Invalid
from tests.operators.helpers import make


@pytest.mark.parametrize(
    ("url", "allow", "expected"),
    [
        ("https://shop.example/p?id=7&utm_source=x&gclid=abc#frag", ["id"], "https://shop.example/p?id=7"),
        ("https://user:pw@shop.example:8443/a?fbclid=1&q=x", [], "https://shop.example:8443/a"),
        ("https://shop.example/a?utm_campaign=x", ["utm_campaign"], "https://shop.example/a"),
        ("https://[2001:db8::1]:8080/x?a=1", ["a"], "https://[2001:db8::1]:8080/x?a=1"),
    ],
)
def test_strip_params(ctx, url, allow, expected):
    assert make(ctx, op="strip_params", allow=allow)(url) == expected


def test_strip_params_rejects(ctx):
    with pytest.raises(Invalid):
        make(ctx, op="strip_params")(42)
    with pytest.raises(Invalid):
        make(ctx, op="strip_params")("http://[::1/")
