"""Golden fixtures: fixtures/golden/input.jsonl -> expected-<profile>.jsonl.

Regenerate only on purpose, after reviewing the diff:
    PYTHONPATH=. .venv/bin/python -m tests.golden
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from scrubber import RecordRejected, Scrubber
from scrubber.keys import make_key

GOLDEN = Path(__file__).resolve().parent.parent / "fixtures" / "golden"
PROFILES = ("strict", "pseudonymous")
KEY_HEX = "8f2a1c9e4b7d3f60a5e8c1b29d4f7a36e0b5c8d2f1a4e7b9c3d6f0a2e5b8c1d4"  # same as tests/conftest.py


def outcome(scrubber: Scrubber, line: bytes) -> dict[str, Any]:
    try:
        return {"record": scrubber.scrub(orjson.loads(line))}
    except RecordRejected as exc:
        return {"rejected": exc.reason, "field": exc.field}


def outcomes(profile: str) -> list[dict[str, Any]]:
    scrubber = Scrubber.from_catalogue(profile, key=make_key(bytes.fromhex(KEY_HEX)))
    return [outcome(scrubber, line) for line in (GOLDEN / "input.jsonl").read_bytes().splitlines()]


def regenerate() -> None:
    for profile in PROFILES:
        lines = [orjson.dumps(item, option=orjson.OPT_SORT_KEYS) for item in outcomes(profile)]
        (GOLDEN / f"expected-{profile}.jsonl").write_bytes(b"\n".join(lines) + b"\n")
        print(f"wrote expected-{profile}.jsonl ({len(lines)} lines)")


if __name__ == "__main__":
    regenerate()
