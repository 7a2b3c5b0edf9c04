"""Shared fixtures: a fixed test key (and a key file of it, mode 0600) and scrubbers for both profiles."""

from __future__ import annotations

from pathlib import Path

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


@pytest.fixture(scope="session")
def key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test key in a file of mode 0600, as scrubber keygen --out makes one (others are refused)."""
    path = tmp_path_factory.mktemp("key") / "scrubber.key"
    path.write_text(TEST_KEY_HEX + "\n")
    path.chmod(0o600)
    return path
