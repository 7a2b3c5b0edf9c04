"""The build context every operator test builds its rules with (the fixed test key, all detectors)."""

from __future__ import annotations

import pytest

from scrubber.detectors.scanner import build_scanner
from scrubber.operators.base import BuildContext


@pytest.fixture(scope="module")
def ctx(test_key):
    return BuildContext(key=test_key, scanner_factory=lambda names, tokens: build_scanner(names, None))
