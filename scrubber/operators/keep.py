"""keep: pass a scalar through unchanged after checking its type, length, pattern or allowed values."""

from __future__ import annotations

import functools
from typing import Any, ClassVar, Literal

import regex

from scrubber.operators.base import BuildContext, Invalid, Operator, RecordScope, RuleBase, Transform


class KeepRule(RuleBase):
    op: Literal["keep"]
    type: Literal["string", "int", "float", "bool"] = "string"
    max_length: int = 256
    pattern: str | None = None
    values: list[str] | None = None
    reject_identifiers: bool = False  # run the text detectors on the value; any finding makes it invalid

    output_type: ClassVar[str] = "string"

    def contradictions(self) -> list[str]:
        problems = []
        if self.pattern is not None:
            try:
                regex.compile(self.pattern)
            except regex.error as exc:
                problems.append(f"pattern is not a valid regular expression ({exc})")
        if self.values is not None and not self.values:
            problems.append("values is empty, so no value could pass; list the allowed values or leave it out")
        if self.max_length < 1:
            problems.append(f"max_length is {self.max_length}, so no string could pass")
        return problems

    def arrow_type(self) -> str:
        return {"string": "string", "int": "int64", "float": "double", "bool": "bool"}[self.type]


_PY_TYPES: dict[str, tuple[type, ...]] = {"string": (str,), "int": (int,), "float": (float, int), "bool": (bool,)}


def build(rule: KeepRule, ctx: BuildContext) -> Transform:
    wanted = _PY_TYPES[rule.type]
    compiled = regex.compile(rule.pattern) if rule.pattern else None
    allowed = frozenset(rule.values) if rule.values is not None else None
    max_length = rule.max_length

    if rule.type == "string":
        fullmatch = compiled.fullmatch if compiled is not None else None
        find = ctx.scanner_factory(None, False).find if rule.reject_identifiers else None

        def problem(value: str) -> str | None:
            """Why a string of the right length is invalid, or None."""
            if fullmatch is not None and fullmatch(value) is None:
                return "pattern_mismatch"
            if allowed is not None and value not in allowed:
                return "value_not_allowed"
            if find is not None and find(value):
                return "identifier_in_value"
            return None

        # Pattern and identifier checks cost a regex or a scan; kept values such as model names repeat on
        # every record, so a bounded cache of this pure function answers most of them.
        check = functools.lru_cache(maxsize=4096)(problem) if fullmatch or find else problem

        def keep_string(value: Any, scope: RecordScope) -> Any:
            if type(value) is not str:
                raise Invalid("expected_string")
            if len(value) > max_length:
                raise Invalid("too_long")
            reason = check(value)
            if reason is not None:
                raise Invalid(reason)
            return value

        return keep_string

    def keep(value: Any, scope: RecordScope) -> Any:
        if not isinstance(value, wanted) or (rule.type != "bool" and isinstance(value, bool)):
            raise Invalid(f"expected_{rule.type}")
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            raise Invalid("not_finite")
        return float(value) if as_float and isinstance(value, int) else value  # a float column holds 0.0, not 0

    as_float = rule.type == "float"
    return keep


OPERATOR = Operator(
    name="keep",
    rule_model=KeepRule,
    build=build,
    summary="keep a scalar of the declared type; strings must fit max_length, pattern and values",
    example="{field: model, op: keep, pattern: '[A-Za-z0-9._:/-]{1,128}'}",
)
