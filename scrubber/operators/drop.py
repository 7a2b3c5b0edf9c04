"""drop: remove the field. Naming a field with drop documents a decision; default deny drops it anyway."""

from __future__ import annotations

from typing import Any, Literal

from scrubber.operators.base import DROP, BuildContext, Operator, RecordScope, RuleBase, Transform


class DropRule(RuleBase):
    op: Literal["drop"]


def build(rule: DropRule, ctx: BuildContext) -> Transform:
    def drop(value: Any, scope: RecordScope) -> Any:
        return DROP

    return drop


OPERATOR = Operator(
    name="drop",
    rule_model=DropRule,
    build=build,
    summary="remove the field (fingerprints, tracking, raw identifiers)",
    example="{field: client.canvas_hash, op: drop, why: browser fingerprint}",
)
