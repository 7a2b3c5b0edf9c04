"""generalize: user agents to a browser family, Accept-Language to a language."""

from __future__ import annotations

import pytest

from tests.operators.helpers import make


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("browser_family", "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/120.0 Safari/537.36", "chrome"),
        ("browser_family", "Mozilla/5.0 ... Chrome/120.0 Safari/537.36 Edg/120.0.2210.91", "edge"),
        ("browser_family", "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0", "firefox"),
        ("browser_family", "curl/8.5.0", "curl"),
        ("browser_family", "Something/1.0", "other"),
        ("language", "de-CH,de;q=0.9,en;q=0.8", "de"),
        ("language", "*", "other"),
    ],
)
def test_generalize(ctx, kind, value, expected):
    assert make(ctx, op="generalize", kind=kind)(value) == expected
