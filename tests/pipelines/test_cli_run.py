"""End to end: `scrubber run` on fixtures/e2e (corrupt lines, gzip cut short, Parquet), both output formats.

The truth (fixtures/e2e/truth.json) was computed by fixtures/make_fixtures.py independently of the
scrubber: the values each good record must have in the sandbox, every planted identifier, and
where every corrupt line is. Pseudonyms are recomputed here from the documented derivation.
"""

from __future__ import annotations

import unicodedata
import uuid
from pathlib import Path
from typing import Any

import orjson
import pyarrow.dataset as pads
import pyarrow.parquet as pq
import pytest

from scrubber import RecordRejected, Scrubber
from scrubber.cli import main as cli
from scrubber.io.fs import FsConfig
from scrubber.io.lines import ReadProblem
from scrubber.io.readers import read_source
from scrubber.keys import Key
from scrubber.records import decode_line
from tests.conftest import TEST_KEY_HEX
from tests.reliability.helpers import pseudonym, quarantine_entries, sandbox_rows

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "e2e"
TRUTH = orjson.loads((FIXTURES / "truth.json").read_bytes())
INPUT = str(FIXTURES / "e2e-*")


def expected_ids(truth: dict[str, Any]) -> dict[str, str]:
    user = truth["user_id"]
    user_text = str(user) if isinstance(user, int) else unicodedata.normalize("NFKC", user.strip()).lower()
    return {
        "request_id": pseudonym("request", str(uuid.UUID(truth["request_id"].strip().lower()))),
        "session_id": pseudonym("session", truth["session_id"].strip()),
        "user_id": pseudonym("user", user_text),
    }


def all_text(directory: Path) -> str:
    """Everything in a directory as searchable text: file bytes, and for Parquet also the decoded rows."""
    parts = []
    for path in directory.rglob("*"):
        if path.is_file():
            parts.append(path.read_bytes().decode("utf-8", "replace"))
            if path.suffix == ".parquet":
                parts.append(orjson.dumps(pq.read_table(path).to_pylist()).decode())
    return "\n".join(parts).lower()


def leaked(text: str) -> list[str]:
    return [p for p in TRUTH["planted"] if p.strip().lower() in text]


def run_cli(*argv: str) -> int:
    return cli(["run", *argv])


@pytest.fixture(scope="module", params=["parquet", "jsonl"])
def e2e(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, key_file: Path) -> dict[str, Any]:
    fmt = request.param
    base = tmp_path_factory.mktemp(f"e2e-{fmt}")
    code = run_cli(
        "--input",
        INPUT,
        "--output",
        str(base / "sandbox"),
        "--quarantine",
        str(base / "quarantine"),
        "--catalogue",
        "pseudonymous",
        "--key-file",
        str(key_file),
        "--format",
        fmt,
        "--quiet",
    )
    return {"code": code, "fmt": fmt, "sandbox": base / "sandbox", "quarantine": base / "quarantine"}


@pytest.fixture(scope="module")
def core_expected(test_key: Key) -> list[dict[str, Any]]:
    """The same inputs scrubbed by the core directly, without Beam: the pipeline must match it exactly."""
    scrubber = Scrubber.from_catalogue("pseudonymous", key=test_key)
    out = []
    for path in sorted(FIXTURES.glob("e2e-*")):
        for item in read_source(str(path), FsConfig()):
            if isinstance(item, ReadProblem):
                continue
            try:
                out.append(scrubber.scrub(decode_line(item.data)))
            except RecordRejected:
                continue
    return out


def test_the_run_succeeds_and_publishes_only_final_files(e2e: dict[str, Any]) -> None:
    assert e2e["code"] == 0
    names = sorted(p.name for p in e2e["sandbox"].iterdir())
    assert names == ["_audit.json", f"part-00000-of-00001.{e2e['fmt']}"]
    assert sorted(p.name for p in e2e["quarantine"].iterdir()) == ["part-00000-of-00001.jsonl"]


def test_in_equals_out_plus_quarantined(e2e: dict[str, Any]) -> None:
    audit = orjson.loads((e2e["sandbox"] / "_audit.json").read_bytes())
    counts = audit["counts"]
    records = sandbox_rows(e2e["sandbox"])
    quarantine = quarantine_entries(e2e["quarantine"])
    assert len(records) == TRUTH["good_records"] == counts["records_out"]
    assert len(quarantine) == TRUTH["corrupt_lines"] == counts["records_quarantined"]
    assert counts["records_in"] == len(records) + len(quarantine)
    assert counts["accounting"]["ok"] and audit["status"] == "ok"
    assert audit["beam_metrics"] == {
        "available": True,
        "agree": True,
        "lines_read": counts["records_in"],
        "records_in": counts["records_in"],
        "records_out": len(records),
        "quarantined": len(quarantine),
    }


def test_every_corrupt_line_is_in_the_quarantine_with_file_line_and_reason(e2e: dict[str, Any]) -> None:
    quarantine = quarantine_entries(e2e["quarantine"])
    got = sorted((Path(q["source"]).name, q["line"]) for q in quarantine)
    assert got == sorted((c["file"], c["line"]) for c in TRUTH["corrupt"])
    assert all(q["reason"] and "raw" in q for q in quarantine)
    reasons = {q["reason"] for q in quarantine}
    assert {"not_json", "invalid_utf8", "not_an_object", "empty_line", "truncated_gzip"} <= reasons


def test_only_allow_listed_fields(e2e: dict[str, Any]) -> None:
    allowed_top = {
        "ts",
        "status",
        "retry_count",
        "request_id",
        "session_id",
        "user_id",
        "client",
        "geo",
        "model",
        "messages",
        "prompt",
        "completion",
    }
    for record in sandbox_rows(e2e["sandbox"]):
        assert set(record) <= allowed_top
        assert set(record.get("client", {})) <= {"ip"}
        assert set(record.get("geo", {})) <= {"lat", "lon"}
        for message in record.get("messages", []):
            assert set(message) <= {"role", "content"}
    if e2e["fmt"] == "parquet":
        schema = pq.read_schema(next(e2e["sandbox"].glob("*.parquet")))
        assert set(schema.names) == allowed_top


def test_every_value_is_correct(e2e: dict[str, Any], core_expected: list[dict[str, Any]]) -> None:
    records = sandbox_rows(e2e["sandbox"])
    by_request = {r["request_id"]: r for r in records}
    assert len(by_request) == len(records) == len(TRUTH["records"])
    for truth in TRUTH["records"]:
        ids = expected_ids(truth)
        record = by_request[ids["request_id"]]
        assert record["session_id"] == ids["session_id"]
        assert record["user_id"] == ids["user_id"]
        for name, value in truth["expected"].items():
            assert record[name] == value, name
        assert isinstance(record["ts"], int) and not isinstance(record["ts"], bool)
        if truth["text"] == "messages":
            assert [m["role"] for m in record["messages"]] == truth["roles"]
            assert record["messages"][0]["content"] == "You are a helpful assistant."
            assert truth["keep_word"] in record["messages"][1]["content"]
        elif truth["text"] == "prompt":
            assert truth["keep_word"] in record["prompt"] and truth["keep_word"] in record["completion"]
        else:
            assert "messages" not in record and "prompt" not in record
    key = lambda r: r["request_id"]  # noqa: E731
    assert sorted(records, key=key) == sorted(core_expected, key=key)


def test_no_planted_identifier_in_the_sandbox_or_the_audit(e2e: dict[str, Any]) -> None:
    text = all_text(e2e["sandbox"])
    assert '"audit_version"' in text  # the audit is part of what is searched
    assert leaked(text) == []
    assert "e2e-mail.example" not in text
    assert TEST_KEY_HEX not in text


def test_the_audit_has_counts_per_rule_detector_and_field(e2e: dict[str, Any]) -> None:
    audit = orjson.loads((e2e["sandbox"] / "_audit.json").read_bytes())
    rules = {r["field"]: r for r in audit["rules"]}
    assert rules["client.ip"]["applied"] == TRUTH["good_records"]
    assert rules["client.user_agent"]["applied"] >= TRUTH["good_records"]  # dropped, and counted
    assert sum(audit["detectors"].values()) > 0
    assert audit["unknown_fields_dropped"]["(record)"] > 0
    assert audit["quarantine_reasons"]["truncated_gzip"] == 1
    assert audit["catalogue"]["name"] == "pseudonymous" and audit["catalogue"]["digest"].startswith("blake2b:")
    assert len(audit["key_id"]) == 16
    assert audit["runner"] == "FnApiRunner"
    assert audit["versions"]["apache-beam"] and audit["timings"]["total_seconds"] > 0
    assert audit["inputs"]["files"] == 4
    assert audit["output"]["format"] == e2e["fmt"] and audit["quarantine"]["stores"] == "line"


def test_verify_passes_on_our_output(e2e: dict[str, Any]) -> None:
    assert cli(["verify", str(e2e["sandbox"])]) == 0


def test_readers_open_the_sandbox(e2e: dict[str, Any]) -> None:
    if e2e["fmt"] == "parquet":
        dataset = pads.dataset(str(e2e["sandbox"]), format="parquet")  # skips _audit.json
        assert dataset.count_rows() == TRUTH["good_records"]
    else:
        dataset = pads.dataset(str(e2e["sandbox"]), format="json")
        assert dataset.to_table().num_rows == TRUTH["good_records"]


@pytest.mark.parametrize("reader", ["duckdb", "pandas", "polars"])
def test_dataframe_libraries_read_the_sandbox(e2e: dict[str, Any], reader: str) -> None:
    module = pytest.importorskip(reader)  # not project dependencies; run with them installed to check
    pattern = str(e2e["sandbox"] / f"*.{e2e['fmt']}")
    if reader == "duckdb":
        fn = "read_parquet" if e2e["fmt"] == "parquet" else "read_json_auto"
        n = module.sql(f"select count(*) from {fn}('{pattern}')").fetchall()[0][0]
    elif reader == "pandas":
        path = next(e2e["sandbox"].glob(f"*.{e2e['fmt']}"))
        frame = module.read_parquet(path) if e2e["fmt"] == "parquet" else module.read_json(path, lines=True)
        n = len(frame)
    else:
        frame = module.read_parquet(pattern) if e2e["fmt"] == "parquet" else module.read_ndjson(pattern)
        n = frame.height
    assert n == TRUTH["good_records"]


# --- options, refusals and failure modes --------------------------------------------------------


def test_quarantine_hash_only_stores_no_line(tmp_path: Path, key_file: Path) -> None:
    code = run_cli(
        "--input",
        INPUT,
        "--output",
        str(tmp_path / "s"),
        "--quarantine",
        str(tmp_path / "q"),
        "--catalogue",
        "pseudonymous",
        "--key-file",
        str(key_file),
        "--quarantine-hash-only",
        "--quiet",
    )
    assert code == 0
    entries = quarantine_entries(tmp_path / "q")
    assert len(entries) == TRUTH["corrupt_lines"]
    assert all("raw" not in e and len(e["raw_blake3"]) == 64 for e in entries)
    assert leaked(all_text(tmp_path / "q")) == []
    assert orjson.loads((tmp_path / "s" / "_audit.json").read_bytes())["quarantine"]["stores"] == "keyed_hash"


def test_strict_profile_and_key_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCRUBBER_KEY", TEST_KEY_HEX)
    code = run_cli(
        "--input",
        INPUT,
        "--output",
        str(tmp_path / "s"),
        "--quarantine",
        str(tmp_path / "q"),
        "--catalogue",
        "strict",
        "--format",
        "jsonl",
        "--quiet",
    )
    assert code == 0
    records = sandbox_rows(tmp_path / "s")
    assert records and all(set(r) <= {"ts", "status", "retry_count"} for r in records)
    assert (
        len(records) + len(quarantine_entries(tmp_path / "q"))
        == orjson.loads((tmp_path / "s" / "_audit.json").read_bytes())["counts"]["records_in"]
    )


def test_a_second_run_needs_overwrite_and_replaces_the_first(
    tmp_path: Path, key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [
        "--input",
        str(FIXTURES / "e2e-gateway-2026-11-23.jsonl"),
        "--output",
        str(tmp_path / "s"),
        "--quarantine",
        str(tmp_path / "q"),
        "--catalogue",
        "strict",
        "--key-file",
        str(key_file),
        "--quiet",
    ]
    assert run_cli(*args) == 0
    first = orjson.loads((tmp_path / "s" / "_audit.json").read_bytes())["run_id"]
    capsys.readouterr()
    assert run_cli(*args) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert run_cli(*args, "--overwrite", "--records-per-shard", "20", "--batch-size", "7") == 0
    audit = orjson.loads((tmp_path / "s" / "_audit.json").read_bytes())
    assert audit["run_id"] != first
    parts = sorted(p.name for p in (tmp_path / "s").glob("part-*"))
    assert parts == audit["output"]["files"] and len(parts) > 1
    assert all(p.endswith(f"-of-{len(parts):05d}.parquet") for p in parts)
    assert not list((tmp_path / "s").glob(".scrubber-tmp-*"))


@pytest.mark.parametrize("quarantine", ["s", "s/q", "s/./q/"])
def test_quarantine_inside_the_output_is_refused(
    tmp_path: Path, key_file: Path, quarantine: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_cli(
        "--input",
        INPUT,
        "--output",
        str(tmp_path / "s"),
        "--quarantine",
        str(tmp_path / quarantine),
        "--catalogue",
        "strict",
        "--key-file",
        str(key_file),
    )
    assert code == 2
    assert "never be in the sandbox" in capsys.readouterr().err
    assert not (tmp_path / "s").exists()


def test_quarantine_reached_through_a_symlink_into_the_output_is_refused(tmp_path: Path, key_file: Path) -> None:
    (tmp_path / "s" / "q").mkdir(parents=True)
    (tmp_path / "link").symlink_to(tmp_path / "s" / "q")
    code = run_cli(
        "--input",
        INPUT,
        "--output",
        str(tmp_path / "s"),
        "--quarantine",
        str(tmp_path / "link"),
        "--catalogue",
        "strict",
        "--key-file",
        str(key_file),
    )
    assert code == 2


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["--input", "/nonexistent/*.jsonl"], 3, "no input file matches"),
        (["--catalogue", "no-such-profile"], 2, "no catalogue named"),
        (["--key-file", "/nonexistent.key"], 2, "cannot read key file"),
        (["--format", "csv"], 2, "invalid choice"),
        (["--batch-size", "0"], 2, "at least 1"),
    ],
)
def test_usage_and_io_errors(
    tmp_path: Path, key_file: Path, capsys: pytest.CaptureFixture[str], argv: list[str], code: int, message: str
) -> None:
    base = {
        "--input": INPUT,
        "--output": str(tmp_path / "s"),
        "--quarantine": str(tmp_path / "q"),
        "--catalogue": "strict",
        "--key-file": str(key_file),
    }
    base.update(dict(zip(argv[::2], argv[1::2], strict=True)))
    assert run_cli(*[x for kv in base.items() for x in kv]) == code
    assert message in capsys.readouterr().err


def test_missing_required_options_name_them(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("--input", INPUT) == 2
    err = capsys.readouterr().err
    assert "--output" in err and "--quarantine" in err and "--catalogue" in err


def test_unknown_and_secret_bearing_options_are_refused_without_echoing_values(
    tmp_path: Path, key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    common = [
        "--input",
        INPUT,
        "--output",
        str(tmp_path / "s"),
        "--quarantine",
        str(tmp_path / "q"),
        "--catalogue",
        "strict",
    ]
    assert run_cli(*common, "--key", "c0ffee-secret-value") == 2
    err = capsys.readouterr().err
    assert "unknown option --key" in err and "c0ffee-secret-value" not in err
    assert run_cli(*common, "--key-file", str(key_file), "--s3_secret_access_key", "aws-secret-value") == 2
    err = capsys.readouterr().err
    assert "AWS_SECRET_ACCESS_KEY" in err and "aws-secret-value" not in err
    assert run_cli(*common, "--key-file", str(key_file), "stray-positional") == 2


def test_parquet_needs_named_fields_and_jsonl_takes_globs(
    tmp_path: Path, key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    catalogue = tmp_path / "glob.yaml"
    catalogue.write_text(
        "catalogue: globby\nrules:\n  - {field: ts, op: epoch_second}\n  - {field: 'tags.*', op: keep}\n"
    )
    common = [
        "--input",
        str(FIXTURES / "e2e-gateway-2026-11-23.jsonl"),
        "--quarantine",
        str(tmp_path / "q"),
        "--catalogue",
        str(catalogue),
        "--key-file",
        str(key_file),
        "--quiet",
    ]
    assert run_cli(*common, "--output", str(tmp_path / "s")) == 2
    assert "--format jsonl" in capsys.readouterr().err
    assert run_cli(*common, "--output", str(tmp_path / "s2"), "--format", "jsonl") == 0


def test_counts_that_do_not_add_up_fail_and_publish_nothing(
    tmp_path: Path, key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scrubber.pipelines.transforms import ScrubFn

    original = ScrubFn._outcomes

    def lossy(scrubber: Any, quarantiner: Any, lines: list) -> Any:
        for i, outcome in enumerate(original(scrubber, quarantiner, lines)):
            if i != 3:  # one line silently vanishes: a bug the accounting must catch
                yield outcome

    monkeypatch.setattr(ScrubFn, "_outcomes", staticmethod(lossy))
    code = run_cli(
        "--input",
        str(FIXTURES / "e2e-gateway-2026-11-23.jsonl"),
        "--output",
        str(tmp_path / "s"),
        "--quarantine",
        str(tmp_path / "q"),
        "--catalogue",
        "strict",
        "--key-file",
        str(key_file),
        "--quiet",
    )
    assert code == 1
    assert not list((tmp_path / "s").glob("part-*")) and not (tmp_path / "s" / "_audit.json").exists()
    assert not list((tmp_path / "q").glob("part-*"))
    kept = list((tmp_path / "s").glob(".scrubber-tmp-*/_audit.json"))
    assert len(kept) == 1
    audit = orjson.loads(kept[0].read_bytes())
    assert audit["status"] == "counts_mismatch"
    assert not audit["counts"]["accounting"]["ok"]


def test_help_explains_with_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["run", "--help"]) == 0
    text = capsys.readouterr().out
    for expected in (
        "--input GLOB",
        "--quarantine URI",
        "--key-file",
        "SCRUBBER_KEY",
        "examples:",
        "scrubber run --input 'logs/*.jsonl.gz' --output sandbox/",
        "FlinkRunner",
        "exit codes",
    ):
        assert expected in text, expected


def test_the_fixtures_are_what_the_generator_makes() -> None:
    """fixtures/make_fixtures.py is deterministic and the committed files are its output."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES.parent / "make_fixtures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rendered = module.render()
    assert {p.name for p in rendered if p.parent.name == "e2e"} == {p.name for p in FIXTURES.iterdir()}
    for path, data in rendered.items():
        if path.suffix == ".parquet":  # compare content: the writer's version string may differ
            import io

            assert pq.read_table(io.BytesIO(data)).equals(pq.read_table(path)), path
        else:
            assert path.read_bytes() == data, path
