"""select: rules chosen by a field's value, failing closed on a value no case lists."""

from __future__ import annotations

import pytest

from scrubber import RecordRejected, Scrubber
from scrubber.catalogue import parse_catalogue
from scrubber.errors import CatalogueError
from scrubber.explain import explain
from scrubber.keys import Key
from scrubber.plan import build_tree, output_shape
from scrubber.verify import Verifier

CATALOGUE = """\
catalogue: t
rules:
  - {field: url, op: keep, values: [/v1/chat/completions, /v1/embeddings]}
select:
  field: url
  cases:
    - values: [/v1/chat/completions]
      rules:
        - {field: 'body.messages[*].content', op: scan_text}
        - {field: body.input, op: drop}
    - values: [/v1/embeddings]
      rules:
        - {field: body.input, op: scan_text}
"""


@pytest.fixture(scope="module")
def scrubber(test_key: Key) -> Scrubber:
    return Scrubber(parse_catalogue(CATALOGUE, "t.yaml"), test_key)


def test_each_value_gets_its_case_rules(scrubber: Scrubber) -> None:
    chat = {"url": "/v1/chat/completions", "body": {"messages": [{"content": "hi a@b.example"}], "input": "x"}}
    assert scrubber.scrub(chat) == {"url": "/v1/chat/completions", "body": {"messages": [{"content": "hi <EMAIL>"}]}}
    embed = {"url": "/v1/embeddings", "body": {"messages": [{"content": "x"}], "input": "c@d.example"}}
    assert scrubber.scrub(embed) == {"url": "/v1/embeddings", "body": {"input": "<EMAIL>"}}


@pytest.mark.parametrize("record", [{"url": "/v1/responses"}, {"body": {}}, {"url": 3}])
def test_a_value_no_case_lists_quarantines_the_record(scrubber: Scrubber, record: dict[str, object]) -> None:
    with pytest.raises(RecordRejected) as caught:
        scrubber.scrub(record)
    assert (caught.value.reason, caught.value.field) == ("unlisted_value", "url")


def test_rule_lines_explain_shape_and_verify(scrubber: Scrubber) -> None:
    loaded = parse_catalogue(CATALOGUE, "t.yaml")
    assert [loaded.where(i) for i in range(4)] == ["t.yaml:3", "t.yaml:9", "t.yaml:10", "t.yaml:13"]
    assert loaded.rule_cases == (None, 0, 0, 1)
    assert output_shape(build_tree(loaded)) == {
        "url": "string",
        "body": {"messages": {"list": {"content": "string"}}, "input": "string"},
    }
    steps, _, rejected = explain(scrubber, {"url": "/v1/files"})
    assert rejected is not None and "unlisted_value" in rejected
    assert any(step.rule == "(select)" for step in steps)
    verifier = Verifier(loaded)
    assert verifier.check_record({"url": "/v1/embeddings", "body": {"input": "fine"}}) == []
    assert verifier.check_record({"url": "/v1/chat/completions", "body": {"input": "fine"}}) == [
        ("body.input", "field_not_allowed")
    ]


@pytest.mark.parametrize(
    ("select", "message"),
    [
        (
            "select:\n  field: url\n  cases:\n    - values: [a]\n      rules: []\n    - values: [a]\n      rules: []\n",
            "the value 'a' is listed by cases 0 and 1",
        ),
        ("select:\n  field: 'a[*]'\n  cases:\n    - values: [a]\n      rules: []\n", "select.field"),
        (
            "select:\n  field: url\n  cases:\n    - values: [a]\n      rules:\n        - {field: b, op: kep}\n",
            "t.yaml:9: select.cases.0.rules[0] (field b, op kep): 'op' must be one of",
        ),
    ],
)
def test_bad_selects_are_refused_with_the_line(select: str, message: str) -> None:
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue("catalogue: t\nrules:\n  - {field: url, op: keep}\n" + select, "t.yaml")
    assert message in str(caught.value)
