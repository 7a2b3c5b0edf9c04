"""Each supported source through ``scrubber run --catalogue NAME`` on its fixtures (built from the tool's public
schema, fixtures/sources/<name>/README.md): one record per line, none quarantined, no planted value left in the
sandbox, the audit or the console (raw, JSON-escaped or ``\\u``-escaped), the conversation intact, and the kept
fields equal to values computed here from the raw lines, independently of the scrubber."""

from __future__ import annotations

import ipaddress
import json
import re
import unicodedata
from typing import Any

import orjson
import pytest

from scrubber.cli import main as cli
from tests.conftest import TEST_KEY_HEX
from tests.reliability.helpers import pseudonym, sandbox_rows, without_nulls
from tests.sources.golden import SOURCES, Source, scrubbed

HEX64 = re.compile(r"[0-9a-f]{64}")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str, str], dict[str, Any]]:
    """Every source and input file, written as JSON lines and as Parquet: sandbox rows, audit and console."""
    base = tmp_path_factory.mktemp("sources")
    key = base / "scrubber.key"
    key.write_text(TEST_KEY_HEX + "\n")
    key.chmod(0o600)
    results = {}
    for source in SOURCES:
        for name in source.inputs:
            for fmt in ("jsonl", "parquet"):
                out = base / f"{source.catalogue}-{name}-{fmt}"
                args = ["run", "--input", str(source.directory / name), "--output", str(out / "s")]
                args += ["--quarantine", str(out / "q"), "--catalogue", source.catalogue, "--key-file", str(key)]
                code, console = _run_capturing([*args, "--format", fmt])
                verified, verify_console = _run_capturing(["verify", str(out / "s")])
                results[(source.catalogue, name, fmt)] = {
                    "code": code,
                    "verified": verified,
                    "verify_console": verify_console,
                    "console": console,
                    "rows": sandbox_rows(out / "s"),
                    "audit": (out / "s" / "_audit.json").read_text(encoding="utf-8"),
                    "quarantine": [p for p in (out / "q").rglob("*") if p.is_file()],
                    "sandbox_text": "\n".join(
                        p.read_text(encoding="utf-8", errors="replace") for p in (out / "s").rglob("*.jsonl")
                    ),
                }
    return results


def _run_capturing(args: list[str]) -> tuple[int, str]:
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli(args)
    return code, out.getvalue() + err.getvalue()


CASES = [(s, name, fmt) for s in SOURCES for name in s.inputs for fmt in ("jsonl", "parquet")]
IDS = [f"{s.catalogue}-{name}-{fmt}" for s, name, fmt in CASES]


def raw_lines(source: Source) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in (source.directory / source.inputs[0]).read_bytes().splitlines()]


@pytest.mark.parametrize(("source", "name", "fmt"), CASES, ids=IDS)
def test_every_line_is_published_and_none_quarantined(
    runs: dict[Any, Any], source: Source, name: str, fmt: str
) -> None:
    run = runs[(source.catalogue, name, fmt)]
    assert run["code"] == 0, run["console"]
    lines = source.planted["lines"]
    assert len(run["rows"]) == lines
    audit = orjson.loads(run["audit"])
    counts = audit["counts"]
    assert (counts["records_in"], counts["records_out"], counts["records_quarantined"]) == (lines, lines, 0)
    assert audit["status"] == "ok" and audit["quarantine"]["records"] == 0
    assert run["quarantine"] == [] or all(p.stat().st_size == 0 for p in run["quarantine"])
    assert run["verified"] == 0, run["verify_console"]  # scrubber verify re-checks the sandbox and finds nothing


def forms(value: str) -> set[str]:
    """A planted value as it may appear in text: raw, JSON-escaped, ``\\u``-escaped, and (for names and other
    multi-word values) every word of three letters or more, so that a half-replaced name counts as a leak."""
    found = {value, json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=True)[1:-1]}
    if " " in value and not any(ch.isdigit() for ch in value):
        words = [w for w in re.split(r"\W+", value) if len(w) >= 3]
        found |= set(words) | {json.dumps(w, ensure_ascii=True)[1:-1] for w in words}
    return found


@pytest.mark.parametrize(("source", "name", "fmt"), CASES, ids=IDS)
def test_no_planted_value_survives_anywhere(runs: dict[Any, Any], source: Source, name: str, fmt: str) -> None:
    run = runs[(source.catalogue, name, fmt)]
    text = "\n".join([orjson.dumps(run["rows"]).decode(), run["sandbox_text"], run["audit"], run["console"]])
    leaks = sorted(
        {
            (entry["kind"], entry["value"])
            for entry in source.planted["planted"]
            for form in forms(entry["value"])
            if re.search(rf"(?<![\w@.-]){re.escape(form)}(?![\w@-])", text)
        }
    )
    assert leaks == []


@pytest.mark.parametrize("source", SOURCES, ids=[s.catalogue for s in SOURCES])
def test_the_conversation_survives(runs: dict[Any, Any], source: Source) -> None:
    """Every benign anchor sentence of the fixtures is in the sandbox unchanged."""
    run = runs[(source.catalogue, source.inputs[0], "jsonl")]
    text = orjson.dumps(run["rows"]).decode() + run["sandbox_text"]
    missing = [anchor for anchor in source.planted["anchors"] if json.dumps(anchor)[1:-1] not in text]
    assert missing == []


@pytest.mark.parametrize("source", SOURCES, ids=[s.catalogue for s in SOURCES])
def test_golden_output(source: Source) -> None:
    """The library call gives the reviewed output (tests/sources/golden.py regenerates it on purpose)."""
    expected = (source.directory / "expected.jsonl").read_bytes().splitlines()
    assert scrubbed(source) == expected


@pytest.mark.parametrize("source", SOURCES, ids=[s.catalogue for s in SOURCES])
def test_parquet_output_holds_the_same_records(runs: dict[Any, Any], source: Source) -> None:
    as_jsonl = runs[(source.catalogue, source.inputs[0], "jsonl")]["rows"]
    as_parquet = runs[(source.catalogue, source.inputs[0], "parquet")]["rows"]
    assert sorted(map(canonical, as_parquet)) == sorted(map(canonical, as_jsonl))


def canonical(record: Any) -> bytes:
    """A record without nulls (a Parquet row has every column), with sorted keys."""
    return orjson.dumps(without_nulls(record), option=orjson.OPT_SORT_KEYS)


def test_spend_logs_from_postgres_parquet_match_the_jsonl_export(runs: dict[Any, Any]) -> None:
    """JSON columns exported as strings (parse: json, write: value) land as the same records as native JSON."""
    jsonl = runs[("litellm-spend", "litellm-spend.jsonl", "jsonl")]["rows"]
    parquet = runs[("litellm-spend", "litellm-spend.parquet", "jsonl")]["rows"]
    assert sorted(map(canonical, parquet)) == sorted(map(canonical, jsonl))


# --- kept fields, computed here from the raw lines ---------------------------------------------------------


def network(ip: str) -> str:
    address = ipaddress.ip_address(ip)
    prefix = 24 if address.version == 4 else 56
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)


def end_user(text: str) -> str:
    return pseudonym("end_user", unicodedata.normalize("NFKC", text.strip()).lower())


def test_litellm_kept_fields(runs: dict[Any, Any]) -> None:
    source = next(s for s in SOURCES if s.catalogue == "litellm")
    rows = runs[("litellm", "litellm.jsonl", "jsonl")]["rows"]
    for raw, row in zip(raw_lines(source), rows, strict=True):
        assert row["ts"] == int(raw["startTime"])
        assert row["call_type"] == raw["call_type"] and row["status"] == raw["status"]
        assert row["request_id"] == pseudonym("request", raw["id"].strip().lower())
        assert [row.get(k) for k in ("prompt_tokens", "completion_tokens", "total_tokens")] == [
            raw["prompt_tokens"],
            raw["completion_tokens"],
            raw["total_tokens"],
        ]
        assert row.get("client_ip") == (network(raw["requester_ip_address"]) if raw["requester_ip_address"] else None)
        assert row.get("end_user") == (end_user(raw["end_user"]) if raw["end_user"] else None)
        user = (raw["metadata"] or {}).get("user_api_key_user_id")
        assert row.get("metadata", {}).get("user_id") == (pseudonym("user", user.strip().lower()) if user else None)
        if isinstance(raw["messages"], list) and all(isinstance(m, dict) for m in raw["messages"]):
            assert [m.get("role") for m in row["messages"]] == [m["role"] for m in raw["messages"]]


def test_openai_batch_custom_ids_join_requests_to_results(runs: dict[Any, Any]) -> None:
    requests = runs[("openai-batch-input", "openai-batch-input.jsonl", "jsonl")]["rows"]
    results = runs[("openai-batch-output", "openai-batch-output.jsonl", "jsonl")]["rows"]
    raw = raw_lines(next(s for s in SOURCES if s.catalogue == "openai-batch-input"))
    assert [r["custom_id"] for r in requests] == [pseudonym("batch_custom_id", r["custom_id"].strip()) for r in raw]
    assert {r["custom_id"] for r in requests} == {r["custom_id"] for r in results}
    assert [r["url"] for r in requests] == [r["url"] for r in raw]


def test_finetune_export_is_a_valid_finetuning_file(runs: dict[Any, Any]) -> None:
    """{"messages": [...]} lines: valid roles and part types, weight 0 or 1, every tool_call_id matching its
    pseudonymised tool_calls[].id, names pseudonymised, and as many messages as the input had."""
    source = next(s for s in SOURCES if s.catalogue == "openai-finetune")
    rows = runs[("openai-finetune", "openai-finetune.jsonl", "jsonl")]["rows"]
    roles = {"system", "developer", "user", "assistant", "tool", "function"}
    for raw, row in zip(raw_lines(source), rows, strict=True):
        assert set(row) <= {"messages", "tools", "parallel_tool_calls", "functions"}
        assert len(row["messages"]) == len(raw["messages"])
        call_ids = {c["id"] for m in row["messages"] for c in m.get("tool_calls", [])}
        for message, before in zip(row["messages"], raw["messages"], strict=True):
            assert message["role"] in roles and message["role"] == before["role"]
            assert message.get("weight", 0) in (0, 1) and message.get("weight") == before.get("weight")
            if "tool_call_id" in message:
                assert message["tool_call_id"] in call_ids
            if "name" in before:
                assert HEX64.fullmatch(message["name"]) and message["name"] != before["name"]
            content = message.get("content")
            if isinstance(content, list):
                assert {part["type"] for part in content} <= {"text", "image_url", "input_audio", "file"}
                assert len(content) == len(before["content"])
            elif before.get("content"):
                assert isinstance(content, str) and content
            for call in message.get("tool_calls", []):
                json.loads(call["function"]["arguments"])  # still JSON text
        for tool in row.get("tools", []):
            assert isinstance(tool["function"]["parameters"], dict)  # a schema object, not text


def test_the_source_fixtures_are_what_their_generator_makes() -> None:
    """fixtures/sources/make_sources.py is deterministic and the committed files are its output."""
    import io

    import pyarrow.parquet as pq

    from fixtures.sources.make_sources import render

    rendered = render()
    assert {p.name for p in rendered} >= {name for s in SOURCES for name in (*s.inputs, "planted.json")}
    for path, data in rendered.items():
        if path.suffix == ".parquet":  # compare content: the writer's version string may differ
            assert pq.read_table(io.BytesIO(data)).equals(pq.read_table(path)), path
        else:
            assert path.read_bytes() == data, path


@pytest.mark.parametrize(
    ("catalogue", "record", "reason"),
    [
        ("openai-finetune", {}, "missing_required"),
        ("openai-finetune", {"messages": []}, "missing_required"),
        ("openai-finetune", {"tools": [{"type": "function"}]}, "missing_required"),
        ("litellm", {"startTime": 1795428902.5, "call_type": "image_generation"}, "unlisted_value"),
        ("litellm", {"call_type": "completion"}, "missing_required"),
        ("openai-batch-input", {"custom_id": "r-1", "method": "POST", "url": "/v1/files"}, "unlisted_value"),
    ],
)
def test_records_a_source_cannot_vouch_for_are_quarantined(catalogue: str, record: Any, reason: str) -> None:
    from scrubber import RecordRejected, Scrubber
    from scrubber.keys import make_key

    scrubber = Scrubber.from_catalogue(catalogue, key=make_key(bytes.fromhex(TEST_KEY_HEX)))
    with pytest.raises(RecordRejected) as caught:
        scrubber.scrub(record)
    assert caught.value.reason == reason
