"""With --key-secret, each worker fetches the key itself: the DoFns of run and stream carry only the secret's name."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import orjson
import pytest

import scrubber.keys
from scrubber.catalogue import load_catalogue
from scrubber.io.lines import SourceLine
from scrubber.keys import make_key
from scrubber.pipelines.stream import ScrubMessagesFn
from scrubber.pipelines.transforms import ScrubFn
from scrubber.streaming.messages import KafkaMessage
from tests.conftest import TEST_KEY_HEX

LINE = (Path(__file__).resolve().parents[2] / "fixtures" / "e2e" / "e2e-gateway-2026-11-23.jsonl").read_bytes()
FIRST = LINE.splitlines()[0]
SECRET = "aws-secret://scrubber/test"


@pytest.fixture
def fetched(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The secret manager, faked: it hands out the test key and records who asked for what."""
    asked: list[str] = []

    def read_secret(uri: str) -> bytes:
        asked.append(uri)
        return TEST_KEY_HEX.encode()

    monkeypatch.setattr(scrubber.keys, "read_secret", read_secret)
    return asked


def no_key_inside(fn: Any) -> None:
    pickled = pickle.dumps(fn)
    assert TEST_KEY_HEX.encode() not in pickled and bytes.fromhex(TEST_KEY_HEX) not in pickled


def test_the_batch_scrubber_fetches_the_key_on_the_worker(fetched: list[str]) -> None:
    catalogue = load_catalogue("pseudonymous")
    by_secret = ScrubFn(catalogue, key=None, key_secret=SECRET)
    no_key_inside(by_secret)
    assert fetched == []  # nothing fetched by the launcher
    worker = pickle.loads(pickle.dumps(by_secret))
    worker.setup()
    assert fetched == [SECRET]
    direct = ScrubFn(catalogue, key=make_key(bytes.fromhex(TEST_KEY_HEX)))
    direct.setup()
    batch = [SourceLine("f.jsonl", 1, FIRST)]
    assert next(iter(worker.process(batch))) == next(iter(direct.process(batch)))  # the same pseudonyms


def test_the_stream_scrubber_fetches_the_key_on_the_worker(fetched: list[str]) -> None:
    catalogue = load_catalogue("pseudonymous")
    by_secret = ScrubMessagesFn(catalogue, None, 1 << 20, False, key_secret=SECRET)
    no_key_inside(by_secret)
    worker = pickle.loads(pickle.dumps(by_secret))
    worker.setup()
    assert fetched == [SECRET]
    direct = ScrubMessagesFn(catalogue, make_key(bytes.fromhex(TEST_KEY_HEX)), 1 << 20, False)
    direct.setup()
    message = KafkaMessage("logs", 0, 7, 1_764_600_000_000, FIRST)
    (a,), (b,) = list(worker.process(message)), list(direct.process(message))
    assert a.record is not None and orjson.dumps(a.record) == orjson.dumps(b.record)


def test_exactly_one_of_key_and_secret() -> None:
    catalogue = load_catalogue("strict")
    with pytest.raises(ValueError, match="exactly one"):
        ScrubMessagesFn(catalogue, None, 1 << 20, False)
    with pytest.raises(ValueError, match="exactly one"):
        ScrubFn(catalogue, key=None)
