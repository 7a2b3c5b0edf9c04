"""Running ``scrubber run`` as an operator does (a fresh interpreter) and reading what it wrote.

Shared by the reliability tests: bad input, faults, determinism and key hygiene."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import blake3
import orjson
import pyarrow.parquet as pq
import pytest

from tests.conftest import TEST_KEY_HEX

ROOT = Path(__file__).resolve().parents[2]
SUBKEY_CONTEXT = "scrubber 2026-11 pseudonym subkey v1 "
ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"))


def run_cli(
    *argv: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    prefix: Sequence[str] = (),
    timeout: float = 600,
) -> subprocess.CompletedProcess[str]:
    """``python -m scrubber.cli ARGV`` in a fresh interpreter; stdout and stderr captured as text."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("SCRUBBER_")}
    full_env["PYTHONPATH"] = str(ROOT)
    full_env.update(env or {})
    return subprocess.run(
        [*prefix, sys.executable, "-m", "scrubber.cli", *argv],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def no_dac_override() -> list[str]:
    """A command prefix under which permission bits apply, also to root (who ignores them otherwise)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: cannot make a directory unwritable")
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner"]


def pseudonym(namespace: str, text: str, key_hex: str = TEST_KEY_HEX) -> str:
    """The documented derivation, recomputed here: BLAKE3 keyed with the namespace's derived subkey."""
    subkey = blake3.blake3(bytes.fromhex(key_hex), derive_key_context=SUBKEY_CONTEXT + namespace).digest()
    return blake3.blake3(text.encode("utf-8"), key=subkey).hexdigest()


def without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def sandbox_rows(directory: Path) -> list[dict[str, Any]]:
    """The sandbox's records, without nulls; Parquet through our reader, which decodes the JSON-text
    columns it marks (a field whose shape varies)."""
    from scrubber.io.fs import FsConfig
    from scrubber.io.readers import parquet as parquet_reader

    rows: list[dict[str, Any]] = []
    for path in sorted(directory.glob("part-*")):
        if path.suffix == ".parquet":
            items = parquet_reader.read(str(path), FsConfig(), None)
            rows += [without_nulls(orjson.loads(item.data)) for item in items]  # type: ignore[union-attr]
        else:
            rows += [orjson.loads(line) for line in path.read_bytes().splitlines()]
    return rows


def quarantine_entries(directory: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for p in sorted(directory.glob("part-*.jsonl")) for line in p.read_bytes().splitlines()]


def searchable(text: str) -> str:
    """Text as a leak check compares it: NFKC, zero-width characters, spaces and hyphens removed, case folded."""
    return re.sub(r"[\s-]+", "", unicodedata.normalize("NFKC", text).translate(ZERO_WIDTH).casefold())


def sandbox_text(directory: Path) -> str:
    """Every file under the sandbox (parts, audit, anything else) as text; Parquet also as decoded rows."""
    parts = []
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            parts.append(path.read_bytes().decode("utf-8", "replace"))
            if path.suffix == ".parquet":
                parts.append(orjson.dumps(pq.read_table(path).to_pylist()).decode())
    return searchable("\n".join(parts))
