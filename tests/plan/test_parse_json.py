"""parse: json: JSON inside a string is scrubbed as a structure and written back as JSON text (or as the value)."""

from __future__ import annotations

import orjson
import pytest

from scrubber import RecordRejected, Scrubber
from scrubber.catalogue import parse_catalogue
from scrubber.errors import CatalogueError
from scrubber.keys import Key
from scrubber.plan import build_tree, output_shape
from scrubber.verify import Verifier

CATALOGUE = """\
catalogue: t
structures:
  'calls[*].arguments': {parse: json}
  metadata: {parse: json, write: value, not_json: drop}
rules:
  - {field: 'calls[*].arguments.city', op: keep}
  - {field: 'calls[*].arguments.note', op: scan_text}
  - {field: metadata.team, op: keep}
"""


@pytest.fixture(scope="module")
def scrubber(test_key: Key) -> Scrubber:
    return Scrubber(parse_catalogue(CATALOGUE, "t.yaml"), test_key)


def test_json_text_is_scrubbed_as_a_structure_and_written_back_as_json_text(scrubber: Scrubber) -> None:
    arguments = orjson.dumps({"city": "Oslo", "note": "ring tom\u00e9@example.org", "owner": "Bj\u00f6rn"}).decode()
    out = scrubber.scrub({"calls": [{"arguments": arguments}], "metadata": '{"team": "ml", "email": "a@b.example"}'})
    assert out == {"calls": [{"arguments": '{"city":"Oslo","note":"ring <EMAIL>"}'}], "metadata": {"team": "ml"}}


def test_an_object_that_is_already_decoded_is_read_the_same_way(scrubber: Scrubber) -> None:
    out = scrubber.scrub({"calls": [{"arguments": {"city": "Oslo"}}], "metadata": {"team": "ml"}})
    assert out == {"calls": [{"arguments": '{"city":"Oslo"}'}], "metadata": {"team": "ml"}}


def test_a_string_that_is_not_json_rejects_or_drops_as_the_structure_says(scrubber: Scrubber) -> None:
    with pytest.raises(RecordRejected) as caught:
        scrubber.scrub({"calls": [{"arguments": "city=Oslo"}]})
    assert (caught.value.reason, caught.value.field) == ("not_json", "calls.arguments")
    before = scrubber.stats.unknown.get("metadata", 0)
    assert scrubber.scrub({"metadata": "team=ml", "calls": [{"arguments": "{}"}]}) == {}
    assert scrubber.stats.unknown["metadata"] == before + 1  # a dropped structure is counted at its path


def test_output_types_and_verify(scrubber: Scrubber) -> None:
    loaded = parse_catalogue(CATALOGUE, "t.yaml")
    assert output_shape(build_tree(loaded)) == {
        "calls": {"list": {"arguments": "string"}},
        "metadata": {"team": "string"},
    }
    verifier = Verifier(loaded)
    assert verifier.check_record({"calls": [{"arguments": '{"city":"Oslo"}'}]}) == []
    found = verifier.check_record({"calls": [{"arguments": '{"city":"Oslo","owner":"x"}'}]})
    assert found == [("calls[0].arguments.owner", "field_not_allowed")]


@pytest.mark.parametrize(
    ("structure", "message"),
    [
        ("{parse: query_string, not_json: drop}", "not_json applies to parse: json only"),
        ("{parse: none, write: value}", "write applies to parse: json only"),
    ],
)
def test_json_options_need_parse_json(structure: str, message: str) -> None:
    text = f"catalogue: t\nstructures:\n  url: {structure}\nrules:\n  - {{field: url.q, op: keep}}\n"
    with pytest.raises(CatalogueError, match=message):
        parse_catalogue(text, "t.yaml")


@pytest.mark.parametrize(("not_json", "outcome"), [("reject", "not_json"), ("drop", {"ts": 1})])
def test_a_field_of_several_shapes_decodes_json_text_first(test_key: Key, not_json: str, outcome: object) -> None:
    """messages as JSON text (a Postgres export) is decoded, then routed by the decoded value's shape."""
    text = f"""\
catalogue: t
structures:
  messages: {{parse: json, write: value, not_json: {not_json}}}
rules:
  - {{field: ts, op: keep, type: int}}
  - {{field: messages, op: drop, shape: object}}
  - {{field: 'messages[*].content', op: scan_text}}
"""
    scrubber = Scrubber(parse_catalogue(text, "t.yaml"), test_key)
    assert scrubber.scrub({"ts": 1, "messages": '[{"content": "a@b.example"}]'}) == {
        "ts": 1,
        "messages": [{"content": "<EMAIL>"}],
    }
    assert scrubber.scrub({"ts": 1, "messages": "{}"}) == {"ts": 1}
    if outcome == "not_json":
        with pytest.raises(RecordRejected, match="not_json at messages"):
            scrubber.scrub({"ts": 1, "messages": "not json"})
    else:
        assert scrubber.scrub({"ts": 1, "messages": "not json"}) == outcome
