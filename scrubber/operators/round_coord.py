"""round_coord: round a latitude or longitude to a grid (0.01 degrees by default)."""

from __future__ import annotations

import math
from typing import Any, ClassVar, Literal

import regex
from pydantic import Field

from scrubber.operators.base import BuildContext, Invalid, Operator, RecordScope, RuleBase, Transform

_DECIMAL = regex.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")
_LIMITS = {"lat": 90.0, "lon": 180.0}


class RoundCoordRule(RuleBase):
    op: Literal["round_coord"]
    axis: Literal["lat", "lon"]
    decimals: int = Field(default=2, ge=0, le=4)

    output_type: ClassVar[str] = "double"


def parse_coordinate(value: Any) -> float:
    """A finite float from a number or an ASCII decimal string. Raises Invalid."""
    if isinstance(value, bool):
        raise Invalid("bool_not_number")
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip()
        if len(text) > 40 or _DECIMAL.fullmatch(text) is None:
            raise Invalid("not_a_number")
        number = float(text)
    else:
        raise Invalid(f"wrong_type_{type(value).__name__}")
    if not math.isfinite(number):
        raise Invalid("not_finite")
    return number


def build(rule: RoundCoordRule, ctx: BuildContext) -> Transform:
    limit, decimals = _LIMITS[rule.axis], rule.decimals

    def round_coord(value: Any, scope: RecordScope) -> Any:
        number = value if type(value) is float and -limit <= value <= limit else parse_coordinate(value)
        if not -limit <= number <= limit:
            raise Invalid("out_of_range")
        return round(number, decimals) + 0.0  # + 0.0 folds -0.0 into 0.0

    return round_coord


OPERATOR = Operator(
    name="round_coord",
    rule_model=RoundCoordRule,
    build=build,
    summary="round lat/lon to `decimals` places (2 = 0.01 degrees); NaN, inf, text and out-of-range are invalid",
    example="{field: geo.lat, op: round_coord, axis: lat, decimals: 2}",
)
