"""Shared operator helpers in scrubber.operators.base."""

from __future__ import annotations

import pytest

from scrubber.operators.base import Invalid, strict_int


def test_strict_int_refuses_unicode_digits():
    with pytest.raises(Invalid):
        strict_int("٣")
