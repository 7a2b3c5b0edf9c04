"""scrubber verify: passes on scrubbed output, finds planted identifiers and disallowed fields, never prints values."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from scrubber import RecordRejected, Scrubber
from scrubber.io.fs import FsConfig
from scrubber.io.publish import AUDIT_NAME
from scrubber.io.writers.jsonl import JsonlShardWriter
from scrubber.io.writers.parquet import ParquetShardWriter, arrow_schema
from scrubber.verify import Verifier, main

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "e2e"
TRUTH = orjson.loads((FIXTURES / "truth.json").read_bytes())
RAW_JSONL = FIXTURES / "e2e-gateway-2026-11-23.jsonl"


def scrubbed(scrubber: Scrubber) -> list[dict[str, Any]]:
    out = []
    for raw in RAW_JSONL.read_bytes().splitlines():
        try:
            out.append(scrubber.scrub(orjson.loads(raw)))
        except (RecordRejected, orjson.JSONDecodeError):
            continue
    assert len(out) > 50
    return out


@pytest.fixture(scope="module")
def records(pseudonymous: Scrubber) -> list[dict[str, Any]]:
    return scrubbed(pseudonymous)


def write_jsonl(path: Path, rows: list[Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = JsonlShardWriter(FsConfig(), str(path))
    writer.write(rows)
    writer.close()


def run_verify(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def assert_no_values(text: str) -> None:
    lowered = text.lower()
    leaked = [p for p in TRUTH["planted"] if p.strip().lower() in lowered]
    assert not leaked, leaked[:3]


def test_own_output_passes_in_both_formats(
    tmp_path: Path, records: list[dict], pseudonymous: Scrubber, capsys: pytest.CaptureFixture[str]
) -> None:
    write_jsonl(tmp_path / "jsonl" / "part-00000-of-00001.jsonl", records)
    schema = arrow_schema(pseudonymous.plan.output_shape())
    (tmp_path / "parquet").mkdir()
    writer = ParquetShardWriter(FsConfig(), str(tmp_path / "parquet" / "part-00000-of-00001.parquet"), schema)
    writer.write(records)
    writer.close()
    for sub in ("jsonl", "parquet"):
        code, text = run_verify(capsys, "--catalogue", "pseudonymous", str(tmp_path / sub))
        assert code == 0, text
        assert f"{len(records)} records, no findings" in text


def test_catalogue_comes_from_the_audit_and_its_digest_must_match(
    tmp_path: Path, records: list[dict], pseudonymous: Scrubber, capsys: pytest.CaptureFixture[str]
) -> None:
    write_jsonl(tmp_path / "part-00000-of-00001.jsonl", records)
    catalogue = pseudonymous.catalogue
    audit = {"catalogue": {"name": catalogue.model.catalogue, "source": catalogue.source, "digest": catalogue.digest}}
    (tmp_path / AUDIT_NAME).write_bytes(orjson.dumps(audit))
    assert run_verify(capsys, str(tmp_path))[0] == 0
    audit["catalogue"]["digest"] = "blake2b:0000"
    (tmp_path / AUDIT_NAME).write_bytes(orjson.dumps(audit))
    code, text = run_verify(capsys, str(tmp_path))
    assert code == 2 and "digest" in text
    (tmp_path / AUDIT_NAME).unlink()
    code, text = run_verify(capsys, str(tmp_path))
    assert code == 2 and "--catalogue" in text


def test_a_raw_unscrubbed_file_fails_with_every_kind_of_finding(capsys: pytest.CaptureFixture[str]) -> None:
    code, text = run_verify(capsys, "--catalogue", "pseudonymous", "--max-findings", "100000", str(RAW_JSONL))
    assert code == 1
    for kind in ("field_not_allowed", "not_a_pseudonym", "ip_not_truncated", "EMAIL", "unreadable", "wrong_type"):
        assert f": {kind}" in text, kind
    assert ": messages[1].content: EMAIL" in text
    assert ": client.user_agent: field_not_allowed" in text
    assert_no_values(text)


def test_a_raw_parquet_export_fails_on_its_schema_too(capsys: pytest.CaptureFixture[str]) -> None:
    code, text = run_verify(
        capsys, "--catalogue", "pseudonymous", "--max-findings", "100000", str(FIXTURES / "e2e-export-2026-11.parquet")
    )
    assert code == 1
    assert "e2e-export-2026-11.parquet:0: cookies: column_not_allowed" in text
    assert "e2e-export-2026-11.parquet:0: ts: wrong_type" in text
    assert_no_values(text)


def test_one_planted_identifier_in_clean_output_is_found_with_file_and_row(
    tmp_path: Path, records: list[dict], capsys: pytest.CaptureFixture[str]
) -> None:
    tampered = [dict(r) for r in records]
    target = next(i for i, r in enumerate(tampered) if r.get("messages"))
    tampered[target]["messages"] = [
        *tampered[target]["messages"],
        {"role": "user", "content": "write to bob.leak@e2e-mail.example"},
    ]
    write_jsonl(tmp_path / "part-00000-of-00001.jsonl", tampered)
    code, text = run_verify(capsys, "--catalogue", "pseudonymous", str(tmp_path))
    assert code == 1
    n = len(tampered[target]["messages"]) - 1
    assert f"part-00000-of-00001.jsonl:{target + 1}: messages[{n}].content: EMAIL" in text
    assert "bob.leak" not in text
    assert "1 findings" in text


@pytest.mark.parametrize(
    ("record", "finding"),
    [
        ({"client": {"ip": "198.18.7.42"}}, "client.ip: ip_not_truncated"),
        ({"client": {"ip": "not an ip"}}, "client.ip: ip_not_truncated"),
        ({"user_id": "alice@example.com"}, "user_id: not_a_pseudonym"),
        ({"user_id": "ab" * 31}, "user_id: not_a_pseudonym"),
        ({"status": "200"}, "status: wrong_type"),
        ({"status": True}, "status: wrong_type"),
        ({"geo": {"lat": "47.1"}}, "geo.lat: wrong_type"),
        ({"messages": {"role": "user"}}, "messages: wrong_type"),
        ({"latency_ms": 12}, "latency_ms: field_not_allowed"),
        ({"device": {"mac": "00:1a:2b:3c:4d:5e"}}, "device: field_not_allowed"),
        ({"client": {"user_agent": "Mozilla/5.0"}}, "client.user_agent: field_not_allowed"),
        ({"model": "contact alice@example.com"}, "model: EMAIL"),
        ([1, 2], "(record): not_an_object"),
    ],
)
def test_single_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str], record: Any, finding: str) -> None:
    write_jsonl(tmp_path / "x.jsonl", [record])
    code, text = run_verify(capsys, "--catalogue", "pseudonymous", str(tmp_path / "x.jsonl"))
    assert code == 1
    assert f"x.jsonl:1: {finding}" in text


@pytest.mark.parametrize(
    "record",
    [
        {"client": {"ip": "198.18.7.0"}},
        {"client": {"ip": "2001:db8:abcd:1200::"}},
        {"user_id": "ab" * 32, "ts": 1795428902, "geo": {"lat": 47.38, "lon": 8}},
        {"messages": [{"role": "user", "content": "mail <EMAIL> at <IP>"}]},
        {"status": None, "client": None},
    ],
)
def test_scrubbed_shapes_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str], record: Any) -> None:
    write_jsonl(tmp_path / "x.jsonl", [{"ts": 1795428902, **record}])  # ts: expected in every sandbox
    code, text = run_verify(capsys, "--catalogue", "pseudonymous", str(tmp_path / "x.jsonl"))
    assert code == 0, text


def test_a_parquet_column_outside_the_catalogue_is_found_even_when_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = pa.table({"ts": pa.array([1795428902], pa.int64()), "user_agent": pa.array([None], pa.string())})
    pq.write_table(table, tmp_path / "part-00000-of-00001.parquet")
    code, text = run_verify(capsys, "--catalogue", "strict", str(tmp_path))
    assert code == 1
    assert "part-00000-of-00001.parquet:0: user_agent: column_not_allowed" in text


def test_unreadable_lines_are_findings_and_blank_lines_are_not(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "x.jsonl").write_bytes(b'{"ts": 1}\n\n{"ts": 2\n')
    code, text = run_verify(capsys, "--catalogue", "strict", str(tmp_path / "x.jsonl"))
    assert code == 1
    assert "x.jsonl:3: (record): unreadable" in text
    assert "x.jsonl:2" not in text


def test_io_and_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_verify(capsys, "--catalogue", "strict", str(tmp_path / "missing"))[0] == 3
    assert run_verify(capsys, "--catalogue", "no-such-profile", str(tmp_path))[0] == 2
    assert run_verify(capsys)[0] == 2
    code, text = run_verify(capsys, "--help")
    assert code == 0 and "scrubber verify sandbox/" in text


def test_verifier_is_usable_as_a_library(strict: Scrubber) -> None:
    verifier = Verifier(strict.catalogue)
    assert verifier.check_record({"ts": 1, "status": 200, "retry_count": 0}) == []
    assert verifier.check_record({"ts": 1, "extra": {"a": "mail alice@example.com"}}) == [
        ("extra", "field_not_allowed"),
        ("extra.a", "EMAIL"),
    ]


def test_an_expected_field_empty_in_every_record_is_a_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """strict marks ts as expected: a sandbox where no record has it (a renamed column) fails verify."""
    write_jsonl(tmp_path / "x.jsonl", [{"status": 200}, {"status": 404, "ts": None}])
    code, text = run_verify(capsys, "--catalogue", "strict", str(tmp_path / "x.jsonl"))
    assert code == 1
    assert f"{tmp_path / 'x.jsonl'}:0: ts: expected_field_empty" in text
    write_jsonl(tmp_path / "y.jsonl", [{"status": 200}, {"status": 404, "ts": 1795428902}])
    assert run_verify(capsys, "--catalogue", "strict", str(tmp_path / "y.jsonl"))[0] == 0


def test_second_opinion_finds_what_our_detectors_miss(tmp_path, capsys) -> None:
    """presidio-analyzer's own recognizers, run by --second-opinion: an ITIN our detectors do not know."""
    from scrubber.verify import main as verify_main

    sandbox = tmp_path / "sandbox"
    sandbox.mkdir()
    (sandbox / "part-00000-of-00001.jsonl").write_text('{"ts": 1, "prompt": "my itin is 912-70-1234"}\n')
    assert verify_main([str(sandbox), "--catalogue", "pseudonymous"]) == 0  # our own detectors see nothing
    capsys.readouterr()
    assert verify_main([str(sandbox), "--catalogue", "pseudonymous", "--second-opinion"]) == 1
    captured = capsys.readouterr()
    assert "part-00000-of-00001.jsonl:1: prompt: presidio:US_ITIN" in captured.out
    assert "second opinion (presidio): " in captured.err and "by field: prompt" in captured.err
    assert "912-70" not in captured.out + captured.err  # locations and counts, never the value
    args = [str(sandbox), "--catalogue", "pseudonymous", "--second-opinion", "--second-opinion-max", "5"]
    assert verify_main(args) == 0


def test_data_files_are_every_file_below_the_sandbox_except_hidden_segments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Partitions (dt=YYYY-MM-DD/) are read recursively; a segment starting with '.' or '_' hides what is below."""
    write_jsonl(tmp_path / "dt=2026-11-23" / "part-00000-of-00001.jsonl", [{"ts": 1795428902}])
    write_jsonl(tmp_path / "dt=2026-11-24" / "deeper" / "part-00000-of-00001.jsonl", [{"ts": 1795428903}])
    for hidden in (".scrubber-tmp-x/part-00000-of-00001.jsonl", "_audits/x.jsonl", "dt=2026-11-25/_x.jsonl"):
        write_jsonl(tmp_path / hidden, [{"ts": 1, "model": "mail alice@example.com"}])
    code, text = run_verify(capsys, "--catalogue", "strict", str(tmp_path))
    assert code == 0, text
    assert "2 files, 2 records, no findings" in text
    write_jsonl(tmp_path / "dt=2026-11-24" / "deeper" / "part-00000-of-00001.jsonl", [{"ts": 1, "x": "a@b.example"}])
    code, text = run_verify(capsys, "--catalogue", "strict", str(tmp_path))
    assert code == 1
    assert f"{tmp_path / 'dt=2026-11-24' / 'deeper' / 'part-00000-of-00001.jsonl'}:1: x: field_not_allowed" in text
