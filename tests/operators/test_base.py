"""Shared operator helpers in scrubber.operators.base."""

from __future__ import annotations

import pytest

from scrubber.operators.base import Invalid, strict_int


def test_strict_int_refuses_unicode_digits():
    with pytest.raises(Invalid):
        strict_int("٣")


def test_every_operator_refuses_a_null_as_invalid_or_drops_it(ctx):
    """The plan relies on this: a null where the catalogue says it means absent is caught on Invalid."""
    from scrubber.operators import DROP, OPERATORS
    from tests.operators.helpers import make

    required = {"pseudonymize": {"namespace": "n"}, "round_coord": {"axis": "lat"}, "generalize": {"kind": "language"}}
    required["int_range"] = {"min": 0, "max": 1}
    for name in OPERATORS:
        transform = make(ctx, op=name, **required.get(name, {}))
        if name == "drop":
            assert transform(None) is DROP
            continue
        with pytest.raises(Invalid):
            transform(None)
