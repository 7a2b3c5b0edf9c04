"""The Scrubber contract: golden fixtures, nothing planted survives, and Hypothesis properties."""

from __future__ import annotations

import copy
import string
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scrubber import RecordRejected, Scrubber
from tests.golden import GOLDEN, PROFILES, outcomes

PLANTED = [line for line in (GOLDEN / "planted.txt").read_text().splitlines() if line]


def leaf_paths(value: Any, prefix: str = "") -> set[str]:
    if isinstance(value, dict):
        return set().union(*(leaf_paths(v, f"{prefix}.{k}" if prefix else k) for k, v in value.items())) or set()
    if isinstance(value, list):
        return set().union(*(leaf_paths(v, f"{prefix}[*]") for v in value)) or set()
    return {prefix}


def shape_paths(shape: Any, prefix: str = "") -> set[str]:
    if isinstance(shape, str):
        return {prefix}
    if "list" in shape and len(shape) == 1:
        return shape_paths(shape["list"], f"{prefix}[*]")
    return set().union(*(shape_paths(s, f"{prefix}.{k}" if prefix else k) for k, s in shape.items()))


@pytest.mark.parametrize("profile", PROFILES)
def test_golden(profile):
    expected = [orjson.loads(line) for line in (GOLDEN / f"expected-{profile}.jsonl").read_bytes().splitlines()]
    actual = outcomes(profile)
    assert len(actual) == len(expected)
    for number, (got, want) in enumerate(zip(actual, expected, strict=True), start=1):
        assert got == want, f"input line {number}"


@pytest.mark.parametrize("profile", PROFILES)
def test_no_planted_identifier_survives(profile):
    text = b"\n".join(orjson.dumps(item) for item in outcomes(profile)).decode().lower()
    survivors = [p for p in PLANTED if p.lower() in text]
    assert not survivors


def test_strict_profile_holds_only_three_fields(strict):
    for item in outcomes("strict"):
        if "record" in item:
            assert set(item["record"]) <= {"ts", "status", "retry_count"}


def test_outputs_hold_only_allow_listed_paths(pseudonymous):
    allowed = shape_paths(pseudonymous.plan.output_shape())
    for item in outcomes("pseudonymous"):
        if "record" in item:
            assert leaf_paths(item["record"]) <= allowed


def test_exact_values(pseudonymous):
    first, second, third = (item["record"] for item in outcomes("pseudonymous")[:3])
    assert first["client"] == {"ip": "203.0.113.0"} and first["geo"] == {"lat": 47.38, "lon": 8.54}
    assert second["client"] == {"ip": "2001:db8:abcd:1200::"} and second["status"] == 404
    assert second["retry_count"] == 2 and second["ts"] == 1763892903
    assert third["ts"] == 1795428902 and third["client"] == {"ip": "198.51.100.0"}
    assert set(first) == {
        "ts",
        "request_id",
        "session_id",
        "user_id",
        "status",
        "retry_count",
        "model",
        "client",
        "geo",
        "messages",
    }


def test_email_user_ids_are_case_folded(pseudonymous):
    one = pseudonymous.scrub({"ts": 1, "user_id": "alice.martin@example.com"})
    two = pseudonymous.scrub({"ts": 1, "user_id": "  Alice.Martin@Example.com "})
    assert one == two


def test_input_is_not_mutated(pseudonymous):
    record = orjson.loads((GOLDEN / "input.jsonl").read_bytes().splitlines()[0])
    before = copy.deepcopy(record)
    pseudonymous.scrub(record)
    assert record == before


def test_different_key_shares_no_pseudonym(test_key):
    import secrets

    other = Scrubber.from_catalogue("pseudonymous", key=secrets.token_bytes(32))
    mine = Scrubber.from_catalogue("pseudonymous", key=test_key)
    record = {"ts": 1, "request_id": "r-1", "session_id": "s-1", "user_id": "u-1"}
    a, b = mine.scrub(record), other.scrub(record)
    assert a["ts"] == b["ts"] == 1
    assert not {a[k] for k in ("request_id", "session_id", "user_id")} & set(b.values())


def test_rejection_message_names_field_not_value(pseudonymous):
    with pytest.raises(RecordRejected) as info:
        pseudonymous.scrub({"ts": 1, "client": {"ip": "secret-host.example.com"}})
    assert "client.ip" in str(info.value) and "secret-host" not in str(info.value)


def test_duplicate_key_cannot_smuggle(pseudonymous):
    record = orjson.loads(
        b'{"ts": 1, "client": {"ip": "1.2.3.4"}, "client": {"ip": "5.6.7.8", "mac": "00:11:22:33:44:55"}}'
    )
    assert pseudonymous.scrub(record) == {"ts": 1, "client": {"ip": ["5.6.7", "8"][0] + ".0"}}


def test_scrub_text(pseudonymous):
    assert pseudonymous.scrub_text("mail bob@example.org now") == "mail <EMAIL> now"


# ---- properties -----------------------------------------------------------------------------------

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=25,
)
field_names = st.sampled_from(
    [
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
        "cookies",
        "headers",
        "url",
        "device",
    ]
)
log_like = st.dictionaries(field_names | st.text(max_size=8), json_values, max_size=10)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.one_of(json_values, log_like))
def test_scrub_never_raises_anything_but_record_rejected(record):
    scrubber = _shared()
    try:
        out = scrubber.scrub(record)
    except RecordRejected:
        return
    assert leaf_paths(out) <= shape_paths(scrubber.plan.output_shape()) | {""}


# A marker alphabet that cannot occur in hex pseudonyms, truncated IPs, numbers or placeholders.
marker = st.text(alphabet="QXZJKWVqxzjkwv", min_size=8, max_size=16).map(lambda s: "Zz" + s)
DROPPED_OR_HASHED = [
    "request_id",
    "session_id",
    "user_id",
    "latency_ms",
    "unknown",
    "client.user_agent",
    "client.ja3",
    "client.fonts",
    "device.mac",
    "device.serial",
    "payment.iban",
    "cookies._ga",
    "headers.X-Msisdn",
    "telecom.imsi",
    "messaging.discord_id",
    "geo.alt",
]


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(DROPPED_OR_HASHED), marker, min_size=1))
def test_no_value_of_a_dropped_or_pseudonymized_field_survives(values):
    record: dict[str, Any] = {"ts": 1}
    for path, value in values.items():
        head, _, tail = path.partition(".")
        if tail:
            record.setdefault(head, {})[tail] = value
        else:
            record[head] = value
    out = orjson.dumps(_shared().scrub(record)).decode()
    for value in values.values():
        assert value not in out


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=string.printable, max_size=200))
def test_scrub_text_never_raises(text):
    assert isinstance(_shared().scrub_text(text), str)


_SCRUBBER: list[Scrubber] = []


def _shared() -> Scrubber:
    if not _SCRUBBER:
        from tests.conftest import TEST_KEY_HEX

        _SCRUBBER.append(Scrubber.from_catalogue("pseudonymous", key=bytes.fromhex(TEST_KEY_HEX)))
    return _SCRUBBER[0]


def test_detect_returns_the_spans_scrub_text_replaces(pseudonymous):
    text = "mail bob@example.org or call +49 30 1234567 from 10.1.2.3"
    spans = pseudonymous.detect(text)
    assert [(text[s.start : s.end], s.kind) for s in spans] == [
        ("bob@example.org", "EMAIL"),
        ("+49 30 1234567", "PHONE"),
        ("10.1.2.3", "IP"),
    ]
    rebuilt, position = [], 0
    for span in spans:
        rebuilt += [text[position : span.start], f"<{span.kind}>"]
        position = span.end
    assert "".join(rebuilt) + text[position:] == pseudonymous.scrub_text(text)
