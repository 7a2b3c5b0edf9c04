"""Catalogues by profile name: the bundled profiles, and a suggestion for a misspelt name."""

from __future__ import annotations

import pytest

from scrubber import Scrubber
from scrubber.catalogue import available_profiles
from scrubber.errors import CatalogueError


def test_profiles_load_by_name(test_key):
    assert {"strict", "pseudonymous"} <= set(available_profiles())
    for name in ("strict", "pseudonymous"):
        assert Scrubber.from_catalogue(name, key=test_key).name == name


def test_unknown_profile_suggests(test_key):
    with pytest.raises(CatalogueError, match="Did you mean 'strict'"):
        Scrubber.from_catalogue("strikt", key=test_key)
