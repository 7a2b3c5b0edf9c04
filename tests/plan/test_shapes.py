"""Alternatives by shape: a field whose value is a string, a list of parts or an object, each with its own rules."""

from __future__ import annotations

from typing import Any

import pytest

from scrubber import RecordRejected, Scrubber
from scrubber.catalogue import parse_catalogue
from scrubber.errors import CatalogueError
from scrubber.keys import Key
from scrubber.plan import ShapeNode, build_tree, output_shape
from scrubber.verify import Verifier

CONTENT = """\
catalogue: t
nulls: absent
rules:
  - {field: 'messages[*].role', op: keep, values: [system, user, assistant, tool]}
  - {field: 'messages[*].content', op: scan_text, shape: string}
  - {field: 'messages[*].content[*].type', op: keep, values: [text, image_url]}
  - {field: 'messages[*].content[*].text', op: scan_text}
"""


@pytest.fixture(scope="module")
def scrubber(test_key: Key) -> Scrubber:
    return Scrubber(parse_catalogue(CONTENT, "t.yaml"), test_key)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("write to ann@example.org", "write to <EMAIL>"),
        (
            [{"type": "text", "text": "ip 10.1.2.3"}, {"type": "image_url", "image_url": {"url": "https://x"}}],
            [{"type": "text", "text": "ip <IP>"}, {"type": "image_url"}],
        ),
    ],
)
def test_each_shape_goes_to_its_own_rules(scrubber: Scrubber, content: Any, expected: Any) -> None:
    out = scrubber.scrub({"messages": [{"role": "user", "content": content}]})
    assert out == {"messages": [{"role": "user", "content": expected}]}


def test_a_null_means_absent_and_another_shape_is_invalid(scrubber: Scrubber) -> None:
    assert scrubber.scrub({"messages": [{"role": "assistant", "content": None}]}) == {
        "messages": [{"role": "assistant"}]
    }
    with pytest.raises(RecordRejected) as caught:
        scrubber.scrub({"messages": [{"role": "user", "content": 12}]})
    assert caught.value.reason == "wrong_shape"
    assert caught.value.field == "messages.content"
    assert "expected a string or a list" in str(caught.value)


def test_two_rules_can_share_a_field_by_shape(test_key: Key) -> None:
    text = (
        "catalogue: t\nrules:\n  - {field: m, op: scan_text, shape: string}\n  - {field: m, op: drop, shape: object}\n"
    )
    scrubber = Scrubber(parse_catalogue(text, "t.yaml"), test_key)
    assert scrubber.scrub({"m": "a@b.example"}) == {"m": "<EMAIL>"}
    assert scrubber.scrub({"m": {"x": 1}}) == {}
    with pytest.raises(RecordRejected, match="expected a string or an object"):
        scrubber.scrub({"m": [1]})


def test_order_of_rules_does_not_matter(test_key: Key) -> None:
    lines = CONTENT.splitlines()
    swapped = "\n".join([*lines[:3], lines[5], lines[6], lines[3], lines[4]]) + "\n"
    record = {"messages": [{"role": "user", "content": [{"type": "text", "text": "a@b.example"}]}, {"content": "x"}]}
    first = Scrubber(parse_catalogue(CONTENT, "t.yaml"), test_key).scrub(record)
    assert Scrubber(parse_catalogue(swapped, "t.yaml"), test_key).scrub(record) == first


def test_the_tree_holds_a_shape_node_and_parquet_gets_a_json_column() -> None:
    loaded = parse_catalogue(CONTENT, "t.yaml")
    root = build_tree(loaded)
    messages = root.exact["messages"]
    content = messages.item.exact["content"]  # type: ignore[union-attr]
    assert isinstance(content, ShapeNode) and content.leaves and content.items is not None
    assert output_shape(root) == {"messages": {"list": {"role": "string", "content": "json"}}}


def test_verify_accepts_both_shapes_and_still_scans_them(test_key: Key) -> None:
    verifier = Verifier(parse_catalogue(CONTENT, "t.yaml"))
    assert verifier.check_record({"messages": [{"content": "fine"}, {"content": [{"text": "fine"}]}]}) == []
    leak = verifier.check_record({"messages": [{"content": [{"text": "mail bob@example.org"}]}]})
    assert ("messages[0].content[0].text", "EMAIL") in leak
    assert verifier.check_record({"messages": [{"content": {"text": "x"}}]}) == [("messages[0].content", "wrong_type")]


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        (
            ["{field: a, op: scan_text}", "{field: 'a[*].b', op: scan_text}"],
            "has a rule of its own at t.yaml:4, so rules cannot also address fields inside it; give that rule shape:",
        ),
        (
            ["{field: a, op: scan_text, shape: [string, list]}", "{field: 'a[*].b', op: scan_text}"],
            "takes shape list, and rules address fields inside that list",
        ),
        (
            ["{field: 'a[*].b', op: scan_text}", "{field: a, op: scan_text, shape: list}"],
            "takes shape list, and rules address fields inside that list",
        ),
        (
            ["{field: a.b, op: scan_text}", "{field: a, op: scan_text}"],
            "already has a rule at t.yaml:4; keep one rule per field; to take some shapes of its value here",
        ),
        (["{field: a, op: scan_text, shape: [text]}"], "parameter 'shape' (item 1): Input should be 'string'"),
        (
            ["{field: a, op: scan_text, shape: string}", "{field: a, op: drop, shape: [object, string]}"],
            "the rules at t.yaml:4 and t.yaml:5 both take shape string",
        ),
    ],
)
def test_overlapping_shapes_are_refused_with_the_line(rules: list[str], message: str) -> None:
    text = "catalogue: t\nrules:\n" + "".join(f"  - {rule}\n" for rule in rules)
    text = text.replace("rules:\n", "rules:\n  - {field: z, op: keep}\n", 1)
    with pytest.raises(CatalogueError) as caught:
        build_tree(parse_catalogue(text, "t.yaml"))
    assert message in str(caught.value)
