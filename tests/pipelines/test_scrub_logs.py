"""The job's wiring: built (not run) with Flink options, every step labelled, the key never in the options."""

from __future__ import annotations

from pathlib import Path

import apache_beam as beam

from tests.pipelines.test_transforms import RUNNER


def test_the_wiring_accepts_flink_options_and_labels_every_step(tmp_path: Path) -> None:
    from scrubber.pipelines.scrub_logs import build, prepare

    key = tmp_path / "k"
    key.write_text("8f2a1c9e4b7d3f60a5e8c1b29d4f7a36e0b5c8d2f1a4e7b9c3d6f0a2e5b8c1d4")
    key.chmod(0o600)
    (tmp_path / "in.jsonl").write_bytes(b'{"ts": 1}\n')
    prep = prepare(
        [
            "--input",
            str(tmp_path / "in.jsonl"),
            "--output",
            str(tmp_path / "s"),
            "--quarantine",
            str(tmp_path / "q"),
            "--catalogue",
            "strict",
            "--key-file",
            str(key),
            "--runner",
            "FlinkRunner",
            "--flink_master",
            "localhost:8081",
            "--environment_type",
            "LOOPBACK",
        ]
    )
    assert prep.runner == "FlinkRunner" and not prep.local
    pipeline = beam.Pipeline(runner=RUNNER, options=prep.options)  # built, not submitted
    build(pipeline, prep)
    labels = {t.full_label.split("/")[0] for t in pipeline.transforms_stack[0].parts}
    assert labels == {
        "ListInputFiles",
        "SpreadFiles",
        "ReadLines",
        "Scrub",
        "WriteSandboxShards",
        "WriteQuarantineShards",
        "GatherCounts",
        "FoldRunSummary",
        "WriteRunSummary",
    }
    # Options are shown by runner UIs and logs: they hold the key file's path, never the key.
    assert "8f2a1c9e4b7d3f60" not in repr(prep.options.get_all_options())
    assert "8f2a1c9e4b7d3f60" not in repr(prep.key)
