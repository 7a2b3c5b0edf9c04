"""strip_params: a URL without userinfo, fragment, tracking parameters and parameters not allow-listed."""

from __future__ import annotations

from typing import Any, Literal

from scrubber.operators.base import BuildContext, Invalid, Operator, RecordScope, RuleBase, Transform
from scrubber.tracking import strip_url


class StripParamsRule(RuleBase):
    op: Literal["strip_params"]
    allow: list[str] = []
    keep_path: bool = True


def build(rule: StripParamsRule, ctx: BuildContext) -> Transform:
    allow, keep_path = frozenset(rule.allow), rule.keep_path

    def strip_params(value: Any, scope: RecordScope) -> Any:
        if not isinstance(value, str):
            raise Invalid(f"expected_string_not_{type(value).__name__}")
        if len(value) > 8192:
            raise Invalid("too_long")
        try:
            return strip_url(value.strip(), allow, keep_path)
        except ValueError:
            raise Invalid("not_a_url") from None

    return strip_params


OPERATOR = Operator(
    name="strip_params",
    rule_model=StripParamsRule,
    build=build,
    summary="URL without userinfo, fragment and query parameters other than `allow` (trackers always go)",
    example="{field: url, op: strip_params, allow: [page, lang]}",
)
