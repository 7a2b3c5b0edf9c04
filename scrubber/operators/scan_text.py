"""scan_text: replace every identifier the detectors find in free text with a typed placeholder."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from scrubber.operators.base import BuildContext, Invalid, Operator, RecordScope, RuleBase, Transform


class ScanTextRule(RuleBase):
    op: Literal["scan_text"]
    detectors: list[str] | None = None
    pseudonym_tokens: bool = False
    max_length: int = Field(default=1_000_000, ge=1)


def build(rule: ScanTextRule, ctx: BuildContext) -> Transform:
    scanner = ctx.scanner_factory(rule.detectors, rule.pseudonym_tokens)
    max_length = rule.max_length

    def scan_text(value: Any, scope: RecordScope) -> Any:
        if not isinstance(value, str):
            raise Invalid(f"expected_string_not_{type(value).__name__}")
        if len(value) > max_length:
            raise Invalid("too_long")
        return scanner.scrub(value, scope.detector_counts)

    return scan_text


OPERATOR = Operator(
    name="scan_text",
    rule_model=ScanTextRule,
    build=build,
    summary="free text with every detected identifier replaced by <TYPE> (or <TYPE:token> with pseudonym_tokens)",
    example="{field: 'messages[*].content', op: scan_text}",
)
