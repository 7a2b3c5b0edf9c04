"""The source fixtures (fixtures/sources/<name>/) and their golden outputs (expected.jsonl).

Regenerate the goldens only on purpose, after reviewing the diff:
    PYTHONPATH=. .venv/bin/python -m tests.sources.golden
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from scrubber import Scrubber
from scrubber.keys import make_key
from tests.golden import KEY_HEX

SOURCES_DIR = Path(__file__).resolve().parent.parent.parent / "fixtures" / "sources"


@dataclass(frozen=True)
class Source:
    catalogue: str
    inputs: tuple[str, ...]  # file names in fixtures/sources/<directory>/

    @property
    def directory(self) -> Path:
        return SOURCES_DIR / self.catalogue

    @property
    def planted(self) -> dict[str, Any]:
        data: dict[str, Any] = orjson.loads((self.directory / "planted.json").read_bytes())
        return data


SOURCES = (
    Source("litellm", ("litellm.jsonl",)),
    Source("litellm-spend", ("litellm-spend.jsonl", "litellm-spend.parquet")),
    Source("openai-batch-input", ("openai-batch-input.jsonl",)),
    Source("openai-batch-output", ("openai-batch-output.jsonl",)),
    Source("openai-finetune", ("openai-finetune.jsonl",)),
)


def scrubbed(source: Source) -> list[bytes]:
    """The first input's lines through the library call, one sorted-keys JSON line each."""
    scrubber = Scrubber.from_catalogue(source.catalogue, key=make_key(bytes.fromhex(KEY_HEX)))
    lines = (source.directory / source.inputs[0]).read_bytes().splitlines()
    return [orjson.dumps(scrubber.scrub(orjson.loads(line)), option=orjson.OPT_SORT_KEYS) for line in lines]


def regenerate() -> None:
    for source in SOURCES:
        lines = scrubbed(source)
        (source.directory / "expected.jsonl").write_bytes(b"\n".join(lines) + b"\n")
        print(f"wrote {source.catalogue}/expected.jsonl ({len(lines)} lines)")


if __name__ == "__main__":
    regenerate()
