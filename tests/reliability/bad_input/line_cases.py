"""The JSON-lines cases: broken syntax and encodings, odd bytes, huge lines and numbers, deep nesting, duplicate
keys, wrong types for every rule, look-alike digits and field names, identifiers hidden in text or key names."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from tests.reliability.bad_input.model import MIB, Case, Out, Q, js, lines_case, nested
from tests.reliability.helpers import (
    pseudonym,
)

# Test card numbers and IBANs (valid checksums), a different one per case so that a leak is traced to its case.
CARD = "4111 1111 1111 1111"  # pathological tests only
SPLIT_CARD, SPLIT_IBAN = "4012 8888 8888 1881", "GB29 NWBK 6016 1331 9268 19"


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


ZW = "\u200b"


LINE_CASES: list[Case] = [
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
        "JSON null for kept fields: absent under the shipped nulls: absent; ts is required, so a null ts quarantines",
        [
            ('{"ts": null}', Q("missing_required", "ts")),
            ('{"ts": @TS@, "status": null}', Out()),
            ('{"ts": @TS@, "user_id": null}', Out()),
            ('{"ts": @TS@, "client": null}', Out()),
            ('{"ts": @TS@, "messages": [null]}', Out()),
            ('{"ts": @TS@, "prompt": null}', Out()),
            ('{"ts": @TS@, "latency_ms": null, "device": null}', Out()),
            ('{"ts": @TS@, "status": "null"}', Q("invalid_not_an_integer", "status")),
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
]
