"""The benchmark's measured children run every figure; the instruction report refuses to run without valgrind."""

from __future__ import annotations

import orjson
import pytest

from scrubber import RecordRejected
from tests.bench import benchmark
from tests.bench.synthetic import records


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    path = tmp_path_factory.mktemp("bench") / "corpus.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(r) for r in records(20)) + b"\n")
    return path


@pytest.mark.parametrize("figure", list(benchmark.INSTRUCTION_FIGURES))
def test_every_instruction_figure_runs(figure, corpus):
    assert benchmark.instruction_child(figure, 20, corpus) == 0


def test_fields_only_really_skips_text_scanning():
    record = {"ts": 1, "prompt": "mail anna@example.org", "model": "anna@example.org"}
    fields_only = benchmark.scrubber_for("fields_only")
    prompt = {"ts": 1, "prompt": record["prompt"]}
    assert fields_only.scrub(prompt) == {"ts": 1, "prompt": "mail anna@example.org"}
    assert benchmark.scrubber_for("pseudonymous").scrub(prompt) == {"ts": 1, "prompt": "mail <EMAIL>"}
    with pytest.raises(RecordRejected):  # keep's identifier check still runs, as in the real plan
        fields_only.scrub(record)


def test_instruction_report_needs_valgrind(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(benchmark.shutil, "which", lambda name: None)
    assert benchmark.main(["--instructions", "--out", str(tmp_path)]) == 2
    assert "valgrind is not installed" in capsys.readouterr().err
