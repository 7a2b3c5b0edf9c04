"""epoch_second: a timestamp (epoch int/float, digit string or ISO-8601) as integer epoch seconds."""

from __future__ import annotations

import math
from datetime import UTC, datetime
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

MAX_EPOCH = 253402300799  # 9999-12-31T23:59:59Z


class EpochSecondRule(RuleBase):
    op: Literal["epoch_second"]
    min: int = 0
    max: int = MAX_EPOCH
    naive: Literal["utc", "reject"] = "utc"

    output_type: ClassVar[str] = "int64"

    def contradictions(self) -> list[str]:
        return ordered(self.min, self.max)


def to_epoch_second(value: Any, naive: str = "utc") -> int:
    """Integer epoch seconds (floored) from a number or string. Raises Invalid."""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise Invalid("not_finite")
        if abs(value) > 1e15:
            raise Invalid("out_of_range")
        return math.floor(value)
    if isinstance(value, str):
        text = value.strip()
        if len(text) > 64:
            raise Invalid("too_long")
        if text.isascii() and text.replace(".", "", 1).lstrip("+-").isdigit():
            return to_epoch_second(float(text)) if "." in text else strict_int(text)
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise Invalid("not_a_timestamp") from None
        if parsed.tzinfo is None:
            if naive == "reject":
                raise Invalid("no_timezone")
            parsed = parsed.replace(tzinfo=UTC)
        return math.floor(parsed.timestamp())
    return strict_int(value)


def build(rule: EpochSecondRule, ctx: BuildContext) -> Transform:
    low, high, naive = rule.min, rule.max, rule.naive

    def epoch_second(value: Any, scope: RecordScope) -> Any:
        seconds = value if type(value) is int else to_epoch_second(value, naive)
        if not low <= seconds <= high:
            raise Invalid("out_of_range")
        return seconds

    return epoch_second


OPERATOR = Operator(
    name="epoch_second",
    rule_model=EpochSecondRule,
    build=build,
    summary="integer epoch seconds from int, float or ISO-8601 (offsets allowed; naive = UTC by default)",
    example="{field: ts, op: epoch_second}",
)
