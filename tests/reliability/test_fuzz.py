"""Fuzzing Scrubber.scrub and scrub_text with Hypothesis (issue 7).

Properties, for records and texts built around planted identifiers (e-mail addresses, card numbers,
IBANs: kinds any reasonable detector set catches):

- ``scrub`` returns only allow-listed paths or raises RecordRejected, never anything else;
- no planted identifier survives anywhere in the output, neither whole nor in large part;
- the output of ``scrub`` passes ``scrubber verify``'s record check (allow-list, types, pseudonym and
  IP shapes, and a detector re-scan of every kept string);
- ``scrub_text`` never raises, on any Unicode text including lone surrogates.

In free text each identifier stands on a line of its own, between punctuation (`` ;\n...\n; ``), so
that random neighbours cannot legitimately change what it is: ``...1111 5`` is another digit string
than a card number, and the detectors read a label on the same line ("order 4111...") as saying that
a number is not a card. The gaps the fuzzing found with other neighbours are the strict-xfail tests
at the end, for their owners. FUZZ_EXAMPLES=20000 fuzzes longer than the suite's default.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum import iban as stdnum_iban

from scrubber import RecordRejected, Scrubber
from scrubber.verify import Verifier
from tests.conftest import TEST_KEY_HEX

SCRUBBER = Scrubber.from_catalogue("pseudonymous", key=bytes.fromhex(TEST_KEY_HEX))
VERIFIER = Verifier(SCRUBBER.catalogue)
FORMAT_CHARS = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
# FUZZ_EXAMPLES=20000 make test fuzzes longer; the suite's default keeps it to a few seconds.
SETTINGS = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "250")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# --- planted identifiers -------------------------------------------------------------------------


def luhn_complete(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return body + str((10 - total % 10) % 10)


digits = lambda n: st.text(alphabet="0123456789", min_size=n, max_size=n)  # noqa: E731
letters = lambda n: st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=n, max_size=n)  # noqa: E731


@st.composite
def cards(draw: st.DrawFn) -> tuple[str, str]:
    """(as written, digits only): Visa, Mastercard and Amex numbers with a valid Luhn digit."""
    prefix, length = draw(st.sampled_from([("4", 16), ("51", 16), ("55", 16), ("2221", 16), ("34", 15), ("37", 15)]))
    number = luhn_complete(prefix + draw(digits(length - len(prefix) - 1)))
    assert len(set(number)) > 2  # not a run of one digit, which a fuzzed text could hold by chance
    style = draw(st.sampled_from(["plain", "space", "dash"]))
    if style == "plain" or length == 15:
        return number, number
    sep = " " if style == "space" else "-"
    return sep.join(number[i : i + 4] for i in range(0, 16, 4)), number


@st.composite
def ibans(draw: st.DrawFn) -> tuple[str, str]:
    country = draw(st.sampled_from(["DE", "GB", "NL", "AT", "ES"]))
    bban = {"DE": digits(18), "AT": digits(16), "ES": digits(20)}.get(country)
    body = draw(bban) if bban is not None else draw(letters(4)) + draw(digits(14 if country == "GB" else 10))
    number = country + stdnum_iban.calc_check_digits(country + "00" + body) + body
    if draw(st.booleans()):
        return " ".join(number[i : i + 4] for i in range(0, len(number), 4)), number
    return number, number


@st.composite
def emails(draw: st.DrawFn) -> tuple[str, str]:
    local = draw(st.from_regex(r"[a-z][a-z0-9]{3,9}(\.[a-z][a-z0-9]{2,7})?", fullmatch=True))
    domain = draw(st.from_regex(r"[a-z]{3,9}\.(org|com|net|de|io)", fullmatch=True))
    address = f"{local}@{domain}"
    return (address.upper() if draw(st.booleans()) else address), address


identifiers = st.one_of(cards(), ibans(), emails())


def squash(text: str) -> str:
    """Text as leak checks compare it: NFKC, format characters, spaces and hyphens removed, case folded."""
    return re.sub(r"[\s-]+", "", unicodedata.normalize("NFKC", text).translate(FORMAT_CHARS)).casefold()


def leaked(canonical: str, output: str) -> bool:
    """True if the identifier survives whole or in large part (an e-mail's local part, 12 card digits, ...)."""
    text = squash(output)
    if "@" in canonical:
        local = canonical.split("@", 1)[0]
        return canonical.casefold() in text or (len(local) >= 4 and local.casefold() in text)
    keep = len(canonical) - 4  # all but the last four characters
    return squash(canonical)[:keep] in text


# --- free text -----------------------------------------------------------------------------------

any_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)


def framed(before: str, identifier: str, after: str) -> str:
    return f"{before} ;\n{identifier}\n; {after}"


@st.composite
def texts_with_identifiers(draw: st.DrawFn) -> tuple[str, list[str]]:
    planted = draw(st.lists(identifiers, min_size=1, max_size=4))
    text = draw(any_text)
    for written, _ in planted:
        text = framed(text, written, draw(any_text))
    return text, [canonical for _, canonical in planted]


@SETTINGS
@given(texts_with_identifiers())
def test_scrub_text_leaves_no_planted_identifier(sample: tuple[str, list[str]]) -> None:
    text, planted = sample
    out = SCRUBBER.scrub_text(text)
    assert [p for p in planted if leaked(p, out)] == [], out


@SETTINGS
@given(st.text(alphabet=st.characters(codec=None), max_size=300))
def test_scrub_text_never_raises_on_any_unicode_including_lone_surrogates(text: str) -> None:
    out = SCRUBBER.scrub_text(text)
    assert isinstance(out, str)


# --- records -------------------------------------------------------------------------------------

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
roles = st.sampled_from(["system", "user", "assistant", "tool", "hacker", ""])
# Where a planted identifier goes, as a value: every path of the catalogue that takes a string, and some it
# does not know. ``model`` is left out on purpose: it is kept by pattern, see test_identifier_shaped_model_names.
VALUE_PATHS = [
    "request_id",
    "session_id",
    "user_id",
    "client.ip",
    "client.user_agent",
    "client.forwarded_for",
    "geo.lat",
    "ts",
    "status",
    "payment.iban",
    "payment.pan",
    "device.serial",
    "telecom.msisdn",
    "messaging.slack_user",
    "headers.X-Forwarded-For",
    "headers.Authorization",
    "notes",
    "extra.deep.value",
    "referrer",
    "url",
]
TEXT_PATHS = ["prompt", "completion", "messages"]


def put(record: dict[str, Any], path: str, value: Any) -> None:
    head, _, rest = path.partition(".")
    if not rest:
        record[head] = value
        return
    child = record.get(head)
    if not isinstance(child, dict):
        child = record[head] = {}
    put(child, rest, value)


@st.composite
def records(draw: st.DrawFn) -> tuple[Any, list[str]]:
    record: dict[str, Any] = draw(
        st.dictionaries(
            st.sampled_from(["ts", "status", "retry_count", "request_id", "model", "geo", "client", "cookies", "x"]),
            json_values,
            max_size=4,
        )
    )
    planted: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        written, canonical = draw(identifiers)
        planted.append(canonical)
        where = draw(st.sampled_from(["value", "text", "key", "cookie", "query"]))
        if where == "value":
            put(record, draw(st.sampled_from(VALUE_PATHS)), written)
        elif where == "text":
            content = framed(draw(any_text), written, draw(any_text))
            path = draw(st.sampled_from(TEXT_PATHS))
            if path == "messages":
                messages = record["messages"] if isinstance(record.get("messages"), list) else []
                messages.append({"role": draw(roles), "content": content})
                record["messages"] = messages
            else:
                record[path] = content
        elif where == "key":
            put(record, draw(st.sampled_from(["", "client.", "headers.", "extra."])) + written, 1)
        elif where == "cookie":
            record["cookies"] = f"_ga=GA1.2.3; session={written}; theme=dark"
        else:
            record["url"] = f"https://app.example/p?q=1&email={written}&utm_source=x"
    return record, planted


@SETTINGS
@given(records())
def test_scrub_outputs_only_allow_listed_paths_and_no_planted_identifier(sample: tuple[Any, list[str]]) -> None:
    record, planted = sample
    try:
        out = SCRUBBER.scrub(record)
    except RecordRejected:
        return  # the quarantine holds the raw line by design
    text = orjson.dumps(out).decode()
    assert [p for p in planted if leaked(p, text)] == [], text
    assert VERIFIER.check_record(out) == []  # allow-listed, right types, shapes, and a detector re-scan


@SETTINGS
@given(
    st.one_of(
        json_values,
        st.dictionaries(
            st.sampled_from(["messages", "prompt", "client", "geo", "headers"]) | st.text(max_size=6),
            json_values,
            max_size=6,
        ),
    )
)
def test_scrub_of_arbitrary_json_is_allow_listed_and_verifiable(record: Any) -> None:
    if isinstance(record, dict):
        record = {"ts": 1, **record}  # the catalogue requires ts; without it every record is quarantined
    try:
        out = SCRUBBER.scrub(record)
    except RecordRejected:
        return
    assert VERIFIER.check_record(out) == []


def as_json(value: Any) -> bytes:
    """JSON as a log writer might emit it: big integers and Infinity included (orjson would refuse them)."""
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


@st.composite
def mangled_lines(draw: st.DrawFn) -> bytes:
    """A JSON record with a few bytes replaced, inserted or cut: the near misses a parser sees most."""
    data = bytearray(as_json(draw(records())[0]))
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(data)))
        data[at : at + draw(st.integers(0, 2))] = draw(st.binary(max_size=3))
    return bytes(data)


@SETTINGS
@given(st.one_of(st.binary(max_size=200), json_values.map(as_json), mangled_lines()))
def test_every_raw_line_gives_exactly_one_outcome(data: bytes) -> None:
    """decode + scrub, as the pipeline calls them: one record or one quarantine entry, never an exception."""
    from scrubber.records import Quarantiner, SourceLine, scrub_line

    outcomes = [scrub_line(SCRUBBER, Quarantiner(), SourceLine("fuzz.jsonl", 1, data))]
    assert len(outcomes) == 1
    record, entry = outcomes[0].record, outcomes[0].quarantine
    assert (record is None) != (entry is None)
    if record is not None:
        assert VERIFIER.check_record(record) == []
    else:
        assert entry is not None and entry["reason"] and entry["line"] == 1


def test_the_generators_make_valid_identifiers() -> None:
    """The planted identifiers are what they claim to be (so a pass is not a generator bug)."""
    from stdnum import luhn

    for _ in range(20):
        assert luhn.is_valid(cards().example()[1])
        assert stdnum_iban.is_valid(ibans().example()[1], check_country=False)  # mod 97
    assert leaked("bob.smith@example.org", "mail BOB.SMITH@example.org")
    assert leaked("4111111111111111", "card 4111 1111 1111 <PHONE>")
    assert not leaked("4111111111111111", "card <CARD>")


# --- gaps found by fuzzing, for their owners (strict xfail: they fail until fixed) --------------

HIDDEN_SPELLINGS = [
    ("zero_width_email", "write to zw.user\u200b@example.org today", "zw.user@example.org"),
    ("soft_hyphen_email", "write to zw.other@exa\u00admple.org today", "zw.other@example.org"),
    ("zero_width_card", "card 4242\u200b4242\u200b4242\u200b4242 please", "4242424242424242"),
    ("word_joiner_iban", "iban ES91\u20602100\u20600418\u20604502\u20600005\u20601332 ok", "ES9121000418450200051332"),
    ("fullwidth_email", "mail ｆｗ．ｕｓｅｒ＠ｅｘａｍｐｌｅ．ｏｒｇ now", "fw.user@example.org"),
    ("fullwidth_card", "card ５５５５ ５５５５ ５５５５ ４４４４ now", "5555555555554444"),
]


@pytest.mark.parametrize(("text", "planted"), [pytest.param(t, p, id=i) for i, t, p in HIDDEN_SPELLINGS])
def test_hidden_spellings_are_folded_before_scanning(text: str, planted: str) -> None:
    out = SCRUBBER.scrub_text(text)
    assert not leaked(planted, out)
    assert out.split()[0] == text.split()[0] and out.split()[-1] == text.split()[-1]  # the rest is untouched


DETECTOR_GAPS = [
    ("card_then_number", "card 4111 1111 1111 1111 2 times", "4111111111111111"),
    ("number_then_card", "call 0171 4111 1111 1111 1111 thanks", "4111111111111111"),
    ("plain_card_then_number", "pay 4111111111111111 12 27", "4111111111111111"),
    ("markdown_italic_email", "contact _bob.under@example.org_ now", "bob.under@example.org"),
    ("email_then_hyphen", "mail bob.dash@example.org- thanks", "bob.dash@example.org"),
]


@pytest.mark.xfail(strict=True, reason="detectors (scrubber/text.py, scrubber/detectors): see the test id")
@pytest.mark.parametrize(("text", "planted"), [pytest.param(t, p, id=i) for i, t, p in DETECTOR_GAPS])
def test_detector_gap(text: str, planted: str) -> None:
    assert not leaked(planted, SCRUBBER.scrub_text(text))


@pytest.mark.parametrize("value", ["4111111111111111", "DE89370400440532013000"])
def test_identifier_shaped_model_names_are_rejected(value: str) -> None:
    """`model` is kept only if it matches its pattern and no detector finds an identifier in it."""
    with pytest.raises(RecordRejected, match="invalid_identifier_in_value at model"):
        SCRUBBER.scrub({"ts": 1, "model": value})
    kept = {"ts": 1, "model": "ft:llama-2-7b:acme:2026-11"}
    assert SCRUBBER.scrub(kept) == kept


def test_an_identifier_split_across_messages_is_not_joined() -> None:
    """A documented limit: each message is scanned on its own; fragments are not joined."""
    out = SCRUBBER.scrub(
        {
            "ts": 1,
            "messages": [
                {"role": "user", "content": "write to split.msg@"},
                {"role": "user", "content": "example.org please"},
            ],
        }
    )
    assert [m["content"] for m in out["messages"]] == ["write to split.msg@", "example.org please"]
