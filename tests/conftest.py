"""Shared fixtures: a fixed test key and scrubbers for both profiles."""

from __future__ import annotations

import pytest

from scrubber import Scrubber
from scrubber.keys import Key, make_key

# A fixed key for known-answer tests. Random-looking, so it passes the weak-key check.
TEST_KEY_HEX = "8f2a1c9e4b7d3f60a5e8c1b29d4f7a36e0b5c8d2f1a4e7b9c3d6f0a2e5b8c1d4"


@pytest.fixture(scope="session")
def test_key() -> Key:
    return make_key(bytes.fromhex(TEST_KEY_HEX))


@pytest.fixture(scope="session")
def pseudonymous(test_key: Key) -> Scrubber:
    return Scrubber.from_catalogue("pseudonymous", key=test_key)


@pytest.fixture(scope="session")
def strict(test_key: Key) -> Scrubber:
    return Scrubber.from_catalogue("strict", key=test_key)
