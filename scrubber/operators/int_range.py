"""int_range: an integer (or numeric string) inside [min, max]."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from scrubber.operators.base import (
    BuildContext,
    Invalid,
    Operator,
    RecordScope,
    RuleBase,
    Transform,
    ordered,
    strict_int,
)


class IntRangeRule(RuleBase):
    op: Literal["int_range"]
    min: int
    max: int

    output_type: ClassVar[str] = "int64"

    def contradictions(self) -> list[str]:
        return ordered(self.min, self.max)


def build(rule: IntRangeRule, ctx: BuildContext) -> Transform:
    low, high = rule.min, rule.max

    def int_range(value: Any, scope: RecordScope) -> Any:
        number = value if type(value) is int else strict_int(value)
        if not low <= number <= high:
            raise Invalid("out_of_range")
        return number

    return int_range


OPERATOR = Operator(
    name="int_range",
    rule_model=IntRangeRule,
    build=build,
    summary="an integer within [min, max]; numeric strings accepted, bools and fractions invalid",
    example="{field: status, op: int_range, min: 100, max: 599}",
)
