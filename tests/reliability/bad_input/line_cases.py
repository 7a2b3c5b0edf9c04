"""Bad input battery (issue 7): broken, hostile and odd input through the real ``scrubber run``.

``CASES`` is one table. Each case writes one input file and says, line by line (or Parquet row by
row), what must become of it: quarantined with a reason and field (``Q``), or passed with exactly
this scrubbed record (``Out``). All case files go through ONE ``scrubber run`` in a subprocess (a
fresh interpreter, as an operator runs it). Then, per case:

- no crash: exit 0, no traceback, no ``internal_error_*`` reason;
- in = out + quarantined for the case's own file: every line is in exactly one of the two, at the
  expected place with the expected reason or the expected record;
- no planted identifier reaches the sandbox (its parts and its audit), also after NFKC and removing
  zero-width characters (so a look-alike spelling counts as a leak).

A passing line carries its own ``ts`` (``@TS@`` in a template: BASE + 100_000 * case + line); that is
how a sandbox row is traced back to its case and line. Whole-run failures (missing input, unwritable
output, ...) are the second table, ``RUN_CASES``, each its own run.
"""

from __future__ import annotations

import gzip
import os
import random
import re
import shutil
import subprocess
import sys
import unicodedata
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import blake3
import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from scrubber.catalogue import load_catalogue
from tests.conftest import TEST_KEY_HEX

ROOT = Path(__file__).resolve().parent.parent
BASE_TS = 1_800_000_000
PER_CASE = 100_000
SUBKEY_CONTEXT = "scrubber 2026-11 pseudonym subkey v1 "
ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"))
MIB = 1024 * 1024


# --- running the CLI -----------------------------------------------------------------------------


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
    rows: list[dict[str, Any]] = []
    for path in sorted(directory.glob("part-*")):
        if path.suffix == ".parquet":
            rows += [without_nulls(r) for r in pq.read_table(path).to_pylist()]
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


# --- the case table ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Q:
    """The line goes to the quarantine with this reason (one of these reasons) and field."""

    reason: str | tuple[str, ...]
    field: str = ""


@dataclass(frozen=True)
class Out:
    """The line passes; its sandbox row minus ts is exactly ``record`` (a callable value is a predicate)."""

    record: dict[str, Any] = field(default_factory=dict)


Outcome = Q | Out
Builder = Callable[[Callable[[int], int]], bytes]  # ts(line) -> file bytes


@dataclass(frozen=True)
class Case:
    name: str
    kind: str  # what kind of bad input, in words (the closing note's table)
    suffix: str
    build: Builder
    expect: tuple[Outcome, ...]
    planted: tuple[str, ...] = ()
    xfail: str = ""  # a known gap owned elsewhere: the test fails until it is closed (strict xfail)


def lines_case(
    name: str,
    kind: str,
    rows: Sequence[tuple[bytes | str, Outcome]],
    *,
    planted: Sequence[str] = (),
    sep: bytes = b"\n",
    tail: bytes = b"\n",
    head: bytes = b"",
    xfail: str = "",
) -> Case:
    """A JSON-lines case: each row is a line template (``@TS@`` becomes the line's ts) and its outcome."""
    templates = [r[0].encode() if isinstance(r[0], str) else r[0] for r in rows]

    def build(ts: Callable[[int], int]) -> bytes:
        body = sep.join(t.replace(b"@TS@", str(ts(i)).encode()) for i, t in enumerate(templates, start=1))
        return head + body + tail

    return Case(name, kind, ".jsonl", build, tuple(r[1] for r in rows), tuple(planted), xfail)


def js(value: Any) -> str:
    """A JSON line from a Python value, with ``"@TS@"`` strings turned back into the bare template."""
    return orjson.dumps(value).decode().replace('"@TS@"', "@TS@")


def hex64(value: Any) -> bool:
    return isinstance(value, str) and re.fullmatch(r"[0-9a-f]{64}", value) is not None


def nested(depth: int, inner: str = "1", open_: str = "[", close: str = "]") -> str:
    return open_ * depth + inner + close * depth


# Test card numbers and IBANs (valid checksums), a different one per case so that a leak is traced to its case.
CARD = "4111 1111 1111 1111"  # pathological tests only
SPLIT_CARD, SPLIT_IBAN = "4012 8888 8888 1881", "GB29 NWBK 6016 1331 9268 19"
PQ_IBAN = "NL91ABNA0417164300"

# Every rule of the pseudonymous catalogue that keeps something, with values of the wrong type or
# shape and the reason each must be quarantined for. test_every_keeping_rule_has_wrong_type_cases
# checks that this table covers the catalogue.
WRONG_TYPES: list[tuple[str, Any, str, str]] = [
    ("ts", True, "invalid_bool_not_int", "ts"),
    ("ts", [1795428902], "invalid_wrong_type_list", "ts"),
    ("ts", {"s": 1795428902}, "invalid_wrong_type_dict", "ts"),
    ("ts", "yesterday", "invalid_not_a_timestamp", "ts"),
    ("status", "200 OK", "invalid_not_an_integer", "status"),
    ("status", 200.5, "invalid_not_integral", "status"),
    ("status", [200], "invalid_wrong_type_list", "status"),
    ("status", False, "invalid_bool_not_int", "status"),
    ("retry_count", "two", "invalid_not_an_integer", "retry_count"),
    ("retry_count", {"n": 2}, "invalid_wrong_type_dict", "retry_count"),
    ("request_id", {"id": 1}, "invalid_expected_string_or_int_not_dict", "request_id"),
    ("request_id", 1.5, "invalid_expected_string_or_int_not_float", "request_id"),
    ("session_id", ["s-1"], "invalid_expected_string_or_int_not_list", "session_id"),
    ("session_id", True, "invalid_expected_string_or_int_not_bool", "session_id"),
    ("user_id", 3.0, "invalid_expected_string_or_int_not_float", "user_id"),
    ("user_id", "   ", "invalid_empty_identifier", "user_id"),
    ("client.ip", 3232235777, "invalid_expected_string_not_int", "client.ip"),
    ("client.ip", ["203.0.113.7"], "invalid_expected_string_not_list", "client.ip"),
    ("client.ip", "gateway.internal", "invalid_not_an_ip", "client.ip"),
    ("client", "203.0.113.7", "wrong_shape", "client"),
    ("geo.lat", "north", "invalid_not_a_number", "geo.lat"),
    ("geo.lat", True, "invalid_bool_not_number", "geo.lat"),
    ("geo.lon", "8,54", "invalid_not_a_number", "geo.lon"),
    ("geo.lon", {"deg": 8}, "invalid_wrong_type_dict", "geo.lon"),
    ("geo", [47.38, 8.54], "wrong_shape", "geo"),
    ("model", 7, "invalid_expected_string", "model"),
    ("model", "wt.model@example.org", "invalid_pattern_mismatch", "model"),
    ("messages", "hello", "wrong_shape", "messages"),
    ("messages", {"role": "user", "content": "hi"}, "wrong_shape", "messages"),
    ("messages[0]", "just a string", "wrong_shape", "messages"),
    ("messages[0].role", "hacker", "invalid_value_not_allowed", "messages[*].role"),
    ("messages[0].role", 1, "invalid_expected_string", "messages[*].role"),
    ("messages[0].content", 42, "invalid_expected_string_not_int", "messages[*].content"),
    ("messages[0].content", {"text": "hi"}, "invalid_expected_string_not_dict", "messages[*].content"),
    ("prompt", {"text": "mail wt.prompt@example.org"}, "invalid_expected_string_not_dict", "prompt"),
    ("completion", 1, "invalid_expected_string_not_int", "completion"),
]


def wrong_type_line(path: str, value: Any) -> str:
    record: dict[str, Any] = {"ts": "@TS@"}
    if path.startswith("messages["):
        message: dict[str, Any] = {"role": "user", "content": "hi"}
        rest = path.removeprefix("messages[0]")
        if rest:
            message[rest.removeprefix(".")] = value
            record["messages"] = [message]
        else:
            record["messages"] = [value]
    elif "." in path:
        head, tail = path.split(".", 1)
        record[head] = {tail: value}
    else:
        record[path] = value
    if path == "ts":
        return js(record).replace("@TS@", orjson.dumps(value).decode(), 1)
    return js(record)


def gzip_member(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def build_gzip_truncated(ts: Callable[[int], int]) -> bytes:
    whole = gzip_member(b"".join(js({"ts": ts(i), "status": 200}).encode() + b"\n" for i in (1, 2, 3)))
    second = gzip_member(b"".join(js({"ts": ts(i)}).encode() + b"\n" for i in range(4, 50)))
    return whole + second[:10]  # the second member stops right after its header


def build_gzip_cut_mid_stream(ts: Callable[[int], int]) -> bytes:
    rng = random.Random(3)
    lines = [
        js({"ts": ts(i), "pad": "".join(rng.choice("abcdefgh ") for _ in range(300))}).encode() for i in range(1, 201)
    ]
    data = gzip_member(b"\n".join(lines) + b"\n")
    return data[: len(data) // 2]


def gzip_cut_complete_lines() -> int:
    """How many whole lines survive the cut (decompressed here, independently of the reader)."""
    data = build_gzip_cut_mid_stream(lambda i: i)
    inflated = zlib.decompressobj(wbits=31).decompress(data)
    return inflated.count(b"\n")


def build_gzip_corrupt(ts: Callable[[int], int]) -> bytes:
    good = gzip_member(js({"ts": ts(1)}).encode() + b"\n")
    return good + b"\x1f\x8b\x08\x00" + bytes(range(256)) * 4  # a second "member" of garbage


def build_gzip_garbage_only(ts: Callable[[int], int]) -> bytes:
    return b"\x1f\x8b" + b"this is not deflate data" * 10


def build_gzip_empty(ts: Callable[[int], int]) -> bytes:
    return gzip_member(b"")


def parquet_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return sink.getvalue().to_pybytes()


def build_parquet_odd_schema(ts: Callable[[int], int]) -> bytes:
    n = 6
    stamps = [datetime.fromtimestamp(ts(i), UTC) for i in range(1, n + 1)]

    def col(values: dict[int, Any], kind: pa.DataType) -> pa.Array:
        return pa.array([values.get(i) for i in range(1, n + 1)], kind)

    import decimal

    table = pa.table(
        {
            "ts": pa.array(stamps, pa.timestamp("s", tz="UTC")),  # a timestamp column, not int or string
            "status": col({1: 200.0, 2: 404.5}, pa.float64()),
            "client": col({3: "203.0.113.7"}, pa.string()),  # a string where an object is expected
            "retry_count": col({4: decimal.Decimal("1.00")}, pa.decimal128(5, 2)),
            "messages": col(
                {5: {"role": "user", "content": "mail pq.struct@example.org"}},
                pa.struct([("role", pa.string()), ("content", pa.string())]),
            ),  # struct, not list
            "user_id": col({1: b"pq.binary@example.org"}, pa.binary()),
            "prompt": col({1: "mail pq.dict@example.org", 6: "iban " + PQ_IBAN}, pa.string()).dictionary_encode(),
            "headers": col({1: [("X-MSISDN", "+4915112340001")]}, pa.map_(pa.string(), pa.string())),
            "latency_ms": col({1: 1500}, pa.duration("ms")),
            "extra": col({6: [1, 2, 3]}, pa.list_(pa.int64())),
        }
    )
    return parquet_bytes(table)


def build_parquet_bad_utf8(ts: Callable[[int], int]) -> bytes:
    offsets = pa.py_buffer(b"".join(i.to_bytes(4, "little") for i in (0, 5, 7)))
    prompt = pa.Array.from_buffers(pa.string(), 2, [None, offsets, pa.py_buffer(b"hello\xff\xfe")])
    return parquet_bytes(pa.table({"ts": pa.array([ts(1), ts(2)], pa.int64()), "prompt": prompt}))


def build_parquet_truncated(ts: Callable[[int], int]) -> bytes:
    data = parquet_bytes(pa.table({"ts": pa.array([ts(i) for i in range(1, 100)], pa.int64())}))
    return data[: len(data) // 2]


def build_parquet_empty(ts: Callable[[int], int]) -> bytes:
    return parquet_bytes(pa.table({"ts": pa.array([], pa.int64()), "prompt": pa.array([], pa.string())}))


def build_binary_garbage(ts: Callable[[int], int]) -> bytes:
    return b"\x00" + random.Random(11).randbytes(30_000)


def garbage_lines() -> int:
    data = build_binary_garbage(lambda i: i)
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


def build_utf16(ts: Callable[[int], int]) -> bytes:
    return ("\ufeff" + js({"ts": ts(1), "status": 200}) + "\n").encode("utf-16-le")


def build_huge_lines(ts: Callable[[int], int]) -> bytes:
    blob = b"x" * (50 * MIB)
    one = b'{"ts": %d, "blob": "' % ts(1) + blob + b'"}'
    two = b'{"ts": %d, "prompt": "' % ts(2) + blob + b' mail huge.user@example.org"}'
    return one + b"\n" + two + b"\n" + js({"ts": ts(3), "status": 201}).encode() + b"\n"


def build_over_limit(ts: Callable[[int], int]) -> bytes:
    blob = b"y" * (65 * MIB)
    line = b'{"ts": %d, "prompt": "mail over.limit@example.org ' % ts(1) + blob + b'"}'
    return line + b"\n" + js({"ts": ts(2), "status": 202}).encode() + b"\n"


def empty_builder(ts: Callable[[int], int]) -> bytes:
    return b""


GZIP_CUT_LINES = gzip_cut_complete_lines()
GARBAGE_LINES = garbage_lines()
ZW = "\u200b"
LOOKS_LIKE_GARBAGE = ("not_json", "invalid_utf8", "empty_line", "not_an_object", "too_deep")

CASES: list[Case] = [
    lines_case(
        "truncated_json",
        "truncated JSON (a line cut off mid-object)",
        [
            ('{"ts": @TS@, "status": 2', Q("not_json")),
            ('{"ts": @TS@, "prompt": "mail trunc.user@example.org', Q("not_json")),
            ('{"ts": @TS@, "user_id": "trunc.id@example.org"', Q("not_json")),
            ('{"ts": @TS@}', Out()),
        ],
        planted=["trunc.user@example.org", "trunc.id@example.org"],
    ),
    lines_case(
        "not_json",
        "lines that are not JSON (text, HTML, key=value, Python/JS literals, two objects)",
        [
            ("hello world", Q("not_json")),
            ("<html><body>nj.user@example.org</body></html>", Q("not_json")),
            ("ts=1795428902 status=200 user=nj.kv@example.org", Q("not_json")),
            ("{'ts': 1795428902, 'status': 200}", Q("not_json")),
            ("{ts: 1795428902}", Q("not_json")),
            ('{"ts": @TS@,}', Q("not_json")),
            ('{"ts": @TS@}{"ts": 1}', Q("not_json")),
            ("// a comment", Q("not_json")),
            ('{"ts": @TS@, "status": 200}', Out({"status": 200})),
        ],
        planted=["nj.user@example.org", "nj.kv@example.org"],
    ),
    lines_case(
        "invalid_utf8",
        "invalid UTF-8 (Latin-1 bytes, overlong forms, cut sequences, in keys)",
        [
            (b'{"ts": @TS@, "prompt": "caf\xe9 mail u8.user@example.org"}', Q("invalid_utf8")),
            (b'{"ts": @TS@, "prompt": "\xc0\xaf"}', Q("invalid_utf8")),
            (b'{"ts": @TS@, "prompt": "\xe2\x82"}', Q("invalid_utf8")),
            (b'{"ts": @TS@, "\xff": 1}', Q("invalid_utf8")),
            (b"\xff\xfe\xfd", Q("invalid_utf8")),
            (b'{"ts": @TS@, "prompt": "caf\xc3\xa9"}', Out({"prompt": "café"})),
        ],
        planted=["u8.user@example.org"],
    ),
    lines_case(
        "lone_surrogates",
        "lone UTF-16 surrogates (escaped and as raw CESU-8 bytes)",
        [
            ('{"ts": @TS@, "prompt": "\\ud800 mail sur.user@example.org"}', Q("invalid_utf8")),
            ('{"ts": @TS@, "prompt": "\\udc00"}', Q("invalid_utf8")),
            ('{"ts": @TS@, "prompt": "\\ud800\\u0041"}', Q("invalid_utf8")),
            (b'{"ts": @TS@, "prompt": "\xed\xa0\x80"}', Q("invalid_utf8")),
            ('{"ts": @TS@, "prompt": "\\ud83d\\ude00"}', Out({"prompt": "\U0001f600"})),
        ],
        planted=["sur.user@example.org"],
    ),
    lines_case(
        "nul_bytes",
        "NUL bytes (raw in a line, a line of NULs, escaped in values and keys)",
        [
            (b'{"ts": @TS@, "prompt": "a\x00b"}', Q("not_json")),
            (b"\x00\x00\x00\x00", Q("not_json")),
            ('{"ts": @TS@, "prompt": "a\\u0000b"}', Out({"prompt": "a\x00b"})),
            ('{"ts": @TS@, "prompt": "mail nul\\u0000nul.user@example.org"}', Out({"prompt": "mail nul\x00<EMAIL>"})),
            ('{"ts": @TS@, "a\\u0000b": "nul.key@example.org"}', Out()),
        ],
        planted=["nul.user@example.org", "nul.key@example.org"],
    ),
    lines_case(
        "bom",
        "byte-order marks (UTF-8 BOM at the start and mid-file, UTF-16 BOM)",
        [
            ('{"ts": @TS@, "status": 200}', Out({"status": 200})),
            (b'\xef\xbb\xbf{"ts": @TS@, "status": 201}', Out({"status": 201})),
            (b'\xff\xfe{"ts": @TS@}', Q("invalid_utf8")),
        ],
        head=b"\xef\xbb\xbf",
    ),
    Case(
        "utf16_file",
        "a whole file in UTF-16 (its newline is 0a 00: the NUL starts a second line)",
        ".jsonl",
        build_utf16,
        (Q("invalid_utf8"), Q("not_json")),
    ),
    lines_case(
        "crlf",
        "CRLF line ends, CR CR LF, and a lone CR as separator",
        [
            ('{"ts": @TS@, "status": 200}', Out({"status": 200})),
            ('{"ts": @TS@, "status": 201}\r', Out({"status": 201})),
            ('{"ts": @TS@}\r{"ts": 1795428902}', Q("not_json")),
        ],
        sep=b"\r\n",
        tail=b"\r\n",
    ),
    lines_case(
        "empty_lines",
        "empty and whitespace-only lines",
        [
            ("", Q("empty_line")),
            ('{"ts": @TS@}', Out()),
            ("   ", Q("empty_line")),
            ("\t", Q("empty_line")),
            ("\r", Q("empty_line")),
            ('{"ts": @TS@, "status": 204}', Out({"status": 204})),
        ],
    ),
    lines_case(
        "no_final_newline",
        "a last line without a newline",
        [
            ('{"ts": @TS@, "status": 200}', Out({"status": 200})),
            ('{"ts": @TS@, "prompt": "mail last.user@example.org"}', Out({"prompt": "mail <EMAIL>"})),
        ],
        tail=b"",
        planted=["last.user@example.org"],
    ),
    Case(
        "line_50mb",
        "50 MB lines (an unknown field; free text over scan_text's 1,000,000 characters)",
        ".jsonl",
        build_huge_lines,
        (Out(), Q("invalid_too_long", "prompt"), Out({"status": 201})),
        planted=("huge.user@example.org",),
    ),
    Case(
        "line_over_64mib",
        "a 65 MiB line, over the 64 MiB line limit; the reader recovers at the next line",
        ".jsonl",
        build_over_limit,
        (Q("line_too_long"), Out({"status": 202})),
        planted=("over.limit@example.org",),
    ),
    lines_case(
        "deep_nesting",
        "deep nesting (10,000 levels; 1,000 levels under dropped and kept fields)",
        [
            ('{"ts": @TS@, "x": ' + nested(10_000) + "}", Q("too_deep")),
            (nested(10_000, '"deep.user@example.org"', '{"a":', "}"), Q("too_deep")),
            ('{"ts": @TS@, "unknown": ' + nested(1_000, '"deep.drop@example.org"') + "}", Out()),
            ('{"ts": @TS@, "messages": ' + nested(1_000) + "}", Q("wrong_shape", "messages")),
            (
                '{"ts": @TS@, "prompt": ' + nested(1_000, '"deep.text@example.org"', '{"a":', "}") + "}",
                Q("invalid_expected_string_not_dict", "prompt"),
            ),
        ],
        planted=["deep.user@example.org", "deep.drop@example.org", "deep.text@example.org"],
    ),
    lines_case(
        "huge_integers",
        "huge integers (beyond int64 and uint64, beyond double)",
        [
            ('{"ts": 1' + "0" * 400 + "}", Q("not_json")),
            ('{"ts": @TS@, "status": 100000000000000000000000000000}', Q("invalid_out_of_range", "status")),
            ('{"ts": @TS@, "user_id": 18446744073709551616}', Q("invalid_expected_string_or_int_not_float", "user_id")),
            (
                '{"ts": @TS@, "user_id": 18446744073709551615}',
                Out({"user_id": pseudonym("user", "18446744073709551615")}),
            ),
            ('{"ts": 9223372036854775808}', Q("invalid_out_of_range", "ts")),
            ('{"ts": @TS@, "retry_count": -9223372036854775809}', Q("invalid_out_of_range", "retry_count")),
            ('{"ts": "1795428902000000000000"}', Q("invalid_not_an_integer", "ts")),
            ('{"ts": @TS@, "geo": {"lat": 1e308}}', Q("invalid_out_of_range", "geo.lat")),
            ('{"ts": @TS@, "latency_ms": 123456789012345678901234567890}', Out()),
        ],
    ),
    lines_case(
        "nan_infinity",
        "NaN and Infinity (bare literals and as strings)",
        [
            ('{"ts": NaN}', Q("not_json")),
            ('{"ts": @TS@, "geo": {"lat": Infinity}}', Q("not_json")),
            ('{"ts": @TS@, "geo": {"lon": -Infinity}}', Q("not_json")),
            ('{"ts": @TS@, "x": 1e999}', Q("not_json")),
            ('{"ts": @TS@, "geo": {"lat": "NaN"}}', Q("invalid_not_a_number", "geo.lat")),
            ('{"ts": "Infinity"}', Q("invalid_not_a_timestamp", "ts")),
            ('{"ts": @TS@, "status": "inf"}', Q("invalid_not_an_integer", "status")),
        ],
    ),
    lines_case(
        "duplicate_keys",
        "duplicate keys (the later value is the one scrubbed; neither can pass unscrubbed)",
        [
            ('{"ts": @TS@, "prompt": "mail dup.first@example.org", "prompt": "hello"}', Out({"prompt": "hello"})),
            (
                '{"ts": @TS@, "prompt": "hello", "prompt": "mail dup.second@example.org"}',
                Out({"prompt": "mail <EMAIL>"}),
            ),
            ('{"ts": @TS@, "status": 200, "status": "200; DROP TABLE"}', Q("invalid_not_an_integer", "status")),
            (
                '{"ts": @TS@, "client": {"ip": "192.0.2.77"}, "client": {"ip": "198.51.100.23", "mac": "00:1b:44:11:3a:b7"}}',  # noqa: E501
                Out({"client": {"ip": "198.51.100.0"}}),
            ),
            ('{"ts": @TS@, "user_id": "dup.user@example.org", "user_id": 7}', Out({"user_id": pseudonym("user", "7")})),
            ('{"ts": "not a time", "ts": @TS@}', Out()),
            ('{"ts": @TS@, "headers": {"X-MSISDN": "+4915112340002", "x-msisdn": "+4915112340003"}}', Out()),
            ('{"ts": @TS@, "client": {"ip": "192.0.2.78", "ip": "not an ip"}}', Q("invalid_not_an_ip", "client.ip")),
        ],
        planted=[
            "dup.first@example.org",
            "dup.second@example.org",
            "dup.user@example.org",
            "192.0.2.77",
            "192.0.2.78",
            "198.51.100.23",
            "00:1b:44:11:3a:b7",
            "+4915112340002",
            "+4915112340003",
        ],
    ),
    lines_case(
        "top_level_arrays",
        "top-level arrays",
        [
            ('[{"ts": @TS@, "status": 200}]', Q("not_an_object")),
            ("[]", Q("not_an_object")),
            ('[["arr.user@example.org"]]', Q("not_an_object")),
        ],
        planted=["arr.user@example.org"],
    ),
    lines_case(
        "top_level_scalars",
        "top-level scalars (number, string, null, true, a bare e-mail)",
        [
            ("42", Q("not_an_object")),
            ("-0.5", Q("not_an_object")),
            ('"a string"', Q("not_an_object")),
            ('"scalar.user@example.org"', Q("not_an_object")),
            ("null", Q("not_an_object")),
            ("true", Q("not_an_object")),
        ],
        planted=["scalar.user@example.org"],
    ),
    lines_case(
        "wrong_types",
        "wrong types for every rule (IP as number, coordinates as text, lists for scalars ...)",
        [(wrong_type_line(p, v), Q(r, f)) for p, v, r, f in WRONG_TYPES],
        planted=["wt.model@example.org", "wt.prompt@example.org"],
    ),
    lines_case(
        "null_values",
        "JSON null for kept fields (quarantined, as a value that does not parse)",
        [
            ('{"ts": null}', Q("invalid_wrong_type_NoneType", "ts")),
            ('{"ts": @TS@, "status": null}', Q("invalid_wrong_type_NoneType", "status")),
            ('{"ts": @TS@, "user_id": null}', Q("invalid_expected_string_or_int_not_NoneType", "user_id")),
            ('{"ts": @TS@, "client": null}', Q("wrong_shape", "client")),
            ('{"ts": @TS@, "messages": [null]}', Q("wrong_shape", "messages")),
            ('{"ts": @TS@, "prompt": null}', Q("invalid_expected_string_not_NoneType", "prompt")),
            ('{"ts": @TS@, "latency_ms": null, "device": null}', Out()),
        ],
    ),
    lines_case(
        "ts_out_of_range",
        "timestamps out of range (year 10000, year 0, negative, over 1e15)",
        [
            ('{"ts": "10000-01-01T00:00:00Z"}', Q("invalid_not_a_timestamp", "ts")),
            ('{"ts": "+10000-01-01T00:00:00Z"}', Q("invalid_not_a_timestamp", "ts")),
            ('{"ts": 253402300800}', Q("invalid_out_of_range", "ts")),
            ('{"ts": "0000-12-31T00:00:00Z"}', Q("invalid_not_a_timestamp", "ts")),
            ('{"ts": -1}', Q("invalid_out_of_range", "ts")),
            ('{"ts": 1000000000000001.0}', Q("invalid_out_of_range", "ts")),
            ('{"ts": @TS@.999}', Out()),
        ],
    ),
    lines_case(
        "status_out_of_range",
        "negative and out-of-range status and retry_count",
        [
            ('{"ts": @TS@, "status": -200}', Q("invalid_out_of_range", "status")),
            ('{"ts": @TS@, "status": "-200"}', Q("invalid_out_of_range", "status")),
            ('{"ts": @TS@, "status": 0}', Q("invalid_out_of_range", "status")),
            ('{"ts": @TS@, "status": 600}', Q("invalid_out_of_range", "status")),
            ('{"ts": @TS@, "retry_count": -1}', Q("invalid_out_of_range", "retry_count")),
            ('{"ts": @TS@, "retry_count": 100}', Q("invalid_out_of_range", "retry_count")),
            ('{"ts": @TS@, "status": "0200", "retry_count": "+3"}', Out({"status": 200, "retry_count": 3})),
        ],
    ),
    lines_case(
        "ip_zones_ports",
        "IPs with zones, ports, brackets, mapped IPv4, and malformed ones",
        [
            ('{"ts": @TS@, "client": {"ip": "fe80::1ff:fe23:4567:890a%eth0"}}', Out({"client": {"ip": "fe80::"}})),
            (
                '{"ts": @TS@, "client": {"ip": "[fe80::1ff:fe23:4567:890b%25eth0]:8080"}}',
                Out({"client": {"ip": "fe80::"}}),
            ),
            (
                '{"ts": @TS@, "client": {"ip": "[2001:db8:abcd:12ff::1]:443"}}',
                Out({"client": {"ip": "2001:db8:abcd:1200::"}}),
            ),
            ('{"ts": @TS@, "client": {"ip": "203.0.113.77:51234"}}', Out({"client": {"ip": "203.0.113.0"}})),
            ('{"ts": @TS@, "client": {"ip": " 203.0.113.78 "}}', Out({"client": {"ip": "203.0.113.0"}})),
            ('{"ts": @TS@, "client": {"ip": "::ffff:198.51.100.99"}}', Out({"client": {"ip": "198.51.100.0"}})),
            ('{"ts": @TS@, "client": {"ip": "203.0.113.79:"}}', Q("invalid_bad_port", "client.ip")),
            (
                '{"ts": @TS@, "client": {"ip": "203.0.113.80, 198.51.100.1"}}',
                Q("invalid_list_not_allowed", "client.ip"),
            ),
            ('{"ts": @TS@, "client": {"ip": "[2001:db8::1"}}', Q("invalid_unclosed_bracket", "client.ip")),
            ('{"ts": @TS@, "client": {"ip": "127.1"}}', Q("invalid_not_an_ip", "client.ip")),
            ('{"ts": @TS@, "client": {"ip": "010.001.002.003"}}', Q("invalid_not_an_ip", "client.ip")),
        ],
        planted=[
            "fe80::1ff:fe23:4567:890a",
            "fe80::1ff:fe23:4567:890b",
            "2001:db8:abcd:12ff::1",
            "203.0.113.77",
            "203.0.113.78",
            "198.51.100.99",
        ],
    ),
    lines_case(
        "lookalike_digits_in_fields",
        "Unicode look-alike digits in structured fields (full-width, "
        "Arabic-Indic, Devanagari, mathematical, superscript)",
        [
            ('{"ts": @TS@, "status": "２００"}', Q("invalid_not_an_integer", "status")),
            ('{"ts": @TS@, "status": "٢٠٠"}', Q("invalid_not_an_integer", "status")),
            ('{"ts": @TS@, "status": "۲۰۰"}', Q("invalid_not_an_integer", "status")),
            ('{"ts": @TS@, "status": "२००"}', Q("invalid_not_an_integer", "status")),
            ('{"ts": @TS@, "status": "𝟐𝟎𝟎"}', Q("invalid_not_an_integer", "status")),
            ('{"ts": @TS@, "retry_count": "³"}', Q("invalid_not_an_integer", "retry_count")),
            ('{"ts": "１７９５４２８９０２"}', Q("invalid_not_a_timestamp", "ts")),
            ('{"ts": "２０２６-１１-２３T10:00:00Z"}', Q("invalid_not_a_timestamp", "ts")),
            ('{"ts": @TS@, "client": {"ip": "２０３.０.１１３.７"}}', Q("invalid_not_an_ip", "client.ip")),
            ('{"ts": @TS@, "client": {"ip": "٢٠٣.0.113.7"}}', Q("invalid_not_an_ip", "client.ip")),
            ('{"ts": @TS@, "client": {"ip": "203.0.113.7：443"}}', Q("invalid_not_an_ip", "client.ip")),
            ('{"ts": @TS@, "geo": {"lat": "４７.３８"}}', Q("invalid_not_a_number", "geo.lat")),
            ('{"ts": @TS@, "model": "ｇｐｔ-４"}', Q("invalid_pattern_mismatch", "model")),
            (
                '{"ts": @TS@, "user_id": "ｌｏｏｋ．ｕｓｅｒ＠ｅｘａｍｐｌｅ．ｏｒｇ"}',
                Out({"user_id": pseudonym("user", "look.user@example.org")}),
            ),
        ],
        planted=["look.user@example.org"],
    ),
    lines_case(
        "fullwidth_identifiers_in_text",
        "full-width e-mail and card digits in free text",
        [
            ('{"ts": @TS@, "prompt": "mail ｆｗ．ｕｓｅｒ＠ｅｘａｍｐｌｅ．ｏｒｇ"}', Out({"prompt": "mail <EMAIL>"})),
            ('{"ts": @TS@, "prompt": "card ５５５５ ５５５５ ５５５５ ４４４４"}', Out({"prompt": "card <CARD>"})),
        ],
        planted=["fw.user@example.org", "5555 5555 5555 4444"],
    ),
    lines_case(
        "zero_width_in_identifiers",
        "zero-width characters (ZWSP, ZWJ, word joiner, soft hyphen) inside "
        "e-mails, card numbers and IBANs in free text",
        [
            ('{"ts": @TS@, "prompt": "mail zw.user' + ZW + '@example.org"}', Out({"prompt": "mail <EMAIL>"})),
            ('{"ts": @TS@, "prompt": "mail zw.other@exa\u00admple.org"}', Out({"prompt": "mail <EMAIL>"})),
            (
                '{"ts": @TS@, "prompt": "card 4242' + ZW + "4242" + ZW + "4242" + ZW + '4242"}',
                Out({"prompt": "card <CARD>"}),
            ),
            ('{"ts": @TS@, "prompt": "card 5105\u20601051\u20600510\u20605100"}', Out({"prompt": "card <CARD>"})),
            (
                '{"ts": @TS@, "prompt": "iban ES91\u200d2100\u200d0418\u200d4502\u200d0005\u200d1332"}',
                Out({"prompt": "iban <IBAN>"}),
            ),
        ],
        planted=[
            "zw.user@example.org",
            "zw.other@example.org",
            "4242424242424242",
            "5105105105105100",
            "ES9121000418450200051332",
        ],
    ),
    lines_case(
        "split_across_elements",
        "identifiers split across array elements, and arrays where a string is expected",
        [
            (js({"ts": "@TS@", "prompt": ["my card is", SPLIT_CARD]}), Q("invalid_expected_string_not_list", "prompt")),
            (
                js({"ts": "@TS@", "user_id": ["split.user@", "example.org"]}),
                Q("invalid_expected_string_or_int_not_list", "user_id"),
            ),
            (
                js(
                    {
                        "ts": "@TS@",
                        "messages": [{"role": "user", "content": [{"type": "text", "text": "split.part@example.org"}]}],
                    }
                ),
                Q("invalid_expected_string_not_list", "messages[*].content"),
            ),
            (
                js(
                    {
                        "ts": "@TS@",
                        "messages": [
                            {"role": "user", "content": "write to split.msg@"},
                            {"role": "user", "content": "example.org please"},
                        ],
                    }
                ),
                Out(
                    {
                        "messages": [
                            {"role": "user", "content": "write to split.msg@"},
                            {"role": "user", "content": "example.org please"},
                        ]
                    }
                ),
            ),
            (
                js(
                    {
                        "ts": "@TS@",
                        "messages": [{"role": "user", "content": "a"}] * 4
                        + [
                            {
                                "role": "user",
                                "content": f"mail split.whole@example.org, card {SPLIT_CARD}, iban {SPLIT_IBAN}",
                            }
                        ],
                    }
                ),
                Out(
                    {
                        "messages": [{"role": "user", "content": "a"}] * 4
                        + [{"role": "user", "content": "mail <EMAIL>, card <CARD>, iban <IBAN>"}]
                    }
                ),
            ),
        ],
        planted=["split.user@example.org", "split.part@example.org", "split.whole@example.org", SPLIT_CARD, SPLIT_IBAN],
    ),
    lines_case(
        "control_characters",
        "ANSI escapes, line and paragraph separators, newlines in keys",
        [
            (
                '{"ts": @TS@, "prompt": "\\u001b[31mmail ansi.user@example.org\\u001b[0m"}',
                Out({"prompt": "\x1b[31mmail <EMAIL>\x1b[0m"}),
            ),
            (
                '{"ts": @TS@, "prompt": "a\\u2028mail ls.user@example.org\\u2029b"}',
                Out({"prompt": "a\u2028mail <EMAIL>\u2029b"}),
            ),
            ('{"ts": @TS@, "model": "gpt\\u001b[31m"}', Q("invalid_pattern_mismatch", "model")),
            ('{"ts": @TS@, "a\\nb": "ctl.key@example.org"}', Out()),
        ],
        planted=["ansi.user@example.org", "ls.user@example.org", "ctl.key@example.org"],
    ),
    lines_case(
        "identifiers_in_key_names",
        "personal data in key names (never copied, never counted by name)",
        [
            ('{"ts": @TS@, "keyname.user@example.org": "x"}', Out()),
            ('{"ts": @TS@, "client": {"203.0.113.99": "an IP as a key"}}', Out()),
            ('{"ts": @TS@, "cookies": {"cookie.user@example.org": "1"}}', Out()),
            ('{"ts": @TS@, "headers": {"X-Keyname-User@example.org": "1"}}', Out()),
        ],
        planted=["keyname.user@example.org", "203.0.113.99", "cookie.user@example.org", "x-keyname-user@example.org"],
    ),
    lines_case(
        "lookalike_field_names",
        "field names in other case, full-width, dotted, padded or with zero-width characters (unknown: dropped)",
        [
            ('{"ts": @TS@, "TS": 1, "Status": 200, "PROMPT": "mail case.user@example.org"}', Out()),
            ('{"ts": @TS@, "ｐｒｏｍｐｔ": "mail fwkey.user@example.org"}', Out()),
            ('{"ts": @TS@, "client.ip": "203.0.113.98"}', Out()),
            ('{"ts": @TS@, " prompt": "mail pad.user@example.org"}', Out()),
            ('{"ts": @TS@, "prompt\\u200b": "mail zwkey.user@example.org"}', Out()),
            ('{"ts": @TS@, "Client": {"IP": "203.0.113.97"}}', Out()),
        ],
        planted=[
            "case.user@example.org",
            "fwkey.user@example.org",
            "203.0.113.98",
            "pad.user@example.org",
            "zwkey.user@example.org",
            "203.0.113.97",
        ],
    ),
    lines_case(
        "wide_and_long",
        "100,000 unknown keys in one object; 5,000 messages in one record",
        [
            ('{"ts": @TS@, ' + ", ".join(f'"k{i}": "wide.user{i}@example.org"' for i in range(100_000)) + "}", Out()),
            (
                js(
                    {
                        "ts": "@TS@",
                        "messages": [
                            {"role": "user", "content": f"mail long.user{i}@example.org"} for i in range(5_000)
                        ],
                    }
                ),
                Out({"messages": [{"role": "user", "content": "mail <EMAIL>"}] * 5_000}),
            ),
        ],
        planted=[
            "wide.user7@example.org",
            "wide.user99999@example.org",
            "long.user0@example.org",
            "long.user4999@example.org",
        ],
    ),
    lines_case(
        "mixed_list_items",
        "lists mixing objects with numbers, nulls and strings",
        [
            (
                js({"ts": "@TS@", "messages": [{"role": "user", "content": "ok"}, 5, None, "mixed.user@example.org"]}),
                Q("wrong_shape", "messages"),
            ),
        ],
        planted=["mixed.user@example.org"],
    ),
    Case(
        "gzip_truncated",
        "gzip that ends early (a member cut after its header)",
        ".jsonl.gz",
        build_gzip_truncated,
        (Out({"status": 200}), Out({"status": 200}), Out({"status": 200}), Q("truncated_gzip")),
    ),
    Case(
        "gzip_cut_mid_stream",
        "gzip cut in the middle of its deflate stream",
        ".jsonl.gz",
        build_gzip_cut_mid_stream,
        (*[Out()] * GZIP_CUT_LINES, Q("truncated_gzip")),
    ),
    Case(
        "gzip_corrupt", "gzip with a corrupt second member", ".jsonl.gz", build_gzip_corrupt, (Out(), Q("corrupt_gzip"))
    ),
    Case("gzip_garbage", "gzip magic followed by garbage", ".gz", build_gzip_garbage_only, (Q("corrupt_gzip"),)),
    Case("gzip_empty", "a valid gzip of zero bytes", ".jsonl.gz", build_gzip_empty, ()),
    Case(
        "parquet_unexpected_schema",
        "Parquet with an unexpected schema (timestamp ts, float status, string client, "
        "decimal retry_count, struct messages, binary user_id, map headers, duration, dictionary prompt)",
        ".parquet",
        build_parquet_odd_schema,
        (
            Out({"status": 200, "user_id": pseudonym("user", "pq.binary@example.org"), "prompt": "mail <EMAIL>"}),
            Q("invalid_not_integral", "status"),
            Q("wrong_shape", "client"),
            Q("invalid_not_an_integer", "retry_count"),
            Q("wrong_shape", "messages"),
            Out({"prompt": "iban <IBAN>"}),
        ),
        planted=(
            "pq.binary@example.org",
            "pq.dict@example.org",
            "pq.struct@example.org",
            "+4915112340001",
            PQ_IBAN,
            "203.0.113.7",
        ),
    ),
    Case(
        "parquet_invalid_utf8",
        "Parquet string column holding bytes that are not UTF-8",
        ".parquet",
        build_parquet_bad_utf8,
        (Out({"prompt": "hello"}), Q("invalid_utf8_in_parquet")),
    ),
    Case(
        "parquet_truncated",
        "a Parquet file cut in half",
        ".parquet",
        build_parquet_truncated,
        (Q("unreadable_parquet"),),
    ),
    Case("parquet_empty", "a Parquet file with a schema and no rows", ".parquet", build_parquet_empty, ()),
    Case("empty_file", "an empty input file (0 bytes)", ".jsonl", empty_builder, ()),
    Case(
        "binary_garbage",
        "30 KB of random bytes",
        ".bin",
        build_binary_garbage,
        (Q(LOOKS_LIKE_GARBAGE),) * GARBAGE_LINES,
    ),
]

CASE_INDEX = {case.name: i for i, case in enumerate(CASES)}


def ts_of(case: Case) -> Callable[[int], int]:
    base = BASE_TS + PER_CASE * CASE_INDEX[case.name]
    return lambda line: base + line


def file_name(case: Case) -> str:
    return f"{CASE_INDEX[case.name]:02d}-{case.name}{case.suffix}"


def matches(actual: Any, expected: Any) -> bool:
    if callable(expected):
        return bool(expected(actual))
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and actual.keys() == expected.keys()
            and all(matches(actual[k], v) for k, v in expected.items())
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(matches(a, e) for a, e in zip(actual, expected, strict=True))
        )
    return bool(actual == expected and type(actual) is type(expected))


# --- the shared run ------------------------------------------------------------------------------


@dataclass
class Battery:
    proc: subprocess.CompletedProcess[str]
    sandbox: Path
    quarantine: Path
    audit: dict[str, Any]
    rows: dict[int, dict[str, Any]]  # ts -> sandbox row
    unattributed: list[dict[str, Any]]
    entries: dict[str, list[dict[str, Any]]]  # input file name -> its quarantine entries
    per_file: dict[str, dict[str, Any]]
    text: str


@pytest.fixture(scope="module")
def battery(tmp_path_factory: pytest.TempPathFactory) -> Battery:
    base = tmp_path_factory.mktemp("battery")
    inputs = base / "inputs"
    inputs.mkdir()
    for case in CASES:
        (inputs / file_name(case)).write_bytes(case.build(ts_of(case)))
    (base / "key").write_text(TEST_KEY_HEX + "\n")
    proc = run_cli(
        "run",
        "--input",
        str(inputs),
        "--output",
        str(base / "sandbox"),
        "--quarantine",
        str(base / "quarantine"),
        "--catalogue",
        "pseudonymous",
        "--key-file",
        str(base / "key"),
        "--quiet",
        "--batch-size",
        "50",
        cwd=base,
    )
    shutil.rmtree(inputs)  # 300 MB; everything below reads only the outputs
    sandbox, quarantine = base / "sandbox", base / "quarantine"
    audit = orjson.loads((sandbox / "_audit.json").read_bytes()) if (sandbox / "_audit.json").exists() else {}
    rows: dict[int, dict[str, Any]] = {}
    unattributed = []
    for row in sandbox_rows(sandbox) if proc.returncode == 0 else []:
        ts = row.get("ts")
        if isinstance(ts, int) and ts not in rows and BASE_TS < ts < BASE_TS + PER_CASE * len(CASES):
            rows[ts] = row
        else:
            unattributed.append(row)
    entries: dict[str, list[dict[str, Any]]] = {}
    for entry in quarantine_entries(quarantine):
        entries.setdefault(Path(entry["source"]).name, []).append(entry)
    per_file = {Path(f["uri"]).name: f for f in audit.get("inputs", {}).get("per_file", [])}
    return Battery(proc, sandbox, quarantine, audit, rows, unattributed, entries, per_file, sandbox_text(sandbox))


def test_the_battery_run_succeeds_without_crash(battery: Battery) -> None:
    assert battery.proc.returncode == 0, battery.proc.stderr[-3000:]
    assert "Traceback" not in battery.proc.stderr and "internal_error" not in battery.proc.stderr
    assert not [r for r in battery.audit["quarantine_reasons"] if r.startswith("internal_error")]
    counts = battery.audit["counts"]
    assert counts["accounting"]["ok"], counts["accounting"]["problems"]
    assert counts["records_in"] == sum(len(c.expect) for c in CASES)
    assert battery.unattributed == []  # every sandbox row belongs to one line of one case
    assert sorted(p.name for p in battery.sandbox.iterdir()) == ["_audit.json", "part-00000-of-00001.parquet"]
    assert sorted(p.name for p in battery.quarantine.iterdir()) == ["part-00000-of-00001.jsonl"]


def case_params() -> list[Any]:
    marks = lambda c: [pytest.mark.xfail(strict=True, reason=c.xfail)] if c.xfail else []  # noqa: E731
    return [pytest.param(c, id=c.name, marks=marks(c)) for c in CASES]


@pytest.mark.parametrize("case", case_params())
def test_bad_input(battery: Battery, case: Case) -> None:
    assert battery.proc.returncode == 0, battery.proc.stderr[-3000:]
    name = file_name(case)
    ts = ts_of(case)
    # in = out + quarantined, for this case's own lines
    read = battery.per_file[name]
    assert read["lines"] + read["problems"] == len(case.expect)
    entries = {e["line"]: e for e in battery.entries.get(name, [])}
    assert len(entries) == len(battery.entries.get(name, []))  # one entry per line, never two
    passed = {ts(line) for line, outcome in enumerate(case.expect, start=1) if isinstance(outcome, Out)}
    mine = {t for t in battery.rows if ts(0) < t < ts(0) + PER_CASE}
    assert mine == passed
    assert len(entries) + len(mine) == len(case.expect)
    for line, outcome in enumerate(case.expect, start=1):
        if isinstance(outcome, Q):
            entry = entries.get(line)
            assert entry is not None, f"line {line}: expected in the quarantine"
            reasons = outcome.reason if isinstance(outcome.reason, tuple) else (outcome.reason,)
            assert entry["reason"] in reasons, f"line {line}"
            assert entry["field"] == outcome.field, f"line {line}"
            assert "raw" in entry
        else:
            assert line not in entries, f"line {line}: quarantined as {entries.get(line, {}).get('reason')}"
            row = dict(battery.rows[ts(line)])
            row.pop("ts")
            assert matches(row, outcome.record), f"line {line}: {str(row)[:300]}"
    # nothing planted reaches the sandbox (parts or audit), in any spelling
    leaked = [p for p in case.planted if searchable(p) in battery.text]
    assert leaked == []


def test_the_audit_names_no_unknown_key_and_no_value(battery: Battery) -> None:
    """Unknown fields are counted per parent path: key names (which can be personal data) never appear."""
    text = orjson.dumps(battery.audit).decode()
    assert "keyname.user" not in text and "203.0.113.99" not in text and "cookie.user" not in text
    assert battery.audit["unknown_fields_dropped"]["(record)"] >= 100_000


def test_every_keeping_rule_has_wrong_type_cases() -> None:
    catalogue = load_catalogue("pseudonymous")
    keeping = {r.field for r in catalogue.model.rules if r.op != "drop"}
    covered = {f for _, _, _, f in WRONG_TYPES}
    assert keeping <= covered, f"add WRONG_TYPES rows for {sorted(keeping - covered)}"


def test_the_table_has_at_least_thirty_kinds() -> None:
    assert len(CASES) + len(RUN_CASES) >= 30
    assert len({c.name for c in CASES}) == len(CASES)
    assert all(len(c.expect) < PER_CASE for c in CASES)


# --- whole-run failures: each its own run ---------------------------------------------------------


@dataclass(frozen=True)
class RunCase:
    name: str
    kind: str
    setup: Callable[[Path], list[str]]  # makes the files; returns the run's argv (after "run")
    code: int
    message: str  # must be in stderr
    privileged: bool = False  # needs permission bits to apply (see no_dac_override)


def common(base: Path, inputs: str, output: str = "sandbox", quarantine: str = "quarantine") -> list[str]:
    (base / "key").write_text(TEST_KEY_HEX + "\n")
    return [
        "--input",
        inputs,
        "--output",
        str(base / output),
        "--quarantine",
        str(base / quarantine),
        "--catalogue",
        "pseudonymous",
        "--key-file",
        str(base / "key"),
        "--quiet",
    ]


def good_input(base: Path) -> str:
    (base / "in.jsonl").write_text('{"ts": 1795428902, "prompt": "mail run.user@example.org"}\n')
    return str(base / "in.jsonl")


def setup_missing(base: Path) -> list[str]:
    return common(base, str(base / "no-such-dir" / "*.jsonl"))


def setup_missing_file(base: Path) -> list[str]:
    return common(base, str(base / "gone.jsonl"))


def setup_empty_dir(base: Path) -> list[str]:
    (base / "logs").mkdir()
    (base / "logs" / ".hidden.jsonl").write_text('{"ts": 1}\n')
    return common(base, str(base / "logs"))


def setup_output_below_a_file(base: Path) -> list[str]:
    (base / "afile").write_text("not a directory\n")
    return common(base, good_input(base), output="afile/sandbox")


def setup_output_is_a_file(base: Path) -> list[str]:
    (base / "sandbox").write_text("a file where the sandbox should be\n")
    return common(base, good_input(base))


def setup_read_only_output(base: Path) -> list[str]:
    (base / "sandbox").mkdir()
    (base / "sandbox").chmod(0o555)
    return common(base, good_input(base))


def setup_read_only_quarantine(base: Path) -> list[str]:
    (base / "quarantine").mkdir()
    (base / "quarantine").chmod(0o555)
    return common(base, good_input(base))


def setup_unreadable_input(base: Path) -> list[str]:
    path = Path(good_input(base))
    path.chmod(0)
    return common(base, str(path))


RUN_CASES: list[RunCase] = [
    RunCase(
        "missing_input",
        "a missing input path (glob under a missing directory)",
        setup_missing,
        3,
        "no input file matches",
    ),
    RunCase("missing_input_file", "a missing input file", setup_missing_file, 3, "no input file matches"),
    RunCase(
        "empty_input_dir", "an input directory with no (visible) files", setup_empty_dir, 3, "no input file matches"
    ),
    RunCase(
        "output_below_a_file",
        "an unwritable output: its parent is a regular file",
        setup_output_below_a_file,
        3,
        "cannot create directory",
    ),
    RunCase(
        "output_is_a_file",
        "an unwritable output: it is a regular file",
        setup_output_is_a_file,
        3,
        "cannot create directory",
    ),
    RunCase(
        "read_only_output",
        "an unwritable output: a read-only directory",
        setup_read_only_output,
        3,
        "Permission denied",
        privileged=True,
    ),
    RunCase(
        "read_only_quarantine",
        "an unwritable quarantine: a read-only directory",
        setup_read_only_quarantine,
        3,
        "Permission denied",
        privileged=True,
    ),
    RunCase(
        "unreadable_input",
        "an input file without read permission",
        setup_unreadable_input,
        3,
        "Nothing was published",
        privileged=True,
    ),
]


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in RUN_CASES])
def test_whole_run_failure(tmp_path: Path, case: RunCase, capsys: pytest.CaptureFixture[str]) -> None:
    """Privileged cases run in a subprocess (permission bits must apply); the others call the same
    entry point in-process, which saves an interpreter start (about 2 s) per case."""
    argv = case.setup(tmp_path)
    if case.privileged:
        proc = run_cli("run", *argv, cwd=tmp_path, prefix=no_dac_override())
    else:
        from scrubber.cli import main

        capsys.readouterr()
        code = main(["run", *argv])
        out, err = capsys.readouterr()
        proc = subprocess.CompletedProcess(["scrubber", "run", *argv], code, out, err)
    try:
        assert proc.returncode == case.code, proc.stderr
        assert case.message in proc.stderr
        assert proc.stderr.startswith("scrubber run: ") and "Traceback" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) <= 2  # one clear message, not a dump
        # nothing published, and no temporary directory left behind
        for target in ("sandbox", "quarantine"):
            directory = tmp_path / target
            if directory.is_dir():
                assert sorted(p.name for p in directory.iterdir()) == [], target
        assert "run.user@example.org" not in proc.stderr + proc.stdout
    finally:
        for path in tmp_path.rglob("*"):
            if not path.is_symlink():
                path.chmod(0o700 if path.is_dir() else 0o600)


def test_an_empty_input_is_a_successful_empty_run(tmp_path: Path) -> None:
    from scrubber.cli import main

    (tmp_path / "empty.jsonl").write_bytes(b"")
    (tmp_path / "empty.jsonl.gz").write_bytes(gzip_member(b""))
    assert main(["run", *common(tmp_path, str(tmp_path / "empty.*"))]) == 0
    audit = orjson.loads((tmp_path / "sandbox" / "_audit.json").read_bytes())
    counts = audit["counts"]
    assert (counts["records_in"], counts["records_out"], counts["records_quarantined"]) == (0, 0, 0)
    assert counts["accounting"]["ok"]
    table = pq.read_table(tmp_path / "sandbox" / "part-00000-of-00001.parquet")
    assert table.num_rows == 0 and "prompt" in table.schema.names  # readers still find the schema
    assert list((tmp_path / "quarantine").iterdir()) == []


# --- pathological inputs for the regexes (timing is the benchmark's job; this checks correctness) ---


PATHOLOGICAL = {
    "digits": "7" * 1_000_000,
    "at_signs": "a@" * 500_000,
    "no_spaces": ("abcdefghij" * 100_000),
    "dots_dashes": "1-2." * 250_000,
    "hex": "deadbeef" * 125_000,
    "dots": "a." * 500_000,
    "plus_digits": "+" + "1 " * 499_999,
}


@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_pathological_text_is_scanned_and_planted_identifiers_still_found(name: str, pseudonymous: Any) -> None:
    """1 MB pathological filler with identifiers at the start, middle and end; the benchmark times this."""
    scrubber = pseudonymous
    filler = PATHOLOGICAL[name]
    half = len(filler) // 2
    planted = ["patho.first@example.org", "patho.mid@example.org", "patho.last@example.org"]
    text = f"{planted[0]} , {filler[:half]} , {planted[1]} , {CARD} , {filler[half:]} , {planted[2]}"
    out = scrubber.scrub_text(text)
    assert all(p not in out for p in planted) and CARD not in out
    assert out.startswith("<EMAIL> , ") and out.endswith(" , <EMAIL>")
    assert out.count("<EMAIL>") == 3 and "<CARD>" in out
    record = scrubber.scrub({"ts": 1795428902, "prompt": text[:999_000]})
    assert planted[0] not in record["prompt"]


@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_pathological_values_in_structured_fields_are_rejected_by_length_first(name: str, pseudonymous: Any) -> None:
    """Catalogue patterns (model, coordinates, IPs, timestamps, ints) never see a megabyte: length checks come first."""
    from scrubber import RecordRejected

    scrubber = pseudonymous
    value = PATHOLOGICAL[name]
    for path in ("model", "ts", "status", "retry_count", "client.ip", "geo.lat", "geo.lon", "messages[0].role"):
        record = orjson.loads(wrong_type_line(path, value).replace("@TS@", "1795428902"))
        with pytest.raises(RecordRejected) as info:
            scrubber.scrub(record)
        assert info.value.reason.startswith("invalid_"), (path, info.value.reason)
