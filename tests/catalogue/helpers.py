"""``check``: load a broken catalogue written from a YAML snippet and return its error text."""

from __future__ import annotations

import textwrap

import pytest

from scrubber import Scrubber
from scrubber.errors import CatalogueError


def check(tmp_path, test_key, body: str) -> str:
    path = tmp_path / "broken.yaml"
    path.write_text(textwrap.dedent(body))
    with pytest.raises(CatalogueError) as info:
        Scrubber.from_catalogue(path, key=test_key)
    return str(info.value)
