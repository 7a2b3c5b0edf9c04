"""scan_json: a subtree of any depth, or JSON inside a string, with every identifier in it replaced.

Tool-call arguments, tool results and exported JSON columns hold JSON as text. Scanned as text, their
escapes hide what they say (``"Bj\\u00f6rn"``, ``tom\\u00e9@example.org``); decoded first, every string
(object keys included) is scanned as free text, and every number is scanned in its written form (a card
or phone number stored as an integer becomes the placeholder string). The result is written as compact
JSON text (a string column), or with ``write: value`` as the scrubbed value itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Literal

import orjson
from pydantic import Field

from scrubber.operators.base import BuildContext, Invalid, Operator, OutputCheck, RecordScope, RuleBase, Transform


class ScanJsonRule(RuleBase):
    op: Literal["scan_json"]
    detectors: list[str] | None = None
    pseudonym_tokens: bool = False
    # A string that is not JSON: an invalid value (on_invalid decides), or scanned as plain text.
    not_json: Literal["invalid", "scan_text"] = "invalid"
    max_length: int = Field(default=1_000_000, ge=1)
    # json_text: the result is compact JSON text (a string column). value: the scrubbed object or list
    # itself, for a subtree that must stay a structure (tools[].function.parameters); a JSON-text
    # column in Parquet, since its shape varies.
    write: Literal["json_text", "value"] = "json_text"

    def arrow_type(self) -> str:
        return "json" if self.write == "value" else "string"


def scrub_tree(value: Any, scrub: Callable[[str], str], depth: int = 0) -> Any:
    """A copy of a JSON value with ``scrub`` applied to every string, key and number (in its written form)."""
    if depth > 256:
        raise Invalid("too_deep")
    kind = type(value)
    if kind is str:
        return scrub(value)
    if kind is dict:
        return {scrub(str(key)): scrub_tree(item, scrub, depth + 1) for key, item in value.items()}
    if kind is list:
        return [scrub_tree(item, scrub, depth + 1) for item in value]
    if kind is int or kind is float:
        written = str(value)
        scrubbed = scrub(written)
        return value if scrubbed == written else scrubbed
    if value is None or kind is bool:
        return value
    raise Invalid(f"not_json_{kind.__name__}")


def json_strings(value: Any) -> Iterator[str]:
    """Every string of a decoded JSON value, object keys included, and every number in its written form."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from json_strings(item)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield str(value)


def build(rule: ScanJsonRule, ctx: BuildContext) -> Transform:
    scanner = ctx.scanner_factory(rule.detectors, rule.pseudonym_tokens)
    max_length, as_text, as_value = rule.max_length, rule.not_json == "scan_text", rule.write == "value"

    def scan_json(value: Any, scope: RecordScope) -> Any:
        counts = scope.detector_counts

        def scrub(text: str) -> str:
            return scanner.scrub(text, counts)

        if value is None:
            raise Invalid("null")  # like every operator: the catalogue's nulls: says what a null means
        if type(value) is str:
            if len(value) > max_length:
                raise Invalid("too_long")
            try:
                value = orjson.loads(value)
            except orjson.JSONDecodeError:
                if as_text:
                    return scrub(value)
                raise Invalid("not_json") from None
        scrubbed = scrub_tree(value, scrub)
        return scrubbed if as_value else orjson.dumps(scrubbed).decode("utf-8")

    return scan_json


def output_check(rule: ScanJsonRule) -> OutputCheck:
    """Verify decodes the JSON it wrote and scans every string and number in it (text written as text)."""

    def check(value: Any, scan: Callable[[str], list[str]]) -> list[str]:
        if isinstance(value, str):
            try:
                value = orjson.loads(value)
            except orjson.JSONDecodeError:
                return scan(value)
        return [kind for text in json_strings(value) for kind in scan(text)]

    return check


OPERATOR = Operator(
    name="scan_json",
    rule_model=ScanJsonRule,
    build=build,
    summary="a subtree, or JSON in a string, decoded; every string, key and number scanned; written as JSON text",
    example="{field: 'messages[*].tool_calls[*].function.arguments', op: scan_json}",
    output_check=output_check,
)
